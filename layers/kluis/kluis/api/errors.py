"""The one map from a failure to an answer: every 4xx (and the rare 5xx) has the same body.

    {"message": <English text>, "reasonCode": <code>, "reasonParams": {...}}

plus, for a request that failed validation, `errors`: each field and what is wrong with it, as a
reason of its own. Failures map by class: a `KluisError` carries its code and HTTP status.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError, UnauthorizedError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from kluis.errors import KluisError, Reason

logger = Logger(child=True)

# Pydantic's error types, as the reasons a person reads ("what is wrong, in words").
FIELD_REASONS = {
    "missing": "request.field_missing",
    "extra_forbidden": "request.field_unexpected",
    "bool_type": "request.field_not_boolean",
    "string_type": "request.field_not_text",
    "list_type": "request.field_not_list",
    "model_type": "request.field_not_object",
    "model_attributes_type": "request.field_not_object",
    "dict_type": "request.field_not_object",
}


def answer(status: int, reason: Reason, **extra: Any) -> Response[dict[str, Any]]:
    body = reason.as_dict() | extra
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def field_reason(error: dict[str, Any]) -> Reason:
    """One validation error of a request as a reason: the field's path and what is wrong with it."""
    where = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    field = ".".join(where) or "body"
    kind = str(error.get("type", ""))
    limit = (error.get("ctx") or {}).get("max_length") or (error.get("ctx") or {}).get("min_length")
    if kind == "string_too_long":
        return Reason("request.field_too_long", {"field": field, "limit": int(limit or 0)})
    if kind == "string_too_short":
        return Reason("request.field_empty", {"field": field})
    if kind == "too_short":
        return Reason("request.field_too_few", {"field": field, "limit": int(limit or 0)})
    if kind == "too_long":
        return Reason("request.field_too_many", {"field": field, "limit": int(limit or 0)})
    if field == "body" and kind == "missing":
        return Reason("request.missing_body")
    return Reason(FIELD_REASONS.get(kind, "request.field_invalid"), {"field": field})


def register(app: ApiGatewayResolver) -> None:
    """Install the map on `app`."""

    @app.exception_handler(KluisError)
    def kluis_error(error: KluisError) -> Response[dict[str, Any]]:
        response = answer(error.http_status, error.reason, **_extras(error))
        retry_after = getattr(error, "retry_after", None)
        if isinstance(retry_after, int):  # a limit: HTTP's own way to say when to come back
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[dict[str, Any]]:
        reasons = [field_reason(detail) for detail in error.errors()]
        first = reasons[0] if reasons else Reason("request.body_not_json")
        return answer(422, first, errors=[reason.as_dict() for reason in reasons])

    @app.exception_handler(UnauthorizedError)
    def unauthorized(error: UnauthorizedError) -> Response[dict[str, Any]]:
        return answer(401, Reason("request.unauthorized"))

    @app.exception_handler(NotFoundError)
    def not_found(error: NotFoundError) -> Response[dict[str, Any]]:
        return answer(404, Reason("request.not_found"))

    @app.exception_handler(ServiceError)
    def service_error(error: ServiceError) -> Response[dict[str, Any]]:
        return answer(error.status_code, Reason("request.fault"))


def _extras(error: KluisError) -> dict[str, Any]:
    """What some answers add for clients that act on them (the attempts left after a wrong code)."""
    attempts = getattr(error, "attempts_left", None)
    return {"attemptsLeft": attempts} if isinstance(attempts, int) else {}
