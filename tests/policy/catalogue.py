"""The catalogue of AWS calls the integration tests' code paths make (`calls.json` beside this file):
what `tests/policy/test_roles.py` evaluates, and `tests/integration/test_zz_policy_catalogue.py` keeps
complete. The shape of a call and the requests IAM makes of it are `infra.iam.calls`."""

from __future__ import annotations

import json
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
