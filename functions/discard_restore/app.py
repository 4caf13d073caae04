"""Step `Discard`: a restore that timed out, was cancelled or got too many wrong codes changes nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.resources import Resources

logger = Logger()
resources = Resources()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    job = resources.jobs.get(event["customer"], event["jobId"])
    error = str((event.get("error") or {}).get("Error", ""))
    job = resources.restores.discard(job, error)
    logger.info("restore discarded", extra={"job": job.job_id, "error": error, "status": str(job.status)})
    return {"status": str(job.status)}
