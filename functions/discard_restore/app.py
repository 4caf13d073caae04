"""Step `Discard`: a restore that timed out, was cancelled or got too many wrong codes changes nothing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import RestoreJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import dimension, record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("DATA_BUCKET", "UPLOADS_BUCKET", "JOBS_TABLE")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    error = str((event.get("error") or {}).get("Error", ""))
    with job_step(logger, resources.jobs, event, RestoreJob) as job:
        job = resources.cleanup.discard(job, error)
    dimension("Outcome", str(job.status))
    record("RestoresDiscarded")
    logger.info("restore discarded", extra={"error": error, "status": str(job.status)})
    return {"status": str(job.status)}
