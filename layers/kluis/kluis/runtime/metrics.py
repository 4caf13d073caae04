"""The business figures operators watch, as CloudWatch metrics in the Embedded Metric Format.

A handler records a figure with `record("BackupsBuilt")` (or a unit and value); `invocation`
(kluis.runtime.logs) opens a fresh Powertools `EphemeralMetrics` for each invocation and publishes
what was recorded when the invocation ends, also when it fails (a failed drill is a figure too), and
nothing when nothing was. The namespace and the service dimension come from the template's
POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME.

Why not Powertools' `Metrics` and its `log_metrics` decorator: its metric set is shared by every
instance in the process, and the local stack runs several invocations of one function in one process
at once, so one invocation would publish another's figures. One `EphemeralMetrics` per invocation,
held in a context variable (per thread, so per invocation), keeps each invocation's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

_CURRENT: ContextVar[EphemeralMetrics | None] = ContextVar("kluis_metrics", default=None)

Unit = MetricUnit


@contextmanager
def published() -> Iterator[EphemeralMetrics]:
    """This invocation's metrics, published (printed as one EMF document) when the block ends."""
    metrics = EphemeralMetrics()
    token = _CURRENT.set(metrics)
    try:
        yield metrics
    finally:
        _CURRENT.reset(token)
        if metrics.metric_set:
            metrics.flush_metrics()


def record(name: str, unit: MetricUnit = MetricUnit.Count, value: float = 1) -> None:
    """Add a figure to this invocation's metrics (outside an invocation, e.g. in a tool: nothing)."""
    metrics = _CURRENT.get()
    if metrics is not None:
        metrics.add_metric(name=name, unit=unit, value=value)


def dimension(name: str, value: str) -> None:
    """Split this invocation's figures by `name` (e.g. the outcome of a restore's end)."""
    metrics = _CURRENT.get()
    if metrics is not None:
        metrics.add_dimension(name=name, value=value)
