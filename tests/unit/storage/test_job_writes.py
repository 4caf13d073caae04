"""Every write to a job item touches only its own fields, conditionally, whatever copy of the job the
writer holds: two steps that read the job at the same moment never undo each other's writes, and a
move is judged against the job as it is stored, not as the writer last read it."""

from __future__ import annotations

import pytest

from kluis.errors import Reason
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Confirmation, Failure, Progress, new_restore
from kluis.storage.jobs import JobStateConflict
from tests.unit.conftest import world

CUSTOMER = "10234"


def confirmation() -> Confirmation:
    return Confirmation(
        code="482913", attempts_left=5, expires_at="2027-01-01T00:00:00+00:00", task_token="t"
    )


def test_a_step_writing_from_a_stale_copy_keeps_the_fields_another_step_wrote():
    with world() as w:
        job = w.jobs.move(w.jobs.create(new_restore(CUSTOMER)), Status.VALIDATING)
        stale = w.jobs.get(CUSTOMER, job.job_id)  # read before validation wrote its progress

        w.jobs.update(job, progress=Progress(entries_done=7, entries_total=7))
        w.jobs.move(stale, Status.AWAITING_CONFIRMATION, confirmation=confirmation())

        stored = w.jobs.get(CUSTOMER, job.job_id)
        assert stored.status is Status.AWAITING_CONFIRMATION
        assert stored.progress == Progress(entries_done=7, entries_total=7)
        assert stored.confirmation == confirmation()
        assert stored.view()["details"]["verificationCode"] == "482913"


def test_a_field_set_to_none_is_removed_and_nothing_else():
    with world() as w:
        job = w.jobs.move(w.jobs.create(new_restore(CUSTOMER)), Status.VALIDATING)
        waiting = w.jobs.move(job, Status.AWAITING_CONFIRMATION, confirmation=confirmation())
        waiting = w.jobs.update(waiting, fenced_at="2026-12-07T06:00:00+00:00")

        w.jobs.update(waiting, fenced_at=None)

        stored = w.jobs.get(CUSTOMER, job.job_id)
        assert stored.fenced_at is None and stored.confirmation == confirmation()


def test_a_move_from_a_stale_copy_is_judged_by_the_stored_status_and_changes_nothing():
    with world() as w:
        job = w.jobs.move(w.jobs.create(new_restore(CUSTOMER)), Status.VALIDATING)
        waiting = w.jobs.move(job, Status.AWAITING_CONFIRMATION, confirmation=confirmation())
        cancelled = w.jobs.move(waiting, Status.CANCELLED, failure=Failure.of(Reason("restore.cancelled")))

        with pytest.raises(JobStateConflict):  # the copy still says awaiting-confirmation
            w.jobs.move(waiting, Status.APPLYING)

        assert w.jobs.get(CUSTOMER, job.job_id) == cancelled
