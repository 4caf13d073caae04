"""A model of S3's latency for the local stack, and a count of every AWS request a function makes.

moto answers at once: a request costs its CPU, never waiting. Real S3 makes every request wait for its
first byte (tens of milliseconds) and gets its throughput from many requests in flight. The model:
a fixed wait before every S3 request, in the thread that sends it, so waits overlap across threads as
requests to S3 do. It is a botocore `before-send.s3` handler registered *first* in every session made
after `install` (through `botocore.handlers.BUILTIN_HANDLERS`), so it runs before anything that could
answer the request itself (moto's in-process stub), and once per HTTP attempt (retries wait again).

The same handler counts every request by `service.Operation` (all services, with or without latency),
which is how the bench knows how many requests a step made, e.g. from confirm to restored.

Used by `infra.local.invoke` (the isolated child of a function) when `KLUIS_LOCAL_S3_LATENCY_MS` is set
or requests are counted; the product's code never imports it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from botocore import handlers

LATENCY_ENV = "KLUIS_LOCAL_S3_LATENCY_MS"


class AwsRequests:
    """Requests sent so far, by `service.Operation`; thread-safe."""

    def __init__(self, s3_latency_seconds: float) -> None:
        self.s3_latency_seconds = s3_latency_seconds
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def before_send(self, event_name: str = "", **_: Any) -> None:
        # event_name: before-send.{service}.{Operation}
        _, service, operation = [*event_name.split(".", 2), "", ""][:3]
        with self._lock:
            self._counts[f"{service}.{operation}"] += 1
        if service == "s3" and self.s3_latency_seconds > 0:
            time.sleep(self.s3_latency_seconds)  # releases the GIL: waits overlap across threads
        # None: the request goes on to be sent (a non-None answer would replace the response)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))


def install(s3_latency_ms: float) -> AwsRequests:
    """Count every request, and wait `s3_latency_ms` before each S3 one, in sessions made from now on."""
    requests = AwsRequests(s3_latency_ms / 1000)
    handlers.BUILTIN_HANDLERS.insert(0, ("before-send", requests.before_send, handlers.REGISTER_FIRST))
    return requests
