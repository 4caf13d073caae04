"""Scheduled: restores that waited longer than RESTORE_UPLOAD_WAIT_SECONDS for their file expire."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.logs import invocation
from kluis.runtime.metrics import Unit, record
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(Settings.from_env(require=("JOBS_TABLE", "UPLOADS_BUCKET")))


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    sweep = resources.stale_restore_sweeper.sweep()
    record("RestoresExpiredWithoutFile", Unit.Count, len(sweep.expired))
    if sweep.expired:
        logger.warning("restores expired without their file", extra={"jobs": sweep.expired})
    return {"expired": sweep.expired, "skipped": sweep.skipped}
