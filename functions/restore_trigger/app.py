"""S3 ObjectCreated on the uploads bucket: start the restore of that upload, exactly once."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes import S3Event, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.runtime.logs import invocation
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(require=("UPLOADS_BUCKET", "JOBS_TABLE", "RESTORE_STATE_MACHINE_ARN"))
)


@invocation(logger)
@event_source(data_class=S3Event)
def handler(event: S3Event, context: LambdaContext) -> dict[str, Any]:
    outcomes = {}
    for record in event.records:
        key = unquote_plus(record.s3.get_object.key)  # S3 event keys are URL-encoded
        outcome = resources.uploads.on_upload(record.s3.bucket.name, key)
        log = logger.warning if outcome == "deleted" else logger.info
        log("upload event", extra={"key": key, "outcome": outcome})
        outcomes[key] = outcome
    return outcomes
