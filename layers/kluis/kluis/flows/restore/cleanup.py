"""When a restore ends without its flip (rejected, expired, cancelled, failed): nothing live changes.

The upload and the staged generation are removed. A stage is only removed once a late flip of it
can no longer land (see `_fenced_head`), and a flip that did land is recognised: then the restore
did happen, and the job says so.
"""

from __future__ import annotations

from kluis.errors import Reason
from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Failure, Restored, RestoreJob
from kluis.scope import Scope
from kluis.storage.data import DataStore, Head, HeadConflict
from kluis.storage.jobs import JobStore
from kluis.storage.locks import Locks

TIMEOUT = "States.Timeout"  # Step Functions' name for a state that ran out of its TimeoutSeconds


class Cleanup:
    def __init__(self, jobs: JobStore, store: DataStore, locks: Locks, uploads: RestoreUploads) -> None:
        self.jobs = jobs
        self.store = store
        self.locks = locks
        self.uploads = uploads

    def reject(self, job: RestoreJob, reason: Reason) -> RestoreJob:
        """The file is refused: the job says why; upload and stage are removed."""
        self._clean_up(job)
        return self.jobs.move(job, Status.REJECTED, failure=Failure.of(reason))

    def discard(self, job: RestoreJob, error: str) -> RestoreJob:
        """After a timeout, a cancel or too many wrong codes: remove the upload and the stage."""
        self._clean_up(job)
        if error == TIMEOUT:
            return self.jobs.move(job, Status.EXPIRED, failure=Failure.of(Reason("restore.expired")))
        return self.jobs.get_restore(job.customer, job.job_id)  # cancel and too many codes said why already

    def abandon(self, job: RestoreJob) -> RestoreJob | None:
        """After a failure: drop the stage unless it went live, release a lock we may hold.

        A step can fail after its HEAD flip took effect (a lost answer, a fault in the clean-up after
        it): then the restore *did* happen, and the job says so (returned) instead of "failed".
        """
        self._clean_up(job)  # under our lock, if we still hold it: the fence must not race a flip
        if job.administration and job.year:
            self.locks.release(job.scope, job.job_id)
        if job.stage is None or not (job.administration and job.year):
            return None
        head = self.store.head(job.scope)
        if head is None or head.generation != job.stage.generation or job.status is not Status.APPLYING:
            return None
        restored = Restored(generation=job.stage.generation, restored_at=head.flipped_at)
        return self.jobs.move(job, Status.RESTORED, restored=restored)

    def _clean_up(self, job: RestoreJob) -> None:
        self.uploads.delete(job)
        if job.stage and job.administration and job.year:
            head = self._fenced_head(job.scope, job.stage.generation)
            if head is None or head.generation != job.stage.generation:
                self.store.delete_generation(job.scope, job.stage.generation)

    def _fenced_head(self, scope: Scope, staged: str) -> Head | None:
        """The live HEAD, fenced against a late flip of `staged` (see DataStore.fence_head).

        Without a HEAD there is nothing to fence: a late first flip (If-None-Match) of a restore
        into an empty administration/year remains possible; docs/security.md names this.
        """
        for _ in range(3):
            head = self.store.head(scope)
            if head is None or head.generation == staged:
                return head
            try:
                return self.store.fence_head(scope, head)
            except HeadConflict:
                continue  # HEAD moved meanwhile (perhaps our late flip landed): look again
        return self.store.head(scope)
