"""/jobs/{id}: one job of the caller's, with a fresh download link when it is a ready backup whose archive
has not expired yet (`downloadableUntil`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from kluis.api.auth import customer, resources_of
from kluis.flows.backup.start import download_url
from kluis.jobs.model import BackupJob

router = Router()


@router.get("/jobs/<job_id>")
def get_job(job_id: str) -> dict[str, Any]:
    resources = resources_of(router)
    job = resources.jobs.get(customer(router), job_id)
    retention = resources.settings.archive_retention_days
    view = job.view(retention) if isinstance(job, BackupJob) else job.view()
    if isinstance(job, BackupJob) and job.is_downloadable(retention):
        seconds = resources.settings.download_url_seconds
        bucket = resources.settings.given(resources.settings.archives_bucket, "ARCHIVES_BUCKET")
        view["filename"] = job.scope.backup_filename()
        view["downloadUrl"] = download_url(resources.s3, bucket, job, seconds)
        view["downloadUrlExpiresIn"] = seconds
    return view
