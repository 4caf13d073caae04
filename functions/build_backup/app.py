"""Step `Build` of the backup state machine: stream the archive until done or out of time."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import BackupJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(require=("DATA_BUCKET", "ARCHIVES_BUCKET", "JOBS_TABLE", "MAC_KEY_ID"))
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with job_step(logger, resources.jobs, event, BackupJob) as job:
        budget = resources.settings.time_budget(context.get_remaining_time_in_millis(), "build")
        result = resources.backup_builder.run(job, budget)
    progress = result.progress.model_dump()
    if result.done:
        record("BackupsBuilt")
        record("BackupBytes", Unit.Bytes, result.progress.bytes_total)
        record("BackupSeconds", Unit.Seconds, job.seconds_since_created())
    logger.info("build step ended", extra={"done": result.done, **progress})
    return {"done": result.done, "progress": progress}
