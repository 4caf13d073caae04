"""Step `Retain` of the backup state machine: a built retention archive is copied under Object Lock
(COMPLIANCE, until its fiscal year's end plus 7 or 10 years) and indexed; then the job is ready.
See kluis.flows.retention."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import BackupJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(require=("DATA_BUCKET", "ARCHIVES_BUCKET", "RETENTION_BUCKET", "JOBS_TABLE"))
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with job_step(logger, resources.jobs, event, BackupJob) as job:
        job = resources.retention.retain(job)
    until = job.retained.retain_until if job.retained else None
    record("ArchivesRetained")
    logger.info("retained", extra={"retainUntil": until})
    return {"retainUntil": until}
