"""Step `RecordFailure`: a failed job gets a reason its owner can read, and its half-done work removed.

Step Functions hands over the failed step's error name and cause. A `KluisError` carries its reason
in the cause (see `kluis.errors`), which the job keeps when it belongs to the job's kind (a backup
that met a running restore, a restore that lost a race); Lambda's and Step Functions' own time-outs
become the kind's time-out reason; anything else is a fault on our side, with the job id to quote.
The technical error stays in the logs.
"""

from __future__ import annotations

import json

from kluis.errors import Reason
from kluis.flows.backup.cleanup import BackupCleanup
from kluis.flows.restore.cleanup import Cleanup
from kluis.jobs.lifecycle import Kind, Status
from kluis.jobs.model import AnyJob, BackupJob, Failure, RestoreJob
from kluis.storage.jobs import JobStore

# The names AWS gives a step that ran out of time (its own TimeoutSeconds, or Lambda's timeout).
TIMEOUT_ERRORS = frozenset(
    {"States.Timeout", "Sandbox.Timedout", "Lambda.Timeout", "States.HeartbeatTimeout"}
)


def describe(kind: Kind, job_id: str, error: str, cause: str | None) -> Reason:
    """The reason shown for a job that failed with Step Functions' `error`/`cause`."""
    if error in TIMEOUT_ERRORS:
        return Reason(f"{kind}.timeout", {"job": job_id})
    carried = Reason.from_lambda_cause(cause)
    if carried is not None and carried.code.startswith(f"{kind}."):
        return carried
    return Reason(f"{kind}.fault", {"job": job_id})


def technical_message(cause: str | None) -> str:
    """The exception message inside a Lambda error's cause, for the logs."""
    if not cause:
        return ""
    try:
        return str(json.loads(cause).get("errorMessage", cause))
    except (ValueError, AttributeError):
        return cause


class JobFailures:
    def __init__(self, jobs: JobStore, backups: BackupCleanup, restores: Cleanup) -> None:
        self.jobs = jobs
        self.backups = backups
        self.restores = restores

    def record(self, customer: str, job_id: str, error: str, cause: str | None) -> Status:
        """Clean up after the failed job and give it its reason; returns the status it ends in."""
        job = self.jobs.get(customer, job_id)
        if job.is_final:  # e.g. a fault in the clean-up after the job had finished: keep its outcome
            self._tidy_finished(job)
            return job.status
        if isinstance(job, RestoreJob):
            restored = self.restores.abandon(job)
            if restored is not None:  # the HEAD flip had taken effect: the restore happened
                return restored.status
        elif isinstance(job, BackupJob):
            self.backups.abandon(job)
        # An auditfile's step aborts its own upload; S3's lifecycle aborts one a time-out left.
        reason = describe(job.kind, job.job_id, error, cause)
        return self.jobs.move(job, Status.FAILED, failure=Failure.of(reason)).status

    def _tidy_finished(self, job: AnyJob) -> None:
        if isinstance(job, BackupJob):
            if job.status is Status.READY:
                self.backups.tidy(job)  # never abandon: that would delete a ready archive
        elif isinstance(job, RestoreJob):
            self.restores.abandon(job)
