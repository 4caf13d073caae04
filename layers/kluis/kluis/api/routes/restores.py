"""/restores: a restore's upload slot, its verification code typed back, and its cancel."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from kluis.api.auth import customer, resources_of
from kluis.api.trail import Trail, audited, record, subject
from kluis.audit import Action, Outcome
from kluis.flows.restore.confirmation import WrongCode

logger = Logger(child=True)
router = Router()


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(
        min_length=1, max_length=20, description="The verification code shown with the restore."
    )


@router.post("/restores")
def create_restore() -> Response[dict[str, Any]]:
    resources = resources_of(router)
    with audited(router, Action.RESTORE_REQUESTED) as trail:
        resources.limits.restore_requested(customer(router))
        job, post = resources.uploads.create(customer(router), subject(router))
        trail.job_id = job.job_id
    body = job.view() | {
        "upload": post,
        "maxBytes": resources.settings.max_upload_bytes,
        "uploadExpiresIn": resources.settings.upload_url_seconds,
    }
    logger.info("restore created", extra={"job": job.job_id})
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@router.post("/restores/<job_id>/confirm")
def confirm_restore(job_id: str, request: ConfirmRequest) -> Response[dict[str, Any]]:
    try:
        with audited(router, Action.RESTORE_CONFIRMED, job_id=job_id):
            job = resources_of(router).confirmations.confirm(customer(router), job_id, request.code)
    except WrongCode as wrong:
        record(router, Action.RESTORE_CODE_WRONG, Trail(job_id), Outcome.REFUSED, wrong.reason.code)
        raise
    logger.info("restore confirmed", extra={"job": job.job_id})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())


@router.post("/restores/<job_id>/undo")
def undo_restore(job_id: str) -> Response[dict[str, Any]]:
    """Undo a restore within its window: an undo job that waits for its verification code."""
    resources = resources_of(router)
    with audited(router, Action.RESTORE_UNDO_REQUESTED, job_id=job_id) as trail:
        resources.limits.restore_requested(customer(router))
        undo = resources.undo.request(customer(router), job_id, subject(router))
        trail.job_id, trail.administration, trail.year = undo.job_id, undo.administration, undo.year
    logger.info("undo requested", extra={"job": undo.job_id, "undoOf": job_id})
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=undo.view())


@router.post("/restores/<job_id>/cancel")
def cancel_restore(job_id: str) -> dict[str, Any]:
    with audited(router, Action.RESTORE_CANCEL, job_id=job_id):
        return resources_of(router).confirmations.cancel(customer(router), job_id).view()
