"""Step `Build` of the backup state machine: stream the archive until done or out of time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.invocation import time_budget
from kluis.resources import Resources
from kluis.transient import retried_by_the_state_machine

logger = Logger()
resources = Resources()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(job=event["jobId"])
    with retried_by_the_state_machine():
        job = resources.jobs.get(event["customer"], event["jobId"])  # a lost read is transient too
        budget = time_budget(
            context.get_remaining_time_in_millis(),
            margin_variable="BUILD_SAFETY_MARGIN_SECONDS",
            cap_variable="BUILD_TIME_BUDGET_SECONDS",
        )
        result = resources.backup_builder.run(job, budget)
    logger.info("build step ended", extra=asdict(result))
    return {"done": result.done, "progress": asdict(result)}
