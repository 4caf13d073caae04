"""The transient faults AWS documents, answered for a chosen share of the product's requests.

moto answers every request. AWS does not: S3 asks a caller to slow down (503 SlowDown) or fails
inside (500 InternalError), DynamoDB throttles (ProvisionedThroughputExceededException,
ThrottlingException), Lambda refuses an invocation over its concurrency (429
TooManyRequestsException), Step Functions and KMS throttle their APIs (ThrottlingException). The
SDKs retry these, and Step Functions' Retry retries them for its tasks; code that does neither fails
a customer's job once in so many requests. This middleware makes the local stack answer a share of
requests (`rate`, e.g. 0.02) with one of those errors, in the service's own error shape, so botocore
raises on them what it raises on AWS, and counts what it did.

Which requests: those the product's own code signs in the `Authorization` header, that is every
function's SDK calls (under its role's key, `infra.local.enforcement.Roles`) and the Step Functions
interpreter's task calls (Lambda Invoke, DynamoDB UpdateItem). Not the requests of the browser (a
presigned URL or POST form; the page retries its uploads in parts and a user retries a download),
nor the stack's own set-up and the tests' harness (the stack's own key). A fault is answered before
the request reaches moto, so it changed nothing, as a throttled request changes nothing.

`KLUIS_LOCAL_FAULT_RATE` (0 to 1) sets the share at start (`make run FAULTS=0.02`),
`KLUIS_LOCAL_FAULT_SEED` the seed of the draws; `Faults.rate` can be changed while the stack runs.

Written by hand: moto has no fault injection, and a proxy in front of it would have to re-sign
requests; a WSGI middleware in its server sees them as they are.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from infra.local.enforcement import CREDENTIAL
from infra.local.s3_request import s3_error

RATE_ENV = "KLUIS_LOCAL_FAULT_RATE"
SEED_ENV = "KLUIS_LOCAL_FAULT_SEED"
# moto's Step Functions interpreter signs its task calls (Lambda Invoke, DynamoDB) with this key
# (moto.stepfunctions.parser.asl.utils.boto_client).
INTERPRETER_KEY = "ak"
INTERPRETER = "StepFunctions"
ATTEMPT = re.compile(r"attempt=(\d+)")
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Fault:
    """One documented transient error of a service, as the service answers it."""

    service: str
    status: int
    code: str
    message: str

    def answer(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # Every AWS answer names its request (S3 in x-amz-request-id, the JSON services in
        # x-amzn-RequestId); Step Functions quotes it in a failed task's cause.
        request_id = str(uuid.uuid4())
        if self.service == "s3":  # REST-XML, with the bucket's CORS headers like every S3 error
            head = environ.get("REQUEST_METHOD") == "HEAD"
            origin = environ.get("HTTP_ORIGIN")
            extra = [("x-amz-request-id", request_id)]
            return s3_error(
                start_response, self.status, self.code, self.message, origin, head=head, headers=extra
            )
        body, headers = self._json_body()
        reason = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error"}
        start_response(
            f"{self.status} {reason.get(self.status, 'Service Unavailable')}",
            [*headers, ("x-amzn-RequestId", request_id), ("Content-Length", str(len(body)))],
        )
        return [body]

    def _json_body(self) -> tuple[bytes, list[tuple[str, str]]]:
        if self.service == "lambda":  # REST-JSON: the code in x-amzn-ErrorType
            body = {"Type": "User", "message": self.message, "Reason": "ConcurrentInvocationLimitExceeded"}
            return json.dumps(body).encode(), [
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", self.code),
            ]
        # AWS JSON 1.0/1.1: the code in __type (botocore reads the part after '#')
        body = {"__type": self.code, "message": self.message}
        return json.dumps(body).encode(), [("Content-Type", "application/x-amz-json-1.0")]


# Each service's transient errors, as its API reference and the SDKs' retry guide name them.
FAULTS: dict[str, tuple[Fault, ...]] = {
    "s3": (
        Fault("s3", 503, "SlowDown", "Please reduce your request rate."),
        Fault("s3", 500, "InternalError", "We encountered an internal error. Please try again."),
    ),
    "dynamodb": (
        Fault(
            "dynamodb",
            400,
            "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded.",
        ),
        Fault("dynamodb", 400, "com.amazon.coral.availability#ThrottlingException", "Rate exceeded"),
    ),
    "lambda": (Fault("lambda", 429, "TooManyRequestsException", "Rate Exceeded."),),
    "states": (Fault("states", 400, "ThrottlingException", "Rate exceeded"),),
    "kms": (Fault("kms", 400, "ThrottlingException", "Rate exceeded"),),
}


@dataclass
class FaultCounts:
    """What the middleware saw and did, for a test's assertions and a closing note's figures."""

    requests: int = 0  # eligible requests (the product's own)
    retries: int = 0  # of those, SDK retries (attempt > 1 in amz-sdk-request)
    faults: Counter[str] = field(default_factory=Counter)  # "service code" -> answered
    by_caller: Counter[str] = field(default_factory=Counter)  # caller -> faults answered

    def total(self) -> int:
        return sum(self.faults.values())


class Faults:
    """WSGI middleware: a share of the product's requests answered with a transient fault."""

    def __init__(
        self,
        app: WsgiApp,
        callers: Callable[[str], str | None],
        rate: float = 0.0,
        seed: int | None = None,
    ) -> None:
        self.app = app
        self.callers = callers  # access key -> the caller's name, or None for a key not the product's
        self.rate = rate
        self.counts = FaultCounts()
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._planned: list[Planned] = []

    @classmethod
    def from_environment(cls, app: WsgiApp, callers: Callable[[str], str | None]) -> Faults:
        seed = os.environ.get(SEED_ENV)
        return cls(app, callers, rate=rate_from(os.environ.get(RATE_ENV)), seed=int(seed) if seed else None)

    def reset(self, rate: float, seed: int | None = None) -> FaultCounts:
        """Start counting afresh at `rate` (draws from `seed`); returns the counts until now."""
        with self._lock:
            counts, self.counts, self.rate = self.counts, FaultCounts(), rate
            self._random.seed(seed)
            self._planned.clear()
        return counts

    def plan(
        self,
        service: str,
        where: Callable[[dict[str, Any]], bool] = lambda environ: True,
        times: int = 1,
        fault: Fault | None = None,
        browser: bool = False,
    ) -> Planned:
        """Answer the next `times` of the product's `service` requests that `where` (given the WSGI
        environ) picks with `fault` (the service's first one by default): a test's chosen fault.
        `browser`: the requests to pick from are the browser's (a presigned URL or POST form), which
        the share never fails (the page's own retries are what such a fault tests)."""
        planned = Planned(service, where, times, fault or FAULTS[service][0], browser=browser)
        with self._lock:
            self._planned.append(planned)
        return planned

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        fault = self._draw(environ)
        if fault is None:
            return self.app(environ, start_response)
        _drain(environ)  # the connection stays usable for the client's retry
        return fault.answer(environ, start_response)

    def _browser_fault(self, environ: dict[str, Any]) -> Fault | None:
        with self._lock:
            taken = next((p for p in self._planned if p.browser and p.takes("s3", environ)), None)
            if taken is None:
                return None
            self.counts.faults[f"s3 {taken.fault.code} (browser)"] += 1
            self.counts.by_caller["browser"] += 1
        return taken.fault

    def _draw(self, environ: dict[str, Any]) -> Fault | None:
        signed = CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
        if environ.get("REQUEST_METHOD") == "OPTIONS":
            return None
        if not signed:
            return self._browser_fault(environ)
        key, service = signed.groups()
        caller = INTERPRETER if key == INTERPRETER_KEY else self.callers(key)
        if caller is None:
            return None
        attempt = ATTEMPT.search(str(environ.get("HTTP_AMZ_SDK_REQUEST", "")))
        with self._lock:
            self.counts.requests += 1
            self.counts.retries += bool(attempt and int(attempt.group(1)) > 1)
            if service not in FAULTS:
                return None
            taken = next((p for p in self._planned if not p.browser and p.takes(service, environ)), None)
            if taken is not None:
                fault = taken.fault
            elif self._random.random() < self.rate:
                fault = self._random.choice(FAULTS[service])
            else:
                return None
            self.counts.faults[f"{service} {fault.code.rsplit('#', 1)[-1]}"] += 1
            self.counts.by_caller[caller] += 1
        return fault


@dataclass
class Planned:
    """Faults planned at requests a test chooses (Faults.plan); `answered` counts those answered."""

    service: str
    where: Callable[[dict[str, Any]], bool]
    times: int
    fault: Fault
    browser: bool = False
    answered: int = 0

    def takes(self, service: str, environ: dict[str, Any]) -> bool:
        if service != self.service or self.answered >= self.times or not self.where(environ):
            return False
        self.answered += 1
        return True


def rate_from(text: str | None) -> float:
    """The share of requests to fail, from the environment variable; a clear error for a bad one."""
    if not text:
        return 0.0
    try:
        rate = float(text)
    except ValueError:
        raise ValueError(f"{RATE_ENV} must be a number from 0 to 1 (e.g. 0.02), not {text!r}") from None
    if not 0 <= rate <= 1:
        raise ValueError(f"{RATE_ENV} must be from 0 to 1 (e.g. 0.02 for 2 %), not {rate}")
    return rate


def _drain(environ: dict[str, Any]) -> None:
    stream = environ.get("wsgi.input")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    while stream is not None and length > 0:
        chunk = stream.read(min(length, 1 << 20))
        if not chunk:
            break
        length -= len(chunk)
