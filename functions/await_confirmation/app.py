"""Step `AwaitConfirmation` (.waitForTaskToken): store the token, make the verification code."""

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
    timeout = int(event.get("timeoutSeconds") or resources.settings.confirmation_timeout_seconds)
    resources.restores.await_confirmation(job, event["taskToken"], timeout)
    logger.info("awaiting confirmation", extra={"job": job.job_id})
    return {"status": "awaiting-confirmation"}
