"""The caller's customer (the tenant): one claim of the JWT the authorizer verified, never a path,
a body or a file name."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from kluis.errors import KluisError
from kluis.runtime.resources import Resources
from kluis.scope import InvalidScope, check_customer

READ_ONLY = "read-only"  # the role claim of a sign-in that may only read (a licence that ended)


class NoCustomer(KluisError):
    default_code = "request.no_customer"
    http_status = 401


def resources_of(router: Router) -> Resources:
    """The deployment's resources, handed to every route by the resolver (see `kluis.api.app`)."""
    resources = router.context["resources"]
    assert isinstance(resources, Resources)
    return resources


def customer(router: Router) -> str:
    event = router.current_event
    assert isinstance(event, APIGatewayProxyEventV2), "the HTTP API sends payload format 2.0"
    claims = event.request_context.authorizer.jwt_claim or {}
    try:
        return check_customer(claims.get(resources_of(router).settings.customer_claim))
    except InvalidScope as error:
        raise NoCustomer() from error


def is_read_only(event: dict[str, Any], role_claim: str) -> bool:
    """The token's role claim says it may only read (checked before any route, in `kluis.api.app`)."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims") or {}
    return claims.get(role_claim) == READ_ONLY
