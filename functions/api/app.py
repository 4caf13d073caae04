"""The HTTP API: template.yaml's HttpApi routes, resolved by `kluis.api`.

The customer (tenant) comes from the JWT's claims only, never from a path, a body or a file name.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.api.app import resolve
from kluis.runtime.logs import invocation
from kluis.runtime.resources import Resources
from kluis.settings import Settings

logger = Logger()
resources = Resources(
    Settings.from_env(
        require=(
            "DATA_BUCKET",
            "ARCHIVES_BUCKET",
            "UPLOADS_BUCKET",
            "JOBS_TABLE",
            "BACKUP_STATE_MACHINE_ARN",
            "RESTORE_STATE_MACHINE_ARN",
        )
    )
)


@invocation(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(event, context, resources)
