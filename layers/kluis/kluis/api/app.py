"""The resolver: every Router, the error map, and the checks on a request before any route sees it."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.api import errors
from kluis.api.routes import administrations, jobs, restores, system_restore_requests
from kluis.errors import Reason
from kluis.runtime.resources import Resources

app = APIGatewayHttpResolver(enable_validation=True)
for routes in (administrations, jobs, restores, system_restore_requests):
    app.include_router(routes.router)
errors.register(app)


def resolve(event: dict[str, Any], context: LambdaContext, resources: Resources) -> dict[str, Any]:
    refused = _refused_media_type(event)
    if refused is not None:
        return refused
    app.append_context(resources=resources)
    return app.resolve(event, context)


def _refused_media_type(event: dict[str, Any]) -> dict[str, Any] | None:
    """A body in another media type is refused before Powertools parses it (found by schemathesis:
    multipart/form-data without a boundary made the body parser raise, a 500)."""
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if (
        not event.get("body")
        or not media_type
        or media_type == "application/json"
        or media_type.endswith("+json")
    ):
        return None
    return {
        "statusCode": 415,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(Reason("request.media_type").as_dict()),
    }
