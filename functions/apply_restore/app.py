"""Step `Apply`: lock the administration/year, verify the staged generation, flip HEAD, release."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.resources import Resources
from kluis.transient import retried_by_the_state_machine

logger = Logger()
resources = Resources()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(job=event["jobId"])
    with retried_by_the_state_machine():
        job = resources.jobs.get(event["customer"], event["jobId"])  # a lost read is transient too
        job = resources.restores.apply(job)
    logger.info("restored", extra={"generation": job.details.get("generation")})
    return {"status": str(job.status)}
