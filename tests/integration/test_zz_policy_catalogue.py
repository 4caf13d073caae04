"""Runs last in this directory: every AWS call the integration tests made is in the policy tests'
catalogue (tests/policy/calls.json), so the policy tests evaluate every call the code makes.

A new call (a new operation, bucket, key shape or principal) fails here until it is catalogued:
`KLUIS_RECORD_CALLS=1 .venv/bin/pytest tests/integration` adds what this run made; review the diff
of calls.json, then `pytest tests/policy` says whether each role allows it.
"""

from __future__ import annotations

import os

from tests.policy.catalogue import load_catalogue, save_catalogue, uncovered


def test_every_call_the_code_made_is_in_the_policy_catalogue(harness):
    recorded = harness.recorder.calls
    assert recorded, "no calls recorded: the recorder is not watching the functions"
    catalogue = set(load_catalogue())
    if os.environ.get("KLUIS_RECORD_CALLS") == "1":
        save_catalogue(catalogue | recorded)
        return
    missing = uncovered(recorded, catalogue)
    assert not missing, "calls not in tests/policy/calls.json (see this module's docstring):\n" + "\n".join(
        str(call.as_dict()) for call in missing
    )
