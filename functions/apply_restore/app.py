"""Step `Apply`: lock the administration/year, verify the staged generation, flip HEAD, release."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.lifecycle import Status
from kluis.jobs.model import RestoreJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("DATA_BUCKET", "UPLOADS_BUCKET", "JOBS_TABLE")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with job_step(logger, resources.jobs, event, RestoreJob) as job:
        job = resources.apply.apply(job, lambda: context.get_remaining_time_in_millis() / 1000)
    if job.status is Status.RESTORED:
        record("RestoresApplied")
        record("RestoreSeconds", Unit.Seconds, job.seconds_since_created())
    logger.info("restored", extra={"generation": job.restored.generation if job.restored else None})
    return {"status": str(job.status)}
