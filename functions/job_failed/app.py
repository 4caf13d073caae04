"""Step `RecordFailure`: put a readable reason on the job and remove any half-made archive."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis import failures
from kluis.jobs import FINAL, Kind, Status
from kluis.resources import Resources

logger = Logger()
resources = Resources()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    job = resources.jobs.get(event["customer"], event["jobId"])
    error = event.get("error") or {}
    name, cause = str(error.get("Error", "")), error.get("Cause")
    logger.error(
        "job failed", extra={"job": job.job_id, "error": name, "detail": failures.technical_message(cause)}
    )
    if job.is_final:  # e.g. a fault in the clean-up after the job had finished: keep its outcome
        if job.kind is Kind.BACKUP and job.status is Status.READY:
            resources.backup_builder.tidy(job)  # never abandon: that would delete a ready archive
        elif job.kind is Kind.RESTORE:
            resources.restores.abandon(job)
        return {"status": str(job.status)}
    if job.kind is Kind.RESTORE:
        restored = resources.restores.abandon(job)
        if restored is not None:  # the HEAD flip had taken effect: the restore happened
            logger.info("restore had completed", extra={"job": job.job_id})
            return {"status": str(restored.status)}
    else:
        resources.backup_builder.abandon(job)
    reason = failures.describe(job.kind, job.job_id, name, cause)
    not_final = {status for status in Status if status not in FINAL}
    resources.jobs.update(job.customer, job.job_id, expect=not_final, status=Status.FAILED, reason=reason)
    return {"status": "failed"}
