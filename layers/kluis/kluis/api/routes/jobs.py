"""/jobs/{id}: one job of the caller's, with a fresh download link when it is a ready backup whose archive
has not expired yet (`downloadableUntil`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from kluis.api.auth import customer, resources_of
from kluis.api.trail import Trail, record
from kluis.audit import Action, Outcome
from kluis.flows.backup.start import download_url
from kluis.flows.restore.undo import undo_offer, window_days_shown
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob, RestoreJob
from kluis.runtime.resources import Resources

router = Router()


@router.get("/jobs/<job_id>")
def get_job(job_id: str) -> dict[str, Any]:
    resources = resources_of(router)
    job = resources.jobs.get(customer(router), job_id)
    retention = resources.settings.archive_retention_days
    view = job.view(retention) if isinstance(job, BackupJob) else job.view()
    ready = isinstance(job, BackupJob) and job.status is Status.READY and job.archive is not None
    if isinstance(job, BackupJob) and job.archive is not None and ready and job.is_downloadable(retention):
        seconds = resources.settings.download_url_seconds
        bucket = resources.settings.given(resources.settings.archives_bucket, "ARCHIVES_BUCKET")
        view["filename"] = job.scope.backup_filename()
        view["downloadUrl"] = download_url(resources.s3, bucket, job, seconds)
        view["downloadUrlExpiresIn"] = seconds
        trail = Trail(job.job_id, job.archive.manifest_sha256, job.administration, job.year)
        record(router, Action.DOWNLOAD_ISSUED, trail, Outcome.DONE)
    if isinstance(job, RestoreJob) and job.status is Status.RESTORED:
        with_undo(resources, [(job, view)])
    if isinstance(job, RestoreJob) and _undoable_once_done(job):
        days = window_days_shown(resources.settings.undo_window_days)
        view.setdefault("details", {})["undoWindowDays"] = days
    return view


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
