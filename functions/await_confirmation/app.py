"""Step `AwaitConfirmation` (.waitForTaskToken): store the token, make the verification code."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import RestoreJob
from kluis.runtime.logs import invocation
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("JOBS_TABLE",)))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    timeout = int(event.get("timeoutSeconds") or resources.settings.confirmation_timeout_seconds)
    with job_step(logger, resources.jobs, event, RestoreJob) as job:
        job = resources.await_confirmation.begin(job, event["taskToken"], timeout)
    logger.info("awaiting confirmation")
    return {"status": str(job.status)}
