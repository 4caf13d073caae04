"""Restores whose file never arrived (or whose upload event was lost) expire with a reason (issue 16,
finding 7); one whose file arrived in the meantime is left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kluis.jobs.lifecycle import Kind, Status, allowed
from kluis.jobs.model import new_restore
from tests.unit.conftest import world

LATER = datetime.now(UTC) + timedelta(days=2)


def test_a_restore_may_expire_while_it_waits_for_its_upload():
    assert allowed(Kind.RESTORE, Status.AWAITING_UPLOAD, Status.EXPIRED)


def test_a_restore_waiting_longer_than_the_wait_expires_with_a_reason_and_its_upload_goes():
    with world() as w:
        waiting = w.jobs.create(new_restore("10234"))
        w.s3.put_object(Bucket="uploads", Key=f"uploads/10234/{waiting.job_id}.zip", Body=b"late")
        sweep = w.stale_restore_sweeper.sweep(now=LATER)
        assert sweep.expired == [waiting.job_id]
        job = w.jobs.get_restore("10234", waiting.job_id)
        assert job.status is Status.EXPIRED
        assert job.failure and job.failure.code == "restore.upload_expired"
        assert job.failure.params == {"hours": 24}
        assert job.view()["reasonCode"] == "restore.upload_expired"
        assert w.s3.list_objects_v2(Bucket="uploads").get("KeyCount", 0) == 0


def test_a_young_restore_and_one_that_started_are_left_alone():
    with world() as w:
        young = w.jobs.create(new_restore("10234"))
        started = w.jobs.create(new_restore("10234"))
        w.jobs.move(started, Status.VALIDATING)
        assert w.stale_restore_sweeper.sweep().expired == []
        swept = w.stale_restore_sweeper.sweep(now=LATER)
        assert swept.expired == [young.job_id]
        assert w.jobs.get_restore("10234", started.job_id).status is Status.VALIDATING


def test_an_upload_arriving_between_the_scan_and_the_move_wins():
    with world() as w:
        job = w.jobs.create(new_restore("10234"))
        sweeper = w.stale_restore_sweeper
        found = list(sweeper.stale.waiting_since_before(LATER.isoformat()))
        assert found == [("10234", job.job_id)]
        w.jobs.move(job, Status.VALIDATING)  # the upload's event started it meanwhile

        class Replay:  # the scan's answer, now out of date
            def waiting_since_before(self, cutoff):
                return iter(found)

        sweeper.stale = Replay()
        sweep = sweeper.sweep(now=LATER)
        assert sweep.expired == [] and sweep.skipped == [job.job_id]
        assert w.jobs.get_restore("10234", job.job_id).status is Status.VALIDATING
