"""Retention archives: ask for one of any year, see what is kept, and download it (also read-only)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from kluis.api.auth import customer, resources_of
from kluis.api.query import ScopeFilter
from kluis.api.trail import Trail, audited, record, subject
from kluis.audit import Action, Outcome
from kluis.jobs.model import is_job_id
from kluis.retention import RetentionYears, Why
from kluis.scope import Scope
from kluis.storage.retained import NoSuchRetainedArchive

logger = Logger(child=True)
router = Router()


class RetentionRequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    years: RetentionYears = Field(
        default=7,
        description="7 (the general duty of art. 52 AWR) or 10 (records of real estate).",
    )


@router.post("/administrations/<administration>/years/<year>/retention")
def request_retention(
    administration: str, year: str, request: RetentionRequestBody
) -> Response[dict[str, Any]]:
    resources = resources_of(router)
    scope = Scope(customer(router), administration, year)
    with audited(router, Action.RETENTION_REQUESTED, scope) as trail:
        job = resources.retention.request(
            scope, request.years, Why.REQUESTED, requested_by=subject(router), limits=resources.limits
        )
        trail.job_id = job.job_id
    logger.info("retention archive queued", extra={"job": job.job_id, "scope": str(scope)})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())


@router.get("/retained-archives")
def retained_archives() -> dict[str, Any]:
    """What is kept for the customer, newest first; optionally of one administration/year."""
    only = ScopeFilter.of(router)
    archives = [
        archive
        for archive in resources_of(router).retained.of_customer(customer(router))
        if only.admits(archive.administration, archive.year)
    ]
    return {"archives": [archive.view() for archive in archives]}


@router.get("/retained-archives/<archive_id>/download")
def download_retained(archive_id: str) -> dict[str, Any]:
    """A fresh link to a retained archive (a read-only token may have one: this changes nothing)."""
    resources = resources_of(router)
    if not is_job_id(archive_id):
        raise NoSuchRetainedArchive()
    archive = resources.retained.get(customer(router), archive_id)
    seconds = resources.settings.download_url_seconds
    trail = Trail(archive.archive_id, archive.manifest_sha256, archive.administration, archive.year)
    record(router, Action.RETENTION_DOWNLOAD_ISSUED, trail, Outcome.DONE)
    return archive.view() | {
        "downloadUrl": resources.retained.download_url(archive, seconds),
        "downloadUrlExpiresIn": seconds,
    }


@router.post("/retained-archives/<archive_id>/auditfile")
def request_auditfile(archive_id: str) -> Response[dict[str, Any]]:
    """Queue an XAF 4.0 auditfile made from a retained archive's records; the archive itself, under
    Object Lock, is never rewritten. A read-only sign-in may ask for it: it changes no books."""
    resources = resources_of(router)
    if not is_job_id(archive_id):
        raise NoSuchRetainedArchive()
    archive = resources.retained.get(customer(router), archive_id)
    with audited(router, Action.AUDITFILE_REQUESTED, archive.scope) as trail:
        job = resources.auditfiles.request_for_retained(archive, subject(router))
        trail.job_id = job.job_id
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())
