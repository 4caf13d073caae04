"""Scheduled: remove generations nothing needs any more (neither live, nor within the undo window,
nor being staged or applied). See kluis.flows.sweeper."""

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
resources = Resources(Settings.from_env(require=("DATA_BUCKET", "JOBS_TABLE", "UNDO_WINDOW_DAYS")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    budget = resources.settings.time_budget(context.get_remaining_time_in_millis(), "build")
    report = resources.sweeper.run(budget)
    record("GenerationsRetired", Unit.Count, sum(len(g) for g in report.retired.values()))
    logger.info(
        "sweep ended",
        extra={
            "retired": sum(len(g) for g in report.retired.values()),
            "busy": len(report.busy),
            "swept": report.walked.visited,
            "unfinished": report.walked.unfinished,
        },
    )
    return asdict(report)
