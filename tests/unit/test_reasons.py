"""Reason codes are one catalogue: every code the code names is in it, every exception's default too,
and docs/reasons.md lists exactly the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kluis.errors import KluisError, Reason
from kluis.reasons import MESSAGES, shown

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("request", "scope", "job", "lock", "limit", "backup", "restore", "archive", "system_restore")
CODE_LITERAL = re.compile(rf'"((?:{"|".join(FAMILIES)})\.[a-z_]+(?:\.[a-z_0-9]+)*)"')


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= subclasses(sub)
    return found


def test_docs_list_exactly_the_catalogue():
    listed = set(re.findall(r"^\| `([a-z_.0-9]+)` \|", (ROOT / "docs" / "reasons.md").read_text(), re.M))
    assert listed == set(MESSAGES), {
        "undocumented": set(MESSAGES) - listed,
        "unknown": listed - set(MESSAGES),
    }


# The audit log's actions ("backup.requested") are names of actions, not reasons.
NOT_REASONS = {ROOT / "layers" / "kluis" / "kluis" / "audit.py"}


def test_every_code_the_code_names_is_in_the_catalogue():
    for path in [*(ROOT / "layers").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]:
        if path in NOT_REASONS:
            continue
        for code in CODE_LITERAL.findall(path.read_text()):
            assert code in MESSAGES, f"{path.relative_to(ROOT)} names {code!r}"


def test_every_exception_class_defaults_to_a_catalogued_code():
    import kluis.api.app  # noqa: F401  (loads every module that defines an error)

    for cls in subclasses(KluisError):
        if "default_code" in vars(cls):
            assert cls.default_code in MESSAGES, cls


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_text_is_a_sentence_with_named_parameters_only(code):
    names = re.findall(r"\{([^}]*)\}", MESSAGES[code])
    assert all(re.fullmatch(r"[a-zA-Z]+", name) for name in names), code
    text = Reason(code, dict.fromkeys(names, "x")).message
    assert text[0].isupper() or text[0] in "'{" or text.startswith("pointInTime"), code
    assert text.rstrip("'").endswith((".", "?")), code


def test_a_reason_with_a_missing_parameter_or_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        Reason("restore.wrong_code")
    with pytest.raises(ValueError):
        Reason("restore.no_such_code")


def test_a_failed_step_carries_its_reason_through_step_functions():
    """Lambda's errorMessage is str(exception); Step Functions wraps it in a JSON cause."""
    import json

    error = KluisError("restore.head_conflict")
    cause = json.dumps({"errorType": "HeadConflict", "errorMessage": str(error)})
    assert Reason.from_lambda_cause(cause) == error.reason
    assert Reason.from_lambda_cause('{"errorMessage": "boom"}') is None
    assert Reason.from_lambda_cause(None) is None


def test_names_from_a_file_are_shown_escaped_and_short():
    assert shown("records/x\n.jsonl") == "records/x\\n.jsonl"
    assert len(shown("a" * 1000)) == 120
