"""The resolver: every Router, the error map, and the gate every request passes before a route."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from kluis.api import errors
from kluis.api.auth import is_read_only
from kluis.api.gate import Refused, admit
from kluis.api.routes import administrations, audit_log, jobs, restores, retention, system_restore_requests
from kluis.errors import Reason
from kluis.runtime.resources import Resources

app = APIGatewayHttpResolver(enable_validation=True)
for routes in (administrations, audit_log, jobs, restores, retention, system_restore_requests):
    app.include_router(routes.router)
errors.register(app)


def _body_routes() -> frozenset[str]:
    """Route keys ("POST /restores/{job_id}/confirm") whose handler takes a body, from the OpenAPI
    document Powertools derives from the routes themselves."""
    paths = app.get_openapi_schema().paths or {}
    return frozenset(
        f"{method.upper()} {path}"
        for path, item in paths.items()
        for method in ("get", "post", "put", "patch", "delete")
        if getattr(item, method, None) is not None and getattr(item, method).requestBody is not None
    )


BODY_ROUTES = _body_routes()
# What a read-only sign-in (a licence that ended) may still ask for besides reading: an auditfile
# made from its own archives, which changes none of its books.
READ_ONLY_POSTS = frozenset(
    {"POST /jobs/{job_id}/auditfile", "POST /retained-archives/{archive_id}/auditfile"}
)


def resolve(event: dict[str, Any], context: LambdaContext, resources: Resources) -> dict[str, Any]:
    try:
        event = admit(event, BODY_ROUTES)
        writes = _method(event) != "GET" and event.get("routeKey") not in READ_ONLY_POSTS
        if writes and is_read_only(event, resources.settings.role_claim):
            raise Refused(403, Reason("request.read_only"))
    except Refused as refused:
        return {
            "statusCode": refused.status,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(refused.reason.as_dict()),
        }
    app.append_context(resources=resources)
    return app.resolve(event, context)


def _method(event: dict[str, Any]) -> str:
    return str(((event.get("requestContext") or {}).get("http") or {}).get("method", ""))
