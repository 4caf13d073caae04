"""The business figures a handler records are published once, as CloudWatch's Embedded Metric Format,
when its invocation ends: its own figures only, also when it fails, and nothing when it has none."""

from __future__ import annotations

import json
import threading
import warnings
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from infra.local.invoke import LocalContext
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, dimension, record

logger = Logger(service="kluis-test-metrics")


@pytest.fixture(autouse=True)
def namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "Kluis")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "kluis")
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)


def context() -> LocalContext:
    return LocalContext("BuildBackupFunction", 1024, "arn:aws:lambda:eu-west-1:1:function:build", 900)


def published(captured: str) -> list[dict[str, Any]]:
    """The EMF documents among the captured stdout lines."""
    documents = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [document for document in documents if "_aws" in document]


def figures(document: dict[str, Any]) -> dict[str, Any]:
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Kluis"
    # Powertools writes each value as a list (EMF allows a list of values per metric).
    return {metric["Name"]: (metric["Unit"], document[metric["Name"]]) for metric in directive["Metrics"]}


def test_what_an_invocation_records_is_published_once_when_it_ends(capsys):
    @invocation(logger)
    def handler(event: Any, _: Any) -> None:
        record("BackupsBuilt")
        record("BackupBytes", Unit.Bytes, 4096)

    handler({}, context())
    (document,) = published(capsys.readouterr().out)
    assert figures(document) == {"BackupsBuilt": ("Count", [1.0]), "BackupBytes": ("Bytes", [4096.0])}
    assert document["service"] == "kluis"


def test_a_failing_invocation_still_publishes_what_it_recorded(capsys):
    @invocation(logger)
    def handler(event: Any, _: Any) -> None:
        dimension("Outcome", "failed")
        record("DrillsFailed")
        raise RuntimeError("the drill found a difference")

    with pytest.raises(RuntimeError):
        handler({}, context())
    (document,) = published(capsys.readouterr().out)
    assert figures(document) == {"DrillsFailed": ("Count", [1.0])}
    assert document["Outcome"] == "failed"


def test_an_invocation_without_figures_publishes_nothing_and_warns_nothing(capsys):
    @invocation(logger)
    def handler(event: Any, _: Any) -> str:
        return "nothing to count"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert handler({}, context()) == "nothing to count"
    assert published(capsys.readouterr().out) == []


def test_invocations_at_once_publish_only_their_own_figures(capsys):
    """As in the local stack, where one process runs several invocations of a function at once."""
    both_recording = threading.Barrier(2)

    @invocation(logger)
    def handler(event: Any, _: Any) -> None:
        record(event["name"], Unit.Count, event["value"])
        both_recording.wait(timeout=10)

    threads = [
        threading.Thread(target=handler, args=({"name": name, "value": value}, context()))
        for name, value in (("RestoresApplied", 1), ("RestoresRejected", 2))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    documents = published(capsys.readouterr().out)
    assert sorted(map(figures, documents), key=str) == [
        {"RestoresApplied": ("Count", [1.0])},
        {"RestoresRejected": ("Count", [2.0])},
    ]


def test_outside_an_invocation_a_figure_goes_nowhere(capsys):
    record("BackupsBuilt")  # e.g. a tool running the same flow code
    assert published(capsys.readouterr().out) == []
