"""How long one invocation of a long step (build, stage) may work before it checkpoints.

Lambda ends an invocation at its timeout; a step that stops `margin` seconds before that has time to
save its checkpoint, and the state machine calls it again. Tests cap the budget (down to zero) to
make a small job take several invocations.
"""

from __future__ import annotations

import os


def time_budget(remaining_millis: int, *, margin_variable: str, cap_variable: str) -> float:
    margin = float(os.environ.get(margin_variable, "60"))
    budget = remaining_millis / 1000 - margin
    cap = os.environ.get(cap_variable)
    return min(budget, float(cap)) if cap else budget
