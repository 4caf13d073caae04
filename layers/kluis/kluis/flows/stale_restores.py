"""Restores that never started expire, with a reason the user can read.

A restore waits in `awaiting-upload` until S3's event for its upload starts the execution. If no file
arrives, or the event is lost (S3 invokes the trigger asynchronously, and after Lambda's retries the
event goes to the failed-events queue instead), nothing else would ever move the job: the user would
see it waiting forever. The sweeper moves every restore that has waited longer than
RESTORE_UPLOAD_WAIT_SECONDS to `expired` (`restore.upload_expired`) and removes an upload that did
arrive. The wait is a day by default: the uploads bucket's lifecycle removes uploads (and abandoned
multipart parts) after a day, so a job older than that can no longer be started by its file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kluis.errors import Reason
from kluis.flows.restore.uploads import upload_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Failure
from kluis.storage.jobs import JobNotFound, JobStateConflict, JobStore
from kluis.storage.stale import StaleRestores


@dataclass
class Sweep:
    expired: list[str]
    skipped: list[str]  # moved on (an upload arrived) or gone between the scan and the move


class StaleRestoreSweeper:
    def __init__(
        self, jobs: JobStore, stale: StaleRestores, s3: Any, *, uploads_bucket: str, wait_seconds: int
    ) -> None:
        self.jobs = jobs
        self.stale = stale
        self.s3 = s3
        self.uploads_bucket = uploads_bucket
        self.wait_seconds = wait_seconds

    def reason(self) -> Reason:
        return Reason("restore.upload_expired", {"hours": max(1, round(self.wait_seconds / 3600))})

    def sweep(self, now: datetime | None = None) -> Sweep:
        cutoff = (now or datetime.now(UTC)) - timedelta(seconds=self.wait_seconds)
        result = Sweep([], [])
        for customer, job_id in self.stale.waiting_since_before(cutoff.isoformat(timespec="seconds")):
            try:
                job = self.jobs.get_restore(customer, job_id)
                # Conditional on the job still awaiting its upload: a file that arrived meanwhile wins.
                self.jobs.move(job, Status.EXPIRED, failure=Failure.of(self.reason()))
            except (JobNotFound, JobStateConflict):
                result.skipped.append(job_id)
                continue
            # The file, if it came after all: its late event then finds the job expired and deletes it
            # too, but nothing should wait for that.
            self.s3.delete_object(Bucket=self.uploads_bucket, Key=upload_key(customer, job_id))
            result.expired.append(job_id)
        return result
