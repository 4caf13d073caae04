"""Our Lambda handlers, run in-process where AWS would run them.

moto's Lambda runs code in Docker, which we do not have; instead every invocation of one of our
functions (by Step Functions, by an S3 notification, or by boto3's `invoke`) is routed to the
handler named by template.yaml's CodeUri/Handler, in this process, with a Lambda-like context. A
raised exception becomes an `Unhandled` function error whose errorType is the exception's class
name, exactly the shape Step Functions' Retry/Catch match on.

What this does not emulate: the function's timeout is reported by the context but not enforced.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from moto.awslambda.models import LambdaFunction


@dataclass
class LocalContext:
    """The parts of the Lambda context object our handlers (and Powertools) use."""

    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    memory: int
    timeout: int
    _module: ModuleType | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _load(self) -> ModuleType:
        with self._lock:
            if self._module is None:
                file_name, _ = self.handler.rsplit(".", 1)
                path = self.code_dir / f"{file_name}.py"
                spec = importlib.util.spec_from_file_location(f"kluis_function_{self.logical_id}", path)
                assert spec and spec.loader, f"cannot load {path}"
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self._module = module
            return self._module

    def call(self, event: Any) -> Any:
        function = getattr(self._load(), self.handler.rsplit(".", 1)[1])
        context = LocalContext(self.name, self.memory, self.arn, self.timeout)
        return function(event, context)


class Runtime:
    """The registry of local functions and the patch that routes moto's invocations to them."""

    def __init__(self) -> None:
        self.functions: dict[str, LocalFunction] = {}
        self.calls: list[tuple[str, float]] = []
        self._original = LambdaFunction.invoke

    def register(self, function: LocalFunction) -> None:
        self.functions[function.name] = function

    def by_logical_id(self, logical_id: str) -> LocalFunction:
        return next(f for f in self.functions.values() if f.logical_id == logical_id)

    def install(self) -> None:
        runtime = self

        def invoke(fn: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> bytes:
            local = runtime.functions.get(fn.function_name)
            if local is None:
                return runtime._original(fn, body, request_headers, response_headers)
            return runtime.invoke(local, body, response_headers)

        LambdaFunction.invoke = invoke  # type: ignore[method-assign]

    def uninstall(self) -> None:
        LambdaFunction.invoke = self._original  # type: ignore[method-assign]

    def invoke(self, local: LocalFunction, body: str | dict[str, Any], response_headers: Any) -> bytes:
        event = json.loads(body) if isinstance(body, str) and body else (body or {})
        self.calls.append((local.logical_id, time.time()))
        try:
            result = local.call(event)
        except Exception as error:  # a Lambda reports any exception as a function error
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-5:],
            }
            return json.dumps(payload).encode()
        return json.dumps(result).encode()
