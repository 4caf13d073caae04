"""Our Lambda handlers, run where AWS would run them: in-process (the default) or, per function, in
a child process of their own (isolated), as a Lambda sandbox runs them.

moto's Lambda runs code in Docker, which we do not have; instead every invocation of one of our
functions (by Step Functions, by an S3 notification, or by boto3's `invoke`) is routed to the
handler named by template.yaml's CodeUri/Handler, with a Lambda-like context. A raised exception
becomes an `Unhandled` function error whose errorType is the exception's class name, exactly the
shape Step Functions' Retry/Catch match on.

In-process (default): fast, one import of each handler for the stack's lifetime. The function's
timeout is reported by the context but not enforced, and memory is shared with everything else.

Isolated (`Runtime(isolate=...)` or `KLUIS_LOCAL_ISOLATE=BuildBackupFunction,...`, `*` for all):
each invocation runs `python -m infra.local.invoke` with the function's environment. Then

- the function's Timeout (template.yaml) is enforced: the child is killed and the invocation fails
  as Lambda's does, `Unhandled` with errorType `Sandbox.Timedout` and errorMessage "Task timed out
  after N.00 seconds". moto's Step Functions interpreter takes a function error's errorType as the
  state's error name, so the ASL sees `Sandbox.Timedout` (as in AWS): `States.ALL` catches it,
  `States.Timeout` does not (that is the state's own TimeoutSeconds);
- the import (Lambda's init) has its own limit of INIT_SECONDS, and the Timeout counts from its end;
- each invocation's peak RSS is measured: the child's VmHWM, which it reports with its answer
  and which is sampled while it runs (for a child that is killed). Not wait4's ru_maxrss: exec
  carries the parent's high-water mark into it, so children of a moto process holding GBs of
  objects reported GBs (measured: an empty handler showed the pytest process's 78 MB);
- optionally (`memory_cap=True` or `KLUIS_LOCAL_MEMORY_CAP=1`) the child's address space is capped
  at the function's MemorySize (RLIMIT_AS); exceeding it raises MemoryError in the handler;
- a child that dies without answering fails as `Runtime.ExitError`, as Lambda reports a crash.

Every invocation, either way, is recorded in `Runtime.calls` as an `Invocation`.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.awslambda.models import LambdaFunction

from infra.local.invoke import READY, LocalContext, error_payload, load_handler, peak_rss_bytes

__all__ = ["INIT_SECONDS", "Invocation", "LocalContext", "LocalFunction", "Runtime"]

ROOT = Path(__file__).resolve().parents[2]
INIT_SECONDS = 10.0  # Lambda's limit on a function's init phase
SAMPLE_SECONDS = 0.1  # how often a running child's peak RSS is sampled
ISOLATE_ENV = "KLUIS_LOCAL_ISOLATE"
MEMORY_CAP_ENV = "KLUIS_LOCAL_MEMORY_CAP"


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    memory: int
    timeout: int
    # The function's own variables; None: this process's environment (where the local stack has
    # put every function's variables, which template.yaml keeps consistent).
    environment: dict[str, str] | None = None
    # Told of each (re)load of the handler (a cold start): see `Runtime.load_hooks`.
    on_load: Callable[[LocalFunction, Callable[[Any, Any], Any]], None] | None = None
    _function: Callable[[Any, Any], Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _load(self) -> Callable[[Any, Any], Any]:
        with self._lock:
            if self._function is None:
                self._function = load_handler(
                    self.code_dir, self.handler, f"kluis_function_{self.logical_id}"
                )
                if self.on_load is not None:
                    self.on_load(self, self._function)
            return self._function

    def call(self, event: Any) -> Any:
        context = LocalContext(self.name, self.memory, self.arn, self.timeout)
        return self._load()(event, context)

    def spec(self, *, memory_cap: bool) -> dict[str, Any]:
        return {
            "logical_id": self.logical_id,
            "name": self.name,
            "arn": self.arn,
            "code_dir": str(self.code_dir),
            "handler": self.handler,
            "memory": self.memory,
            "timeout": self.timeout,
            "memory_cap": memory_cap,
        }


@dataclass
class AsyncConfig:
    """A function's EventInvokeConfig: how often Lambda retries a failed asynchronous invocation, and
    where the failure record goes then (its OnFailure destination)."""

    retries: int
    on_failure: Callable[[dict[str, Any]], None]


@dataclass
class Invocation:
    """One invocation of a local function, as `Runtime.calls` records it."""

    logical_id: str
    start: float  # time.time() when it began
    seconds: float = 0.0
    peak_rss_bytes: int | None = None  # isolated invocations only
    aws_requests: dict[str, int] | None = None  # isolated only: requests sent, by service.Operation
    error: str | None = None  # the errorType of a failed invocation
    isolated: bool = False
    done: bool = False  # set when the invocation has returned (a job may look final before that)


@dataclass
class _Outcome:
    payload: dict[str, Any]
    failed: bool
    peak_rss_bytes: int | None = None
    aws_requests: dict[str, int] | None = None


class Runtime:
    """The registry of local functions and the patch that routes moto's invocations to them."""

    def __init__(self, isolate: Iterable[str] | str | None = None, memory_cap: bool | None = None) -> None:
        self.functions: dict[str, LocalFunction] = {}
        self.calls: list[Invocation] = []
        # Each is called with (function, handler) when a handler module is loaded in this process,
        # before its first invocation: tests/policy/recording.py watches the AWS calls it makes.
        self.load_hooks: list[Callable[[LocalFunction, Callable[[Any, Any], Any]], None]] = []
        self.asynchronous: dict[str, AsyncConfig] = {}  # by logical id
        # The access key of each function's role (logical id -> key id), as Lambda puts the role's
        # credentials in the function's environment; the secret is the stack's. Set by the stack:
        # infra.local.enforcement answers each function's calls under its role.
        self.access_keys: dict[str, str] = {}
        self.secret_key = ""
        if isolate is None:
            isolate = os.environ.get(ISOLATE_ENV, "")
        if isinstance(isolate, str):
            isolate = [part for part in (p.strip() for p in isolate.split(",")) if part]
        self.isolate: set[str] = set(isolate)
        if memory_cap is None:
            memory_cap = os.environ.get(MEMORY_CAP_ENV, "").lower() in ("1", "true", "yes")
        self.memory_cap = memory_cap
        self._original = LambdaFunction.invoke

    def register(self, function: LocalFunction) -> None:
        function.on_load = self._loaded
        self.functions[function.name] = function

    def _loaded(self, function: LocalFunction, handler: Callable[[Any, Any], Any]) -> None:
        self._give_role(function, handler)
        for hook in self.load_hooks:
            hook(function, handler)

    def _give_role(self, function: LocalFunction, handler: Callable[[Any, Any], Any]) -> None:
        """The handler's session signs with its role's key, before it makes its first client. In
        this process every function shares one environment, so the key is set on the session."""
        key = self.access_keys.get(function.logical_id)
        if key is None:
            return
        resources = inspect.unwrap(handler).__globals__.get("resources")
        if resources is None:
            raise RuntimeError(
                f"{function.logical_id}: its handler module has no `resources` to give its role to"
            )
        resources.session._session.set_credentials(key, self.secret_key)

    def cold_start(self) -> None:
        """Every function starts cold at its next invocation, reading its settings anew.

        What Lambda does after a function's configuration changes; `LocalStack.configure` uses it.
        """
        for function in self.functions.values():
            with function._lock:
                function._function = None

    def by_logical_id(self, logical_id: str) -> LocalFunction:
        return next(f for f in self.functions.values() if f.logical_id == logical_id)

    def is_isolated(self, local: LocalFunction) -> bool:
        return "*" in self.isolate or local.logical_id in self.isolate

    def install(self) -> None:
        runtime = self

        def invoke(fn: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> bytes:
            local = runtime.functions.get(fn.function_name)
            if local is None:
                return runtime._original(fn, body, request_headers, response_headers)
            # moto's S3 notifications invoke with no request headers; the Lambda API says Event.
            asynchronous = not request_headers or request_headers.get("X-Amz-Invocation-Type") == "Event"
            if asynchronous and local.logical_id in runtime.asynchronous:
                return runtime.invoke_async(local, body, response_headers)
            return runtime.invoke(local, body, response_headers)

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]

    def uninstall(self) -> None:
        LambdaFunction.invoke = self._original  # type: ignore[method-assign]

    def invoke(self, local: LocalFunction, body: str | dict[str, Any], response_headers: Any) -> bytes:
        event = json.loads(body) if isinstance(body, str) and body else (body or {})
        isolated = self.is_isolated(local)
        record = Invocation(local.logical_id, time.time(), isolated=isolated)
        self.calls.append(record)
        started = time.perf_counter()
        outcome = self._in_child(local, event) if isolated else self._in_process(local, event)
        record.seconds = time.perf_counter() - started
        record.peak_rss_bytes = outcome.peak_rss_bytes
        record.aws_requests = outcome.aws_requests
        if outcome.failed:
            record.error = str(outcome.payload.get("errorType", "Unknown"))
            response_headers["x-amz-function-error"] = "Unhandled"
        record.done = True
        return json.dumps(outcome.payload).encode()

    def invoke_async(self, local: LocalFunction, body: str | dict[str, Any], response_headers: Any) -> bytes:
        """An asynchronous invocation as Lambda makes it: retried on a function error, then the failure
        record (Lambda's destination record format) goes to the OnFailure destination."""
        config = self.asynchronous[local.logical_id]
        attempts = 0
        while True:
            attempts += 1
            answer = self.invoke(local, body, headers := {})
            if "x-amz-function-error" not in headers:
                return answer
            if attempts > config.retries:
                break
        config.on_failure(
            {
                "version": "1.0",
                "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                "requestContext": {
                    "requestId": str(uuid.uuid4()),
                    "functionArn": f"{local.arn}:$LATEST",
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": attempts,
                },
                "requestPayload": json.loads(body) if isinstance(body, str) and body else body,
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": "Unhandled",
                },
                "responsePayload": json.loads(answer),
            }
        )
        response_headers["x-amz-function-error"] = "Unhandled"
        return answer

    # -- in this process ------------------------------------------------------------------------
    @staticmethod
    def _in_process(local: LocalFunction, event: Any) -> _Outcome:
        try:
            result = local.call(event)
        except Exception as error:  # a Lambda reports any exception as a function error
            return _Outcome(error_payload(error), failed=True)
        return _Outcome(result, failed=False)

    # -- in a child process -------------------------------------------------------------------------
    def child_environment(self, local: LocalFunction) -> dict[str, str]:
        # glibc malloc tuning of this (host) process is not the function's: a Lambda runs with the
        # defaults, and its memory figures should be the defaults' figures.
        env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
        if local.environment is not None:
            env.update(local.environment)
        paths = [str(ROOT), str(ROOT / "layers" / "kluis")]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env.update(
            {
                "PYTHONPATH": os.pathsep.join(paths),
                "AWS_LAMBDA_FUNCTION_NAME": local.name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(local.memory),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if local.logical_id in self.access_keys:  # its role's credentials, as Lambda gives them
            env.update(
                AWS_ACCESS_KEY_ID=self.access_keys[local.logical_id], AWS_SECRET_ACCESS_KEY=self.secret_key
            )
        if self.memory_cap:  # few malloc arenas: their reserved address space counts against RLIMIT_AS
            env["MALLOC_ARENA_MAX"] = "2"
        return env

    def _in_child(self, local: LocalFunction, event: Any) -> _Outcome:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local.invoke", json.dumps(local.spec(memory_cap=self.memory_cap))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.child_environment(local),
            cwd=ROOT,
        )
        child = _Child(process)
        child.start(json.dumps(event).encode())
        if not child.ready.wait(INIT_SECONDS) and not child.exited.is_set():
            child.kill()
            return child.outcome(_timed_out(local, INIT_SECONDS))
        if not child.exited.wait(local.timeout):
            child.kill()
            return child.outcome(_timed_out(local, local.timeout))
        return child.outcome(None)


class _Child:
    """A running invocation: feeds stdin, reads stdout and stderr, samples its peak RSS, reaps it."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.ready = threading.Event()
        self.exited = threading.Event()
        self.lines: list[str] = []
        self.stderr_tail: deque[str] = deque(maxlen=40)
        self.status = 0
        self.peak_rss_bytes: int | None = None
        self._threads: list[threading.Thread] = []

    def start(self, event: bytes) -> None:
        for target, args in (
            (self._feed, (event,)),
            (self._read_stdout, ()),
            (self._read_stderr, ()),
            (self._reap, ()),
            (self._sample, ()),
        ):
            thread = threading.Thread(target=target, args=args, daemon=True, name="kluis-invoke")
            thread.start()
            self._threads.append(thread)

    def _feed(self, event: bytes) -> None:
        assert self.process.stdin
        try:
            self.process.stdin.write(event)
            self.process.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # the child died first; its outcome says why

    def _read_stdout(self) -> None:
        assert self.process.stdout
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line == READY and not self.ready.is_set():
                self.ready.set()
            else:
                self.lines.append(line)
        self.ready.set()

    def _read_stderr(self) -> None:
        assert self.process.stderr
        for raw in self.process.stderr:
            text = raw.decode("utf-8", "replace")
            self.stderr_tail.append(text)
            sys.stderr.write(text)  # the function's logs, as CloudWatch would have them

    def _reap(self) -> None:
        # Reaped here, so Popen must not wait for it again. (wait4's ru_maxrss of the child is not
        # its own peak: exec inherits the parent's high-water mark; hence VmHWM.)
        _, status, _usage = os.wait4(self.process.pid, 0)
        self.status = os.waitstatus_to_exitcode(status)
        self.process.returncode = self.status
        self.exited.set()

    def _sample(self) -> None:
        """The child's VmHWM while it runs: what a killed child leaves as its peak."""
        while not self.exited.wait(SAMPLE_SECONDS):
            sampled = peak_rss_bytes(self.process.pid)
            if sampled and not self.exited.is_set():
                self.peak_rss_bytes = max(self.peak_rss_bytes or 0, sampled)

    def kill(self) -> None:
        # Not reaped yet, so the pid is still this child's. os.kill, not Popen.kill: that polls,
        # and reaping there would race with _reap.
        if not self.exited.is_set():
            sampled = peak_rss_bytes(self.process.pid)
            self.peak_rss_bytes = max(self.peak_rss_bytes or 0, sampled or 0) or None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)

    def outcome(self, forced: dict[str, Any] | None) -> _Outcome:
        self.exited.wait()
        for thread in self._threads:
            thread.join(timeout=5)
        if forced is not None:
            return _Outcome(forced, failed=True, peak_rss_bytes=self.peak_rss_bytes)
        answer = next((line for line in reversed(self.lines) if line.startswith("{")), None)
        if answer is None:
            reason = f"signal: {-self.status}" if self.status < 0 else f"exit status {self.status}"
            payload = {
                "errorType": "Runtime.ExitError",
                "errorMessage": f"RequestId: {uuid.uuid4()} Error: Runtime exited with error: {reason}",
                "stackTrace": list(self.stderr_tail)[-5:],
            }
            return _Outcome(payload, failed=True, peak_rss_bytes=self.peak_rss_bytes)
        decoded = json.loads(answer)
        self.peak_rss_bytes = decoded.get("peak_rss_bytes") or self.peak_rss_bytes
        requests = decoded.get("aws_requests")
        if "error" in decoded:
            return _Outcome(decoded["error"], True, self.peak_rss_bytes, requests)
        return _Outcome(decoded["result"], False, self.peak_rss_bytes, requests)


def _timed_out(local: LocalFunction, seconds: float) -> dict[str, Any]:
    return {"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {seconds:.2f} seconds"}
