"""/jobs/{id}: one job of the caller's; a ready backup whose archive has not expired yet says so
(`downloadable`, `filename`, `downloadableUntil`). /jobs/{id}/download issues a fresh download link,
only when the user asks for one: showing or polling a job issues none, so the audit log records a
`download.issued` for each download the user started, not for each look at the page."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from kluis.api.auth import customer, resources_of
from kluis.api.trail import Trail, audited, record, subject
from kluis.audit import Action, Outcome
from kluis.errors import KluisError
from kluis.flows.backup.start import download_url
from kluis.flows.restore.undo import undo_offer, window_days_shown
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import AnyJob, AuditfileJob, BackupJob, RestoreJob
from kluis.runtime.resources import Resources

router = Router()


class NotDownloadable(KluisError):
    """A download link was asked for a job that is not a ready backup (yet), or whose archive expired."""

    default_code = "backup.download_not_ready"
    http_status = 409


def show_downloadable(job: AnyJob, view: dict[str, Any], retention_days: int) -> None:
    """Add to a ready backup's (or auditfile's) view that it can be downloaded, and as what; never a
    link."""
    if isinstance(job, BackupJob) and job.is_downloadable(retention_days):
        view["downloadable"] = True
        view["filename"] = job.scope.backup_filename()
    elif isinstance(job, AuditfileJob) and job.download_state(retention_days) == "downloadable":
        view["downloadable"] = True
        view["filename"] = job.filename()


def ensure_downloadable(job: AnyJob, retention_days: int) -> None:
    """Raise unless the job's file (a ready backup's archive or a made auditfile) can be had now: the
    one answer for a download link and for an auditfile made from a backup."""
    state = "not-ready" if isinstance(job, RestoreJob) else job.download_state(retention_days)
    if state == "expired":
        expired = "auditfile.download_expired" if isinstance(job, AuditfileJob) else "backup.download_expired"
        raise NotDownloadable(expired, days=retention_days)
    if state != "downloadable":
        raise NotDownloadable(status=str(job.status))


@router.get("/jobs/<job_id>")
def get_job(job_id: str) -> dict[str, Any]:
    resources = resources_of(router)
    job = resources.jobs.get(customer(router), job_id)
    retention = resources.settings.archive_retention_days
    view = job.view() if isinstance(job, RestoreJob) else job.view(retention)
    show_downloadable(job, view, retention)
    if isinstance(job, RestoreJob) and job.status is Status.RESTORED:
        with_undo(resources, [(job, view)])
    if isinstance(job, RestoreJob) and _undoable_once_done(job):
        days = window_days_shown(resources.settings.undo_window_days)
        view.setdefault("details", {})["undoWindowDays"] = days
    return view


@router.get("/jobs/<job_id>/download")
def download_job(job_id: str) -> dict[str, Any]:
    """A fresh, short-lived link to a ready backup's archive or a made auditfile, recorded in the
    audit log (a read-only sign-in may have one: this changes nothing)."""
    resources = resources_of(router)
    job = resources.jobs.get(customer(router), job_id)
    ensure_downloadable(job, resources.settings.archive_retention_days)
    seconds = resources.settings.download_url_seconds
    if isinstance(job, AuditfileJob):
        url, filename, sha256 = (
            resources.auditfiles.download_url(job, seconds),
            job.filename(),
            job.source.manifest_sha256,
        )
    else:
        assert isinstance(job, BackupJob) and job.archive is not None  # downloadable says so
        bucket = resources.settings.given(resources.settings.archives_bucket, "ARCHIVES_BUCKET")
        url = download_url(resources.s3, bucket, job, seconds)
        filename, sha256 = job.scope.backup_filename(), job.archive.manifest_sha256
    trail = Trail(job.job_id, sha256, job.administration, job.year)
    record(router, Action.DOWNLOAD_ISSUED, trail, Outcome.DONE)
    return {"downloadUrl": url, "downloadUrlExpiresIn": seconds, "filename": filename}


@router.post("/jobs/<job_id>/auditfile")
def request_auditfile(job_id: str) -> Response[dict[str, Any]]:
    """Queue an XAF 4.0 auditfile made from a downloadable backup's records (for backups made before
    every archive held one). A read-only sign-in may ask for it: it changes no books."""
    resources = resources_of(router)
    backup = resources.jobs.get(customer(router), job_id)
    with audited(router, Action.AUDITFILE_REQUESTED, job_id=job_id) as trail:
        if not isinstance(backup, BackupJob):
            raise NotDownloadable(status=str(backup.status))
        trail.administration, trail.year = backup.administration, backup.year
        ensure_downloadable(backup, resources.settings.archive_retention_days)
        job = resources.auditfiles.request_for_backup(backup, subject(router))
        trail.job_id = job.job_id
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=job.view())


def _undoable_once_done(job: RestoreJob) -> bool:
    """A restore awaiting its code that could be undone once done: the page says for how long. One into
    an empty year has nothing to go back to, and an undo itself cannot be undone."""
    waiting = job.status is Status.AWAITING_CONFIRMATION and not job.undo_of
    return waiting and job.summary is not None and job.summary.replaces_existing


def with_undo(resources: Resources, views: list[tuple[RestoreJob, dict[str, Any]]]) -> None:
    """Add to each restored job's view whether (and until when) it can be undone."""
    live: dict[tuple[str, str], str | None] = {}
    for job, view in views:
        key = (job.administration or "", job.year or "")
        if key not in live:
            head = resources.store.head(job.scope)
            live[key] = head.generation if head else None
        offer = undo_offer(job, resources.settings.undo_window_days, live[key])
        if offer is not None:
            view["undo"] = offer
