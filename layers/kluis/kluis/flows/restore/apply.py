"""Step `Apply`, after the right code: lock, verify the staged generation, flip `HEAD`, release.

Only this runs between the confirmation and `restored`, and it costs a few requests, not a listing
or a second read of the data. It is safe to run again after a crash: a flip that already landed is
recognised.
"""

from __future__ import annotations

from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Restored, RestoreJob
from kluis.scope import Scope
from kluis.storage.data import DataStore, HeadConflict
from kluis.storage.inventory import InventoryMissing, StageInventories
from kluis.storage.jobs import JobStore
from kluis.storage.locks import Locks

LEASE_SECONDS = 900


class StagedGenerationInvalid(Exception):
    """The staged generation does not match its manifest (it was changed or is incomplete)."""


class Apply:
    def __init__(self, jobs: JobStore, store: DataStore, locks: Locks, uploads: RestoreUploads) -> None:
        self.jobs = jobs
        self.store = store
        self.locks = locks
        self.uploads = uploads

    def apply(self, job: RestoreJob) -> RestoreJob:
        """Lock, verify the staged generation, flip HEAD, release. Safe to run again after a crash."""
        if job.stage is None:
            raise StagedGenerationInvalid(f"restore {job.job_id} has no staged generation")
        scope, staged = job.scope, job.stage.generation
        self.locks.acquire(scope, job.job_id, LEASE_SECONDS, busy="restore.lock_busy")
        try:
            head = self.store.head(scope)
            if head is None or head.generation != staged:  # not flipped by an earlier attempt
                if (
                    job.replaces is not None
                    and (head.generation if head else None) != job.replaces.generation
                ):
                    raise HeadConflict()  # another restore changed HEAD after this one was validated
                self.verify_staged(scope, staged, job)
                head = self.store.flip_head(scope, staged, expected=head, source="restore", job=job.job_id)
        finally:
            self.locks.release(scope, job.job_id)
        self.uploads.delete(job)
        return self.jobs.move(
            job, Status.RESTORED, restored=Restored(generation=staged, restored_at=head.flipped_at)
        )

    def verify_staged(self, scope: Scope, staged: str, job: RestoreJob) -> None:
        """The staged generation is the one this job's validation completed: constant time.

        Under the lock: the job's own record (read again, so its inventory is the one validation
        recorded last) and the stage's inventory, read pinned to the ETag in that record. Each
        member's bytes were checked against the signed manifest's SHA-256 before they were staged,
        and the inventory is written only after the last member, so it stands for a complete
        stage; its counts must be the summary the user confirmed. Two requests whatever the size.
        """
        record = self.jobs.get_restore(job.customer, job.job_id)
        if record.stage is None or record.stage.generation != staged or record.inventory is None:
            raise StagedGenerationInvalid(f"restore {job.job_id} has no inventory of {staged}")
        try:
            inventories = StageInventories(self.store.s3, self.store.bucket)
            contents = inventories.read(record.inventory.key, record.inventory.etag)
        except InventoryMissing as missing:
            raise StagedGenerationInvalid(f"the inventory of {staged} of {scope} changed") from missing
        summary = record.summary
        if (
            summary is None
            or contents.generation != staged
            or contents.job != job.job_id
            or contents.entries != summary.records + summary.documents
            or contents.bytes != summary.bytes
        ):
            raise StagedGenerationInvalid(f"staged generation {staged} of {scope} differs from its manifest")
