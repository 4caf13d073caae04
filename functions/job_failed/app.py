"""Step `RecordFailure`: put a readable reason on the job and remove any half-made work."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.flows.failures import technical_message
from kluis.runtime.logs import invocation, log_keys
from kluis.runtime.metrics import record
from kluis.runtime.resources import Resources
from kluis.settings import Settings
from kluis.transient import retried_by_the_state_machine

logger = Logger()
resources = Resources(
    Settings.from_env(require=("DATA_BUCKET", "ARCHIVES_BUCKET", "UPLOADS_BUCKET", "JOBS_TABLE"))
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    log_keys(logger, job=event["jobId"])
    error = event.get("error") or {}
    name, cause = str(error.get("Error", "")), error.get("Cause")
    logger.error("job failed", extra={"error": name, "detail": technical_message(cause)})
    with retried_by_the_state_machine():
        status = resources.failures.record(event["customer"], event["jobId"], name, cause)
    record("JobsFailed")
    return {"status": str(status)}
