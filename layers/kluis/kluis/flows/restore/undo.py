"""Undo a restore, for a limited time: the generation it replaced is made live again.

A restore keeps the generation it replaced for the undo window (`UndoWindowDays`, 30 by default; the
sweeper removes replaced generations only after it). Within it, the restore's owner may undo it, if
nothing has changed the administration/year since. An undo is a restore job of its own whose stage
is that older generation: the restore state machine runs it with the same gate (a verification
code, limited attempts, a time-out) and the same Apply (the lock, the flip ticket, a conditional
HEAD write that refuses if anything changed meanwhile). Its stage is not its own, so no clean-up
ever removes it. After the window only a restore from the system backups can help.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from kluis.errors import KluisError
from kluis.flows.restore.books import books_preview
from kluis.flows.restore.staging import StageResult
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Replaced, RestoreJob, RestoreSummary, Stage, new_restore
from kluis.storage.data import DataStore
from kluis.storage.jobs import JobStore


class UndoRefused(KluisError):
    """This restore cannot be undone (the reason says why)."""

    default_code = "restore.undo_not_restored"
    http_status = 409


def undo_until(job: RestoreJob, window_days: float) -> datetime | None:
    """Until when a restored job may be undone (None: it is not a restore that can be)."""
    if job.status is not Status.RESTORED or job.undo_of or not job.restored or not job.restored.restored_at:
        return None
    if job.replaces is None or job.replaces.generation is None:
        return None  # it went into an empty administration/year: there is nothing to go back to
    return datetime.fromisoformat(job.restored.restored_at) + timedelta(days=window_days)


def undo_offer(job: RestoreJob, window_days: float, live_generation: str | None) -> dict[str, Any] | None:
    """What a restored job's view says about undoing it: until when, and whether it still can be."""
    until = undo_until(job, window_days)
    if until is None or job.restored is None:
        return None
    possible = datetime.now(UTC) <= until and live_generation == job.restored.generation
    return {
        "until": until.isoformat(timespec="seconds"),
        "possible": possible,
        "windowDays": _days(window_days),
    }


class Undo:
    def __init__(
        self,
        jobs: JobStore,
        store: DataStore,
        stepfunctions: Any,
        *,
        state_machine_arn: str,
        window_days: float,
        confirmation_timeout_seconds: int,
    ) -> None:
        self.jobs = jobs
        self.store = store
        self.stepfunctions = stepfunctions
        self.state_machine_arn = state_machine_arn
        self.window_days = window_days
        self.confirmation_timeout_seconds = confirmation_timeout_seconds

    def request(self, customer: str, job_id: str, requested_by: str | None = None) -> RestoreJob:
        """An undo of restore `job_id`, waiting for its verification code (refused if it cannot be)."""
        original = self.jobs.get_restore(customer, job_id)
        until = undo_until(original, self.window_days)
        if original.status is not Status.RESTORED or original.undo_of:
            raise UndoRefused(status=str(original.status))
        if until is None or original.replaces is None or original.replaces.generation is None:
            raise UndoRefused("restore.undo_nothing_before")
        if datetime.now(UTC) > until:
            raise UndoRefused("restore.undo_window_passed", days=_days(self.window_days))
        assert original.restored is not None
        head = self.store.head(original.scope)
        if head is None or head.generation != original.restored.generation:
            changed = (head.flipped_at if head else None) or "unknown"
            raise UndoRefused("restore.undo_changed_since", changedAt=changed)
        previous = original.replaces.generation
        if not self.store.generation_intact(original.scope, previous):
            raise UndoRefused("restore.undo_data_gone")
        undo = new_restore(customer, requested_by).model_copy(
            update={
                "status": Status.VALIDATING,
                "administration": original.administration,
                "year": original.year,
                "undo_of": original.job_id,
                "stage": Stage(generation=previous, owned=False),
                "replaces": Replaced(generation=original.restored.generation),
            }
        )
        undo = self.jobs.create(undo)
        self.stepfunctions.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=undo.job_id,
            input=json.dumps(
                {
                    "jobId": undo.job_id,
                    "customer": customer,
                    "confirmationTimeoutSeconds": self.confirmation_timeout_seconds,
                }
            ),
        )
        return undo

    def prepare(self, job: RestoreJob) -> StageResult:
        """The Validate step of an undo: the older generation is still whole; what it holds."""
        assert job.stage is not None and job.undo_of is not None
        objects = list(self.store.generation_objects(job.scope, job.stage.generation))
        if not objects or not self.store.generation_intact(job.scope, job.stage.generation):
            raise UndoRefused("restore.undo_data_gone")
        original = self.jobs.get_restore(job.customer, job.undo_of)
        head = self.store.head(job.scope)
        records = [o for o in objects if o.name.startswith("records/")]
        summary = RestoreSummary(
            backup_created_at=(original.restored.restored_at if original.restored else None)
            or job.created_at,
            source_customer=job.customer,
            datasets=tuple(o.name.removeprefix("records/").removesuffix(".jsonl") for o in records),
            records=len(records),
            documents=len(objects) - len(records),
            includes_documents=len(objects) > len(records),
            bytes=sum(o.size for o in objects),
            replaces_existing=head is not None,
            current_live_since=head.flipped_at if head else None,
        )
        books = books_preview(
            self.store,
            job.scope,
            job.stage.generation,
            head.generation if head else None,
            documents=summary.documents,
            job_id=job.job_id,
        )
        self.jobs.update(job, summary=summary, books=books)
        return StageResult(done=True, accepted=True)


def _days(window_days: float) -> int:
    return max(1, round(window_days))


def window_days_shown(window_days: float) -> int:
    """The undo window in whole days, as the page and the reasons say it."""
    return _days(window_days)
