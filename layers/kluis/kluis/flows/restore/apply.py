"""Step `Apply`, after the right code: lock, verify the staged generation, flip `HEAD`, release.

Only this runs between the confirmation and `restored`, and it costs a listing, not a second read
of the data. It is safe to run again after a crash: a flip that already landed is recognised.
"""

from __future__ import annotations

from kluis.archive.manifest import Manifest
from kluis.flows.restore.staging import PROVENANCE_NOTE
from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Restored, RestoreJob
from kluis.scope import Scope
from kluis.storage.data import DataStore, HeadConflict
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
                self.verify_staged(scope, staged)
                head = self.store.flip_head(scope, staged, expected=head, source="restore", job=job.job_id)
        finally:
            self.locks.release(scope, job.job_id)
        self.uploads.delete(job)
        return self.jobs.move(
            job, Status.RESTORED, restored=Restored(generation=staged, restored_at=head.flipped_at)
        )

    def verify_staged(self, scope: Scope, staged: str) -> None:
        """The staged generation holds exactly the manifest's members, sizes and checked SHA-256s.

        Each member's bytes were hashed while staged; this costs a listing, not a second read.
        """
        manifest = Manifest.from_bytes(self.store.read_note(scope, staged, PROVENANCE_NOTE))
        expected = {entry.path: entry.size for entry in manifest.entries}
        present = {obj.name: obj.size for obj in self.store.generation_objects(scope, staged)}
        if present != expected:
            raise StagedGenerationInvalid(f"staged generation {staged} of {scope} differs from its manifest")
