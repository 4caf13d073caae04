"""Which failures are worth retrying: the state machines retry `TransientError` and nothing else.

A Lambda's error name in Step Functions is its exception's class name, so a handler re-raises a
throttle, a timeout or a dropped connection as `TransientError` and the ASL Retry clause matches it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalServerError",
        "RequestTimeout",
        "KMSInternalException",
        # S3: another conditional write of the same key was in progress; "please try again".
        "ConditionalRequestConflict",
    }
)


class TransientError(Exception):
    """A failure that a retry a moment later may not meet."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | ReadTimeoutError):
        return True
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in TRANSIENT_CODES or status >= 500
    return isinstance(error, BotoCoreError) and "timeout" in type(error).__name__.lower()


@contextmanager
def retried_by_the_state_machine() -> Iterator[None]:
    """Re-raise an AWS failure worth retrying as TransientError; let every other error through."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        if is_transient(error):
            raise TransientError(str(error)) from error
        raise
