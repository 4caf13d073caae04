"""The API's side of a backup: queue one, and hand out a fresh link to a ready one."""

from __future__ import annotations

import json
from typing import Any

from kluis.errors import KluisError
from kluis.flows.limits import StartLimits
from kluis.jobs.model import BackupJob, new_backup
from kluis.retention import RetentionRequest
from kluis.scope import NoSuchScope, Scope
from kluis.storage.data import DataStore
from kluis.storage.jobs import JobStore


class NothingToBackUp(KluisError):
    """The administration/year has no live data when its build starts, so no (empty) archive is made."""

    default_code = "backup.nothing_to_back_up"
    http_status = 404


def archive_key(job: BackupJob) -> str:
    return f"archives/{job.customer}/{job.job_id}.zip"


def start_backup(
    store: DataStore,
    jobs: JobStore,
    stepfunctions: Any,
    state_machine_arn: str,
    scope: Scope,
    *,
    include_documents: bool,
    requested_by: str | None = None,
    limits: StartLimits | None = None,
    retention: RetentionRequest | None = None,
    job_id: str | None = None,
) -> BackupJob:
    """Queue a backup of `scope` and start its execution (named after the job: started once).

    A retention archive (`retention`) is a backup whose execution goes on to copy it under Object
    Lock (the state machine's `retain` input)."""
    if store.head(scope) is None:
        raise NoSuchScope(administration=scope.administration, year=scope.year)
    if limits is not None:
        limits.backup_starts(scope)
    job = jobs.create(new_backup(scope, include_documents, requested_by, retention, job_id))
    stepfunctions.start_execution(
        stateMachineArn=state_machine_arn,
        name=job.job_id,
        input=json.dumps({"jobId": job.job_id, "customer": job.customer, "retain": retention is not None}),
    )
    return job


def download_url(s3: Any, archives_bucket: str, job: BackupJob, expires_seconds: int) -> str:
    """A fresh, short-lived link to the archive that saves as `{customer} - {adm} - {year} - Backup.zip`."""
    if job.archive is None:
        raise ValueError(f"backup {job.job_id} has no archive yet")
    url: str = s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": archives_bucket,
            "Key": job.archive.key,
            "ResponseContentDisposition": f'attachment; filename="{job.scope.backup_filename()}"',
            "ResponseContentType": "application/zip",
        },
        ExpiresIn=expires_seconds,
    )
    return url
