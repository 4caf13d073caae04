"""The local runtime's isolated mode: a function's handler in a child process, as Lambda runs it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from infra.local.lambdas import Invocation, LocalFunction, Runtime

PROBE = Path(__file__).resolve().parents[1] / "bench" / "fixtures" / "fn_probe"


def probe(timeout: int = 30, memory: int = 512, environment: dict[str, str] | None = None) -> LocalFunction:
    return LocalFunction(
        logical_id="ProbeFunction",
        name="kluis-test-ProbeFunction",
        arn="arn:aws:lambda:eu-west-1:123456789012:function:kluis-test-ProbeFunction",
        code_dir=PROBE,
        handler="app.handler",
        memory=memory,
        timeout=timeout,
        environment=environment,
    )


def invoke(runtime: Runtime, function: LocalFunction, event: dict) -> tuple[dict, dict[str, str]]:
    runtime.register(function)
    headers: dict[str, str] = {}
    payload = json.loads(runtime.invoke(function, json.dumps(event), headers))
    return payload, headers


def test_isolation_is_chosen_by_logical_id_env_var_or_star(monkeypatch):
    monkeypatch.setenv("KLUIS_LOCAL_ISOLATE", "BuildBackupFunction, ProbeFunction")
    assert Runtime().is_isolated(probe())
    assert not Runtime(isolate="BuildBackupFunction").is_isolated(probe())
    assert Runtime(isolate="*").is_isolated(probe())
    monkeypatch.delenv("KLUIS_LOCAL_ISOLATE")
    assert not Runtime().is_isolated(probe())  # in-process stays the default


def test_result_round_trip_in_a_child_with_the_functions_environment():
    runtime = Runtime(isolate=["ProbeFunction"])
    payload, headers = invoke(
        runtime, probe(environment={"PROBE_VALUE": "from-template"}), {"echo": [1, "a"]}
    )
    assert headers == {}
    assert payload["echo"] == [1, "a"]
    assert payload["pid"] != os.getpid()
    assert payload["function"] == "kluis-test-ProbeFunction"
    assert payload["env"] == "from-template"
    assert 25_000 < payload["remaining_ms"] <= 30_000
    [call] = runtime.calls
    assert isinstance(call, Invocation)
    assert call.logical_id == "ProbeFunction" and call.isolated and call.error is None
    assert call.seconds > 0 and call.start <= time.time()


def test_in_process_remains_the_default_and_is_recorded_too():
    runtime = Runtime(isolate="")
    payload, headers = invoke(runtime, probe(), {"echo": "x"})
    assert payload["pid"] == os.getpid() and headers == {}
    [call] = runtime.calls
    assert not call.isolated and call.peak_rss_bytes is None


@pytest.mark.parametrize("isolate", ["ProbeFunction", ""])
def test_an_exception_is_an_unhandled_function_error_with_its_type(isolate):
    runtime = Runtime(isolate=isolate)
    payload, headers = invoke(runtime, probe(), {"fail": "no such ledger"})
    assert headers["x-amz-function-error"] == "Unhandled"
    assert payload["errorType"] == "ProbeFailed"
    assert payload["errorMessage"] == "no such ledger"
    assert payload["stackTrace"]
    assert runtime.calls[-1].error == "ProbeFailed"


def test_the_timeout_kills_the_child_and_fails_as_lambda_does():
    runtime = Runtime(isolate="*")
    started = time.monotonic()
    payload, headers = invoke(runtime, probe(timeout=1), {"sleep": 30})
    assert time.monotonic() - started < 10
    assert headers["x-amz-function-error"] == "Unhandled"
    assert payload == {"errorType": "Sandbox.Timedout", "errorMessage": "Task timed out after 1.00 seconds"}
    call = runtime.calls[-1]
    assert call.error == "Sandbox.Timedout"
    assert 1 <= call.seconds < 10
    assert call.peak_rss_bytes  # a killed child is reaped and measured too


def test_peak_rss_is_the_childs_own():
    runtime = Runtime(isolate="*")
    invoke(runtime, probe(), {})
    invoke(runtime, probe(), {"allocate_mib": 200})
    small, large = (call.peak_rss_bytes or 0 for call in runtime.calls)
    assert 5 * 2**20 < small < 60 * 2**20  # its own, not this (larger) process's
    assert large - small > 180 * 2**20


def test_the_memory_cap_turns_an_oversized_allocation_into_memory_error():
    runtime = Runtime(isolate="*", memory_cap=True)
    payload, _ = invoke(runtime, probe(memory=256), {"allocate_mib": 100})
    assert payload["allocated"] == 100 * 2**20  # Python and the handler start fine under the cap
    payload, headers = invoke(runtime, probe(memory=256), {"allocate_mib": 400})
    assert headers["x-amz-function-error"] == "Unhandled"
    assert payload["errorType"] == "MemoryError"
