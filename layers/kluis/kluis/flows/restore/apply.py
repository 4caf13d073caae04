"""Step `Apply`, after the right code: lock, verify the staged generation, flip `HEAD`, release.

Only this runs between the confirmation and `restored`, and it costs a few requests, not a
listing or a second read of the data. It is safe to run again after a crash: a flip that already
landed is recognised.

Only a confirmed apply ever writes `HEAD`. What keeps a clean-up from deleting a stage that a flip
still in flight would make live is in the job, not in `HEAD`: before flipping, Apply takes a *flip
ticket* (a conditional write: the job is `applying` and not fenced) with a deadline; its HEAD write
is bounded in time (short client timeouts, no retries of its own, and never started with less time
left in the invocation than the window), so it has landed or failed by the deadline. A clean-up
fences the job (refused while a ticket is open, so it waits for the deadline), then looks at `HEAD`:
the flip landed, or it never will (`kluis.flows.restore.cleanup`). No clean-up writes `HEAD`, so a
rejected upload, a cancel or a time-out never disturbs another restore's flip.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from boto3.dynamodb.conditions import Attr

from kluis.errors import KluisError
from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import FlipTicket, Restored, RestoreJob
from kluis.scope import Scope
from kluis.storage.data import DataStore, Head, HeadConflict
from kluis.storage.inventory import InventoryMissing, StageInventories
from kluis.storage.jobs import JobStateConflict, JobStore
from kluis.storage.locks import Locks
from kluis.transient import TransientError

LOG = logging.getLogger(__name__)
LEASE_SECONDS = 900
FLIP_WINDOW_SECONDS = 15.0  # > the HEAD client's connect + read timeouts (kluis.runtime.resources)


class UndoImpossible(KluisError):
    """The generation an undo would make live again is no longer there (it was retired)."""

    default_code = "restore.undo_data_gone"
    http_status = 409


class StagedGenerationInvalid(Exception):
    """The staged generation does not match its manifest (it was changed or is incomplete)."""


class Apply:
    def __init__(
        self,
        jobs: JobStore,
        store: DataStore,
        locks: Locks,
        uploads: RestoreUploads,
        *,
        flip_window: float = FLIP_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.jobs = jobs
        self.store = store
        self.locks = locks
        self.uploads = uploads
        self.flip_window = flip_window
        self.clock = clock

    def apply(self, job: RestoreJob, seconds_left: Callable[[], float] | None = None) -> RestoreJob:
        """Lock, verify the staged generation, flip HEAD, release. Safe to run again after a crash.

        `seconds_left` is the invocation's remaining time: a flip is never started that the
        invocation might not see to its end.
        """
        if job.stage is None:
            raise StagedGenerationInvalid(f"restore {job.job_id} has no staged generation")
        if job.fenced_at is not None:  # cleaned up after a failure: its stage is gone or going
            raise JobStateConflict(status=str(job.status))
        scope, staged = job.scope, job.stage.generation
        self.locks.acquire(scope, job.job_id, LEASE_SECONDS, busy="restore.lock_busy")
        try:
            head = self.store.head(scope)
            if head is None or head.generation != staged:  # not flipped by an earlier attempt
                if (
                    job.replaces is not None
                    and (head.generation if head else None) != job.replaces.generation
                ):
                    raise _superseded(scope, head)  # another restore flipped after this one was checked
                if job.stage.owned:
                    self.verify_staged(scope, staged, job)
                elif not self.store.generation_intact(scope, staged):
                    raise UndoImpossible("restore.undo_data_gone")
                if seconds_left is not None and seconds_left() < 2 * self.flip_window:
                    raise TransientError("too little time left in this invocation to flip HEAD")
                self._take_ticket(job)
                LOG.info("flipping HEAD", extra={"staged": staged, "expected": head.etag if head else None})
                head = self.store.flip_head(scope, staged, expected=head, source="restore", job=job.job_id)
        finally:
            self.locks.release(scope, job.job_id)
        self.uploads.delete(job)
        return self.jobs.move(
            job, Status.RESTORED, restored=Restored(generation=staged, restored_at=head.flipped_at)
        )

    def _take_ticket(self, job: RestoreJob) -> None:
        """The claim to flip, until a deadline; refused once a clean-up has fenced the job."""
        ticket = FlipTicket(deadline=self.clock() + self.flip_window)
        still_ours = Attr("status").eq(str(Status.APPLYING)) & Attr("fenced_at").not_exists()
        self.jobs.record(job, condition=still_ours, flip=ticket)

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


def _superseded(scope: Scope, head: Head | None) -> HeadConflict:
    """Another restore made a generation live after this one was checked: say what happened, when."""
    changed_at = (head.flipped_at if head else None) or "unknown"
    return HeadConflict(
        "restore.superseded", administration=scope.administration, year=scope.year, changedAt=changed_at
    )
