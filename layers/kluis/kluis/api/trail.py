"""The audit trail of what a caller does through the API: recorded as done, or refused with its reason.

The actor is the subject of the caller's token (`sub`), so a log shows which user of a customer did
what, not only which customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from kluis.api.auth import customer, resources_of
from kluis.audit import Action, Entry, Outcome
from kluis.errors import KluisError
from kluis.scope import Scope


@dataclass
class Trail:
    """What the action's block learns as it goes (the job it made, the backup it names)."""

    job_id: str | None = None
    manifest_sha256: str | None = None
    administration: str | None = None
    year: str | None = None


def subject(router: Router) -> str:
    event = router.current_event
    assert isinstance(event, APIGatewayProxyEventV2), "the HTTP API sends payload format 2.0"
    claims = event.request_context.authorizer.jwt_claim or {}
    return str(claims.get("sub") or "unknown")


@contextmanager
def audited(
    router: Router, action: Action, scope: Scope | None = None, job_id: str | None = None
) -> Iterator[Trail]:
    """Record `action` by the caller: done if the block completes, refused if a KluisError ends it."""
    trail = Trail(job_id=job_id)
    if scope is not None:
        trail.administration, trail.year = scope.administration, scope.year
    try:
        yield trail
    except KluisError as error:
        record(router, action, trail, Outcome.REFUSED, error.reason.code)
        raise
    record(router, action, trail, Outcome.DONE)


def record(
    router: Router, action: Action, trail: Trail, outcome: Outcome, reason_code: str | None = None
) -> None:
    resources_of(router).audit.append(
        Entry(
            customer=customer(router),
            actor=subject(router),
            action=action,
            outcome=outcome,
            administration=trail.administration,
            year=trail.year,
            job_id=trail.job_id,
            manifest_sha256=trail.manifest_sha256,
            reason_code=reason_code,
        )
    )
