"""One Lambda invocation in a child process of its own: the isolated mode of the local runtime.

    python -m infra.local.invoke '<function spec JSON>'  < event.json  > outcome

The parent (infra.local.lambdas.Runtime) starts this with the function's environment and passes
the function (code_dir, handler, name, arn, memory, timeout, memory_cap) as the one argument and
the event as JSON on stdin. The protocol on stdout, one line each:

    READY                                  after the handler's module is imported (Lambda's init)
    {"result": <the handler's return>}     or
    {"error": {"errorType", "errorMessage", "stackTrace"}}

each with "peak_rss_bytes": the child's own peak resident memory (VmHWM, see `peak_rss_bytes`), and
"aws_requests": the AWS requests it sent, by `service.Operation` (`infra.local.s3_latency`). With
KLUIS_LOCAL_S3_LATENCY_MS set, every S3 request first waits that long (the bench's latency model).

Anything the handler prints or logs (Powertools logs to stdout) is moved to stderr, so stdout
carries the protocol only. The process exits right after answering, without waiting for stray
threads, as a Lambda sandbox is frozen once the handler returns.

This module imports neither moto nor the local stack, so a child's peak RSS is the function's own.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.s3_latency import LATENCY_ENV
from infra.local.s3_latency import install as install_s3_latency

READY = "READY"


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


def load_handler(code_dir: Path, handler: str, module_name: str) -> Callable[[Any, Any], Any]:
    """The function named by a template's Handler (`file.function`) in `code_dir`."""
    file_name, function_name = handler.rsplit(".", 1)
    path = Path(code_dir) / f"{file_name}.py"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec and spec.loader, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function_name)


def error_payload(error: BaseException) -> dict[str, Any]:
    """How Lambda reports an exception: the shape Step Functions' Retry/Catch match on."""
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error)[-5:],
    }


def cap_memory(megabytes: int) -> None:
    """Limit the address space to the function's MemorySize (a stand-in for Lambda's cgroup).

    Address space, not RSS: it counts reserved but untouched memory too (thread stacks, malloc
    arenas), so the runtime starts a capped child with MALLOC_ARENA_MAX=2 to keep that reserve small.
    """
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def peak_rss_bytes(pid: int | str = "self") -> int | None:
    """VmHWM, the peak resident set of a process's *current* memory map (Linux), in bytes.

    Not getrusage's/wait4's ru_maxrss: exec carries the high-water mark of the memory map it
    replaces into ru_maxrss, so a child spawned by a 9 GB moto process would report 9 GB.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def main(argv: list[str] | None = None) -> None:
    spec = json.loads((argv or sys.argv[1:])[0])
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the handler's prints and logs go to stderr, at the C level too
    sys.stdout = sys.stderr

    # Before the handler's module makes its boto3 sessions: they pick the hook up when created.
    requests = install_s3_latency(float(os.environ.get(LATENCY_ENV) or 0))

    def answer(outcome: dict[str, Any]) -> None:
        measured = {"peak_rss_bytes": peak_rss_bytes(), "aws_requests": requests.snapshot()}
        try:
            line = json.dumps(outcome | measured)
        except (TypeError, ValueError) as error:  # a result Lambda could not serialize either
            line = json.dumps({"error": error_payload(error)} | measured)
        protocol.write(line + "\n")
        protocol.flush()
        sys.stderr.flush()
        os._exit(0)

    if spec.get("memory_cap"):
        cap_memory(int(spec["memory"]))
    event = json.loads(sys.stdin.read() or "{}")
    try:
        function = load_handler(
            Path(spec["code_dir"]), spec["handler"], f"kluis_function_{spec['logical_id']}"
        )
    except Exception as error:  # Lambda's init error: the invocation fails with it
        answer({"error": error_payload(error)})
    protocol.write(READY + "\n")
    protocol.flush()
    context = LocalContext(spec["name"], int(spec["memory"]), spec["arn"], int(spec["timeout"]))
    try:
        result = function(event, context)
    except Exception as error:
        answer({"error": error_payload(error)})
    answer({"result": result})


if __name__ == "__main__":
    main()
