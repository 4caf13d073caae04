"""Each invocation's log lines name their own function and job, however many run at once.

The local stack runs every handler in one process; several backups, restores and API calls at once
used to mix their log context (a validate step's line labelled ApiFunction, its job id lost)."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest

from kluis.scope import Scope
from tests.integration.harness import Harness, seed_scope

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
