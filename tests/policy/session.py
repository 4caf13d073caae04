"""The policy catalogue check at the end of a pytest run, over every process's recorded calls.

The integration harness records every AWS call its functions make (`tests.policy.recording`) and
puts its recorder in the run's stash under RECORDER. Once every test has run, whatever their order,
the calls must all be in the catalogue (`tests.policy.catalogue.check_recorded`). Under
pytest-xdist each worker has its own local stack and recorder: a worker sends its calls to the
controller (xdist's `workeroutput`), and the controller checks them all at once. A call that is not
catalogued fails the run. tests/conftest.py registers these hooks.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.iam.calls import Call
from tests.policy.catalogue import check_recorded
from tests.policy.recording import Recorder

RECORDER = pytest.StashKey[Recorder]()
# The controller's: the calls its workers recorded, or None while no worker ran an integration test.
RECEIVED = pytest.StashKey[set[Call] | None]()
OUTPUT = "kluis_recorded_calls"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RECEIVED] = None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller receives a worker's calls (none sent: it ran no integration test)."""
    calls = getattr(node, "workeroutput", {}).get(OUTPUT)
    if calls is not None:
        received = node.config.stash[RECEIVED] or set()
        node.config.stash[RECEIVED] = received | {Call(**entry) for entry in calls}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook sends the worker's output
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    recorder = config.stash.get(RECORDER, None)
    worker_output = getattr(config, "workeroutput", None)
    if worker_output is not None:
        if recorder is not None:
            worker_output[OUTPUT] = [call.as_dict() for call in recorder.calls]
        return
    received = config.stash[RECEIVED]
    if recorder is None and received is None:
        return  # no integration test ran
    calls = (received or set()) | (recorder.calls if recorder is not None else set())
    missing = check_recorded(calls) if calls else ["no calls recorded: the recorder is not watching"]
    if missing:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("")
            reporter.write_sep(
                "=", "AWS calls not in tests/policy/calls.json (tests/policy/catalogue.py)", red=True
            )
            for line in missing:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
