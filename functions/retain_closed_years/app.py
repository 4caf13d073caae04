"""Scheduled: every closed fiscal year (and every change to one) gets its retention archive.
See kluis.flows.retention.ClosedYears."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(
        require=(
            "DATA_BUCKET",
            "RETENTION_BUCKET",
            "JOBS_TABLE",
            "BACKUP_STATE_MACHINE_ARN",
            "RETENTION_YEARS",
        )
    )
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = resources.settings.time_budget(context.get_remaining_time_in_millis(), "build")
    report = resources.closed_years.run(budget)
    record("ClosedYearsStarted", Unit.Count, len(report.started))
    logger.info(
        "closed years looked at",
        extra={
            "started": len(report.started),
            "looked_at": report.walked.visited,
            "unfinished": report.walked.unfinished,
        },
    )
    return asdict(report)
