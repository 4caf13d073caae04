"""Each invocation's logs carry its own function, request id, cold start and job, and nobody else's.

Powertools' `inject_lambda_context` and `append_keys` keep their keys on the logger's formatter, which
every `Logger` of the service shares. In Lambda one invocation runs at a time per sandbox, so that is
harmless there; but wherever invocations share a process (the local stack runs every function's
handler in one process, several at once), a validate step's line was labelled `ApiFunction` and lost
its job id. These keys live in a context variable instead: per thread, so per invocation.

`invocation` also opens the invocation's business metrics (kluis.runtime.metrics), published when
it ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.metrics import published

R = TypeVar("R")
Handler = Callable[[Any, LambdaContext], R]


def invocation(logger: Logger) -> Callable[[Handler[R]], Handler[R]]:
    """Decorate a handler so its log lines name this invocation (what inject_lambda_context does),
    and the metrics it records are published when it ends."""

    def decorate(handler: Handler[R]) -> Handler[R]:
        cold = [True]

        @functools.wraps(handler)
        def run(event: Any, context: LambdaContext) -> R:
            logger.thread_safe_clear_keys()
            logger.thread_safe_append_keys(
                function_name=context.function_name,
                function_memory_size=context.memory_limit_in_mb,
                function_arn=context.invoked_function_arn,
                function_request_id=context.aws_request_id,
                cold_start=cold[0],
            )
            cold[0] = False
            try:
                with published():
                    return handler(event, context)
            finally:
                logger.thread_safe_clear_keys()

        return run

    return decorate


def log_keys(logger: Logger, **keys: Any) -> None:
    """Add keys (a job id, a request id) to this invocation's log lines."""
    logger.thread_safe_append_keys(**keys)
