"""The catalogue of AWS calls the integration tests' code paths make (`calls.json` beside this file):
what `tests/policy/test_roles.py` evaluates, and the end of every pytest run that ran integration
tests keeps complete (`check_recorded`, called by tests.policy.session). The shape of a
call and the requests IAM makes of it are `infra.iam.calls`.

A new call (a new operation, bucket, key shape or principal) fails the run until it is catalogued:
`KLUIS_RECORD_CALLS=1 .venv/bin/pytest tests/integration` adds what this run made; review the diff
of calls.json, then `pytest tests/policy` says whether each role allows it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from infra.iam.calls import Call

CATALOGUE = Path(__file__).with_name("calls.json")


def load_catalogue(path: Path = CATALOGUE) -> list[Call]:
    return [Call(**entry) for entry in json.loads(path.read_text())["calls"]]


def save_catalogue(calls: set[Call], path: Path = CATALOGUE) -> None:
    document = {
        "about": "AWS calls of each principal on the integration tests' code paths: infra/iam/calls.py",
        "calls": [call.as_dict() for call in sorted(calls)],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")


def uncovered(recorded: Iterable[Call], catalogue: Iterable[Call]) -> list[Call]:
    """The recorded calls no catalogued call covers. A catalogued call covers one of the same shape
    that relied on no more than it: whether a read found its key missing, and which Object Lock
    headers it read, depend on the data a run meets (a version shows a legal hold header only once
    a hold was ever set), and the catalogued call asks IAM for at least as much."""
    by_shape: dict[Call, list[Call]] = {}
    for call in catalogue:
        by_shape.setdefault(_shape(call), []).append(call)
    return sorted(
        call
        for call in set(recorded)
        if not any(
            (known.missing or not call.missing) and set(call.reads) <= set(known.reads)
            for known in by_shape.get(_shape(call), [])
        )
    )


def _shape(call: Call) -> Call:
    return replace(call, missing=False, reads=())


def check_recorded(recorded: set[Call]) -> list[str]:
    """What the end of the run reports: each recorded call no catalogued call covers (none: the
    catalogue is complete). With KLUIS_RECORD_CALLS=1 the recorded calls are added to it instead."""
    catalogue = set(load_catalogue())
    if os.environ.get("KLUIS_RECORD_CALLS") == "1":
        save_catalogue(catalogue | recorded)
        return []
    return [json.dumps(call.as_dict(), sort_keys=True) for call in uncovered(recorded, catalogue)]
