"""Step `Make` of the auditfile state machine: an XAF 4.0 auditfile made from a backup's or a retained
archive's records, verified against its signed manifest, into the archives bucket; then the job is
ready. See kluis.flows.auditfiles."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.jobs.model import AuditfileJob
from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.runtime.steps import job_step
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(require=("ARCHIVES_BUCKET", "RETENTION_BUCKET", "JOBS_TABLE", "MAC_KEY_ID"))
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with job_step(logger, resources.jobs, event, AuditfileJob) as job:
        job = resources.auditfiles.make(job)
    made = job.auditfile
    if made is not None:
        record("AuditfilesMade")
        record("AuditfileBytes", Unit.Bytes, made.size)
    logger.info(
        "auditfile made", extra={"size": made.size if made else None, "sha256": made.sha256 if made else None}
    )
    return {"status": str(job.status)}
