"""The verification code a bookkeeper types back before a restore replaces their data.

It is not a secret from its owner (GET /jobs/{id} shows it to them); it makes the replacement a
conscious act and ties the confirmation to this one job. Compared in constant time all the same,
and only a limited number of wrong attempts are allowed.
"""

from __future__ import annotations

import hmac
import re
import secrets

CODE_DIGITS = 6
CODE_PATTERN = re.compile(r"[0-9]{6}")


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise(typed: str) -> str:
    """What people type: spaces or dashes between groups of digits are fine."""
    return re.sub(r"[\s-]", "", typed)


def matches(expected: str, typed: str) -> bool:
    return hmac.compare_digest(expected.encode(), normalise(typed).encode())
