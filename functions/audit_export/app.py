"""Scheduled: export each customer's new audit-log records to the Object Lock audit bucket."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.logs import invocation
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("JOBS_TABLE", "AUDIT_BUCKET")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    exported = resources.audit_export.run()
    logger.info("audit log exported", extra={"customers": len(exported), "records": sum(exported.values())})
    return {"exported": exported}
