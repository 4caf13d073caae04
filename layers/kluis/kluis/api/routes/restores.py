"""/restores: a restore's upload slot (one presigned POST, or an upload in parts for a large file), its
verification code typed back, and its cancel."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from kluis.api.auth import customer, resources_of
from kluis.api.trail import Trail, audited, record, subject
from kluis.audit import Action, Outcome
from kluis.flows.restore.confirmation import WrongCode
from kluis.flows.restore.uploads import MAX_PARTS, PARTS_PER_REQUEST

logger = Logger(child=True)
router = Router()


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(
        min_length=1, max_length=20, description="The verification code shown with the restore."
    )


class CreateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    size: int | None = Field(
        None,
        ge=1,
        description="The file's size in bytes: a file above the threshold is uploaded in parts; "
        "without it, one POST (up to 5 GB).",
    )


class PartsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    parts: list[Annotated[int, Field(ge=1, le=MAX_PARTS)]] = Field(
        min_length=1, max_length=PARTS_PER_REQUEST, description="Part numbers to presign an upload URL for."
    )


class SentPart(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    partNumber: int = Field(ge=1, le=MAX_PARTS)
    etag: str = Field(min_length=1, max_length=200)


class CompleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    parts: list[SentPart] = Field(
        default_factory=list,
        max_length=MAX_PARTS,
        description="The parts the client sent, with S3's ETags; the server completes from S3's own list.",
    )


@router.post("/restores")
def create_restore(request: Annotated[CreateRequest | None, Body()] = None) -> Response[dict[str, Any]]:
    resources = resources_of(router)
    size = request.size if request else None
    with audited(router, Action.RESTORE_REQUESTED) as trail:
        resources.uploads.check_size(size)
        resources.limits.restore_requested(customer(router))
        job, offer = resources.uploads.create(customer(router), subject(router), size)
        trail.job_id = job.job_id
    body = (
        job.view()
        | offer
        | {
            "maxBytes": resources.settings.max_upload_bytes,
            "uploadExpiresIn": resources.settings.upload_url_seconds,
        }
    )
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


@router.post("/restores/<job_id>/upload-parts")
def upload_part_urls(job_id: str, request: PartsRequest) -> dict[str, Any]:
    """Presigned UploadPart URLs for the given parts of a restore's upload in parts."""
    resources = resources_of(router)
    urls = resources.uploads.part_urls(customer(router), job_id, request.parts)
    return {"jobId": job_id, "parts": urls, "expiresIn": resources.settings.upload_url_seconds}


@router.get("/restores/<job_id>/upload-parts")
def uploaded_parts(job_id: str) -> dict[str, Any]:
    """The plan of a restore's upload in parts and the parts S3 holds (a reloaded page resumes)."""
    return {"jobId": job_id} | resources_of(router).uploads.uploaded_parts(customer(router), job_id)


@router.post("/restores/<job_id>/complete-upload")
def complete_upload(
    job_id: str, request: Annotated[CompleteRequest | None, Body()] = None
) -> Response[dict[str, Any]]:
    """Complete the upload in parts; its S3 event starts the restore, as a POST upload's does."""
    claimed = {part.partNumber: part.etag for part in request.parts} if request else {}
    job = resources_of(router).uploads.complete(customer(router), job_id, claimed)
    logger.info("restore upload completed", extra={"job": job.job_id})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())


@router.post("/restores/<job_id>/abort-upload")
def abort_upload(job_id: str) -> dict[str, Any]:
    """Abort a restore's upload (in parts or not): the job is cancelled, the parts removed."""
    with audited(router, Action.RESTORE_CANCEL, job_id=job_id):
        confirmations = resources_of(router).confirmations
        return confirmations.cancel(customer(router), job_id, only_upload=True).view()


@router.post("/restores/<job_id>/cancel")
def cancel_restore(job_id: str) -> dict[str, Any]:
    with audited(router, Action.RESTORE_CANCEL, job_id=job_id):
        return resources_of(router).confirmations.cancel(customer(router), job_id).view()
