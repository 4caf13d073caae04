"""Step `Validate`: prove the upload safe and ours while staging it into a generation nothing reads."""

from __future__ import annotations

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
        result = resources.restores.stage(
            job,
            time_budget(
                context.get_remaining_time_in_millis(),
                margin_variable="STAGE_SAFETY_MARGIN_SECONDS",
                cap_variable="STAGE_TIME_BUDGET_SECONDS",
            ),
        )
    logger.info("validate step ended", extra={"done": result.done, "accepted": result.accepted})
    return {"done": result.done, "accepted": result.accepted}
