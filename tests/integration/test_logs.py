"""Each invocation's log lines name their own function and job, however many run at once.

The local stack runs every handler in one process; several backups, restores and API calls at once
used to mix their log context (a validate step's line labelled ApiFunction, its job id lost)."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from kluis.scope import Scope
from tests.integration.harness import Harness, confirm_code, seed_scope

CUSTOMER = "31007"
SCOPES = [Scope(CUSTOMER, f"0005{n}", "2025") for n in range(3)]
# A line each step writes once per invocation, and the function that writes it.
STEP_LINES = {
    "validate step ended": "ValidateRestoreFunction",
    "build step ended": "BuildBackupFunction",
    "awaiting confirmation": "AwaitConfirmationFunction",
    "backup queued": "ApiFunction",
    "restore created": "ApiFunction",
}


class Lines(logging.Handler):
    """The Powertools JSON lines of the functions' logger, formatted as Lambda would print them."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines(harness: Harness):
    harness.call("GET", "/administrations", CUSTOMER)  # the API's logger exists from here on
    service = logging.getLogger("kluis")
    formatter = next(handler.formatter for handler in service.handlers if handler.formatter)
    capture = Lines(formatter)
    service.addHandler(capture)
    yield capture.lines
    service.removeHandler(capture)


def test_concurrent_invocations_keep_their_own_function_and_job_in_every_line(harness, lines):
    backups = {}
    for scope in SCOPES:
        seed_scope(harness, scope, documents=2)
        backups[scope] = harness.download(
            harness.backup(scope.administration, scope.year, customer=CUSTOMER)
        ).content
    names = {
        logical: harness.stack.runtime.by_logical_id(logical).name for logical in set(STEP_LINES.values())
    }

    def restore(scope: Scope) -> str:
        job = harness.start_restore(backups[scope], customer=CUSTOMER)
        harness.wait_until(job["jobId"], {"awaiting-confirmation"}, CUSTOMER)
        return job["jobId"]

    def backup(scope: Scope) -> str:
        return harness.backup(scope.administration, scope.year, customer=CUSTOMER)["jobId"]

    lines.clear()
    with ThreadPoolExecutor(max_workers=6) as pool:
        work = [pool.submit(restore, scope) for scope in SCOPES] + [
            pool.submit(backup, scope) for scope in SCOPES
        ]
        jobs = {future.result() for future in work}

    seen = [line for line in lines if line.get("message") in STEP_LINES]
    assert len(seen) >= 2 * len(SCOPES), [line["message"] for line in lines]
    for line in seen:
        expected = names[STEP_LINES[line["message"]]]
        assert line.get("function_name") == expected, line
        assert line.get("job") in jobs, line
        assert line.get("function_request_id"), line


def emf_figures(out: str) -> list[dict[str, float]]:
    """The figures of each Embedded Metric Format document in the functions' output."""
    found = []
    for line in out.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            (directive,) = document["_aws"]["CloudWatchMetrics"]
            assert directive["Namespace"] == "Kluis"
            found.append({m["Name"]: document[m["Name"]][0] for m in directive["Metrics"]})
    return found


def test_a_backup_and_a_restore_publish_the_figures_operators_watch(harness, capsys):
    """CloudWatch metrics in the Embedded Metric Format, in the functions' output: what was built and
    how large, and how each restore ended (docs/operations.md, "Watching it")."""
    scope = Scope(CUSTOMER, "00059", "2025")
    seed_scope(harness, scope)
    capsys.readouterr()
    job = harness.backup(scope.administration, scope.year, customer=CUSTOMER)
    data = harness.download(job).content
    restore = harness.start_restore(data, customer=CUSTOMER)
    waiting = harness.wait_until(restore["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    assert confirm_code(harness, waiting, CUSTOMER).status_code == 202
    harness.wait_until(restore["jobId"], {"restored"}, CUSTOMER)
    # The job is restored a moment before the Apply invocation ends and publishes its figures.
    out, deadline = "", time.monotonic() + 10
    while "RestoresApplied" not in out and time.monotonic() < deadline:
        time.sleep(0.1)
        out += capsys.readouterr().out
    figures = emf_figures(out)
    built = [f for f in figures if "BackupsBuilt" in f]
    assert len(built) == 1 and built[0]["BackupBytes"] > 0 and built[0]["BackupSeconds"] >= 0, figures
    assert [f for f in figures if "RestoresValidated" in f] == [{"RestoresValidated": 1.0}], figures
    applied = [f for f in figures if "RestoresApplied" in f]
    assert len(applied) == 1 and applied[0]["RestoreSeconds"] >= 0, figures
