"""When a restore ends without its flip (rejected, expired, cancelled, failed): nothing live changes.

The upload and the staged generation are removed. A stage is only removed once no flip of it is in
flight or can start (the job is fenced, see `kluis.flows.restore.apply`), and a flip that did land
is recognised: then the restore did happen, and the job says so. No clean-up writes `HEAD`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from boto3.dynamodb.conditions import Attr

from kluis.errors import Reason
from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Failure, Restored, RestoreJob, now_iso
from kluis.storage.data import DataStore
from kluis.storage.jobs import JobStateConflict, JobStore
from kluis.storage.locks import Locks
from kluis.transient import TransientError

TIMEOUT = "States.Timeout"  # Step Functions' name for a state that ran out of its TimeoutSeconds
FENCE_ATTEMPTS = 3


class Cleanup:
    def __init__(
        self,
        jobs: JobStore,
        store: DataStore,
        locks: Locks,
        uploads: RestoreUploads,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.jobs = jobs
        self.store = store
        self.locks = locks
        self.uploads = uploads
        self.clock = clock
        self.sleep = sleep

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
        self._clean_up(job)
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
        """Remove the upload, and the stage unless a flip made it live. Never writes HEAD."""
        self.uploads.delete(job)
        if job.stage and job.administration and job.year:
            self._fence(job)
            head = self.store.head(job.scope)
            live = head is not None and head.generation == job.stage.generation
            if job.stage.owned and not live:  # an undo's stage is an older generation: not its own
                self.store.delete_generation(job.scope, job.stage.generation)

    def _fence(self, job: RestoreJob) -> None:
        """After this, no flip of the job's stage is in flight or can start (see kluis.flows.restore.apply).

        A conditional write on the job: refused while Apply holds an open flip ticket, so the clean-up
        waits out the ticket's deadline, by which its HEAD write has landed or failed.
        """
        for _ in range(FENCE_ATTEMPTS):
            now = self.clock()
            no_flip_in_flight = Attr("flip").not_exists() | Attr("flip.deadline").lt(Decimal(str(now)))
            try:
                self.jobs.record(job, condition=no_flip_in_flight, fenced_at=now_iso())
                return
            except JobStateConflict:
                current = self.jobs.get_restore(job.customer, job.job_id)
                deadline = current.flip.deadline if current.flip else now
                self.sleep(max(0.0, deadline - now) + 0.1)
        raise TransientError(f"restore {job.job_id}: a flip ticket stayed open past its deadline")
