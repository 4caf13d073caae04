"""Step `Validate`: prove the upload safe and ours while staging it into a generation nothing reads."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import RestoreJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(require=("DATA_BUCKET", "UPLOADS_BUCKET", "JOBS_TABLE", "MAC_KEY_ID"))
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with job_step(logger, resources.jobs, event, RestoreJob) as job:
        if job.undo_of:  # an undo: its "file" is the generation the restore replaced
            result = resources.undo.prepare(job)
        else:
            budget = resources.settings.time_budget(context.get_remaining_time_in_millis(), "stage")
            result = resources.staging.stage(job, budget)
    if result.done:
        record("RestoresValidated" if result.accepted else "RestoresRejected")
    logger.info("validate step ended", extra={"done": result.done, "accepted": result.accepted})
    return {"done": result.done, "accepted": result.accepted}
