"""/administrations: a customer's administrations and fiscal years, their facts, their backups and jobs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import BaseModel, ConfigDict, Field

from kluis.api.auth import customer, resources_of
from kluis.api.routes.jobs import show_downloadable, with_undo
from kluis.api.trail import audited, subject
from kluis.audit import Action
from kluis.flows.backup.start import start_backup
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import RestoreJob
from kluis.scope import NoSuchScope, Scope

logger = Logger(child=True)
router = Router()


class BackupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    includeDocuments: bool = Field(
        default=False,
        description="Also put the PDF documents in the archive (needed to move an administration).",
    )


@router.get("/administrations")
def list_administrations() -> dict[str, Any]:
    pairs = resources_of(router).store.administrations(customer(router))
    return {"administrations": [{"administration": a, "year": y} for a, y in pairs]}


@router.get("/administrations/<administration>/years/<year>")
def show_administration(administration: str, year: str) -> dict[str, Any]:
    resources = resources_of(router)
    scope = Scope(customer(router), administration, year)
    head = resources.store.head(scope)
    if head is None:
        raise NoSuchScope(administration=administration, year=year)
    return {
        "administration": administration,
        "year": year,
        "liveSince": head.flipped_at,
        "pendingProposals": len([p for p in resources.store.proposals(scope) if p.name.endswith(".pdf")]),
    }


@router.post("/administrations/<administration>/years/<year>/backups")
def create_backup(administration: str, year: str, request: BackupRequest) -> Response[dict[str, Any]]:
    resources = resources_of(router)
    scope = Scope(customer(router), administration, year)
    with audited(router, Action.BACKUP_REQUESTED, scope) as trail:
        job = start_backup(
            resources.store,
            resources.jobs,
            resources.stepfunctions,
            resources.settings.given(resources.settings.backup_state_machine_arn, "BACKUP_STATE_MACHINE_ARN"),
            scope,
            include_documents=request.includeDocuments,
            requested_by=subject(router),
            limits=resources.limits,
        )
        trail.job_id = job.job_id
    logger.info("backup queued", extra={"job": job.job_id, "scope": str(scope)})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())


@router.get("/administrations/<administration>/years/<year>/jobs")
def administration_jobs(administration: str, year: str) -> dict[str, Any]:
    resources = resources_of(router)
    scope = Scope(customer(router), administration, year)
    jobs = resources.jobs.recent(scope.customer, scope.administration, scope.year)
    retention = resources.settings.archive_retention_days
    views = [(job, job.view() if isinstance(job, RestoreJob) else job.view(retention)) for job in jobs]
    for job, view in views:
        show_downloadable(job, view, retention)  # no link: GET /jobs/{id}/download issues one
    with_undo(
        resources,
        [(job, view) for job, view in views if isinstance(job, RestoreJob) and job.status is Status.RESTORED],
    )
    return {"jobs": [view for _, view in views]}
