"""The catalogue of AWS calls the integration tests' code paths make (`calls.json` beside this file):
what `tests/policy/test_roles.py` evaluates, and `tests/integration/test_zz_policy_catalogue.py` keeps
complete. The shape of a call and the requests IAM makes of it are `infra.iam.calls`."""

from __future__ import annotations

import json
from pathlib import Path

from infra.iam.calls import Call

CATALOGUE = Path(__file__).with_name("calls.json")


def load_catalogue(path: Path = CATALOGUE) -> list[Call]:
    return [Call(**entry) for entry in json.loads(path.read_text())["calls"]]


def save_catalogue(calls: set[Call], path: Path = CATALOGUE) -> None:
    document = {
        "about": "AWS calls of each principal on the integration tests' code paths: tests/policy/calls.py",
        "calls": [call.as_dict() for call in sorted(calls)],
    }
    path.write_text(json.dumps(document, indent=1) + "\n")
