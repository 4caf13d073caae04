"""/system-restore-requests: a customer asks for a restore from the system backups, and sees the price.

Customers only record requests; fulfilling one is the operators' (there is no route for it).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from kluis.api.auth import customer, resources_of
from kluis.api.trail import audited
from kluis.audit import Action
from kluis.flows.system_restore.requests import MAX_ITEMS, MAX_NOTE, file_request, pricing, public_view

logger = Logger(child=True)
router = Router()


class SystemRestoreItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    administration: str = Field(description="Administration number, 5 digits, e.g. 00017.")
    year: str = Field(description="Fiscal year, 4 digits, e.g. 2025.")


class SystemRestoreRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: list[SystemRestoreItem] = Field(
        min_length=1, max_length=MAX_ITEMS, description="The administration/years to restore."
    )
    pointInTime: str = Field(
        max_length=40, description="ISO 8601 with a time zone, in the past, within the retention."
    )
    note: str = Field(default="", max_length=MAX_NOTE, description="For the operator.")


@router.post("/system-restore-requests")
def file_system_restore_request(request: SystemRestoreRequestBody) -> Response[dict[str, Any]]:
    """Records the request and answers with what it costs; operators fulfil it (not this API)."""
    resources = resources_of(router)
    settings = resources.settings
    with audited(router, Action.SYSTEM_RESTORE_REQUESTED) as trail:
        filed = file_request(
            resources.requests,
            customer(router),
            [(item.administration, item.year) for item in request.items],
            request.pointInTime,
            request.note,
            price_cents=settings.system_restore_price_cents,
            retention_days=settings.noncurrent_version_retention_days,
        )
        trail.job_id = filed.request_id
    logger.info("system restore requested", extra={"request": filed.request_id, "items": len(filed.items)})
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=public_view(filed))


@router.get("/system-restore-requests")
def system_restore_requests() -> dict[str, Any]:
    resources = resources_of(router)
    settings = resources.settings
    return {
        "requests": [public_view(request) for request in resources.requests.of_customer(customer(router))],
        "pricing": pricing(settings.system_restore_price_cents, settings.noncurrent_version_retention_days),
    }
