"""After a build: tidy a finished one, or take a failed one apart so that no half archive remains."""

from __future__ import annotations

from kluis.flows.backup.checkpoint import Checkpoints
from kluis.jobs.model import BackupJob
from kluis.storage.locks import Locks


class BackupCleanup:
    """After a build: tidy a finished one, or take a failed one apart so no half archive remains."""

    def __init__(self, checkpoints: Checkpoints, locks: Locks) -> None:
        self.checkpoints = checkpoints
        self.locks = locks

    def tidy(self, job: BackupJob) -> None:
        """After the archive is complete and recorded: drop the checkpoint, release the lock."""
        self.checkpoints.delete(job)
        self.locks.release(job.scope, job.job_id)

    def abandon(self, job: BackupJob) -> None:
        """After a failed build: abort its multipart uploads, so no half archive can ever appear."""
        self.checkpoints.abort_uploads(job)
        if job.archive is None:  # completed but not recorded: not a backup anyone gets
            self.checkpoints.delete_archive(job)
        self.checkpoints.delete(job)
        if job.administration and job.year:
            self.locks.release(job.scope, job.job_id)
