"""The restore service without the state machine around it: staging, codes, and an apply that is
safe to run twice."""

from __future__ import annotations

import itertools
import time

import pytest
from boto3.dynamodb.conditions import Attr

from kluis.errors import Reason
from kluis.flows.backup.start import archive_key
from kluis.flows.restore.apply import StagedGenerationInvalid
from kluis.flows.restore.cleanup import Cleanup
from kluis.flows.restore.confirmation import WrongCode
from kluis.flows.restore.uploads import upload_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import FlipTicket, RestoreJob, new_backup, new_restore
from kluis.runtime.transient import TransientError
from kluis.scope import Scope
from kluis.storage.jobs import JobStateConflict
from kluis_tools.seed import SeedSpec
from tests.unit.conftest import World

SCOPE = Scope("10234", "00017", "2025")
SPEC = SeedSpec(
    administrations=(("00017", ("2025",)),),
    entries_per_year=40,
    documents_per_year=3,
    document_bytes=24 * 1024,
    proposals=0,
)
PART_SIZE = 32 * 1024


def uploaded_restore(w: World, customer: str = "10234") -> RestoreJob:
    """A backup of SCOPE, uploaded for a restore job that is validating."""
    backup = w.jobs.create(new_backup(SCOPE, True).model_copy(update={"status": Status.BUILDING}))
    w.backup_builder.run(backup, 600)
    data = w.s3.get_object(Bucket="archives", Key=archive_key(backup))["Body"].read()
    job = w.jobs.create(new_restore(customer).model_copy(update={"status": Status.VALIDATING}))
    w.s3.put_object(Bucket="uploads", Key=upload_key(customer, job.job_id), Body=data)
    return job


def confirmed(w: World, job: RestoreJob) -> RestoreJob:
    """The staged restore, past its code: what Apply gets."""
    job = w.await_confirmation.begin(w.jobs.get_restore(job.customer, job.job_id), "token", 60)
    return w.jobs.move(job, Status.APPLYING)


def live(w: World, scope: Scope = SCOPE) -> dict[str, bytes]:
    head = w.store.head(scope)
    return {o.name: w.store.open(o.key).read() for o in w.store.generation_objects(scope, head.generation)}


def test_staging_in_many_short_steps_writes_the_whole_archive_but_nothing_live(w):
    job = uploaded_restore(w)
    before = live(w)
    head = w.store.head(SCOPE)
    ticks = itertools.count(step=10.0)
    service = w.staging
    service.clock = lambda: next(ticks)
    steps = 1
    while not (result := service.stage(w.jobs.get_restore("10234", job.job_id), budget_seconds=1)).done:
        steps += 1
    assert result.accepted and steps == 8  # 5 records + 3 documents, one per step
    stage = w.jobs.get_restore("10234", job.job_id).stage
    assert stage is not None
    staged = stage.generation
    assert {o.name for o in w.store.generation_objects(SCOPE, staged)} == set(before)
    assert w.store.head(SCOPE) == head


def test_apply_flips_head_and_running_it_twice_gives_the_same_result(w):
    job = uploaded_restore(w)
    before = live(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    first = w.apply.apply(job)
    head = w.store.head(SCOPE)
    second = w.apply.apply(w.jobs.get_restore("10234", job.job_id))  # a retried Apply after a crash
    assert first.status is second.status is Status.RESTORED
    assert first.restored is not None
    assert w.store.head(SCOPE).generation == head.generation == first.restored.generation
    assert live(w) == before
    assert w.locks.holder(SCOPE) is None
    assert w.s3.list_objects_v2(Bucket="uploads").get("KeyCount") == 0


def test_apply_refuses_a_staged_generation_that_differs_from_its_manifest(w):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    assert job.stage is not None
    head = w.store.head(SCOPE)
    w.store.put(SCOPE, job.stage.generation, "documents/planted.pdf", b"%PDF-1.7 not from the backup")
    with pytest.raises(StagedGenerationInvalid):
        w.apply.apply(job)
    assert w.store.head(SCOPE) == head
    assert w.locks.holder(SCOPE) is None


def test_wrong_codes_count_down_and_the_last_rejects_the_restore(w):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    waiting = w.await_confirmation.begin(w.jobs.get_restore("10234", job.job_id), "token", 60)
    assert waiting.confirmation is not None
    wrong = "000000" if waiting.confirmation.code != "000000" else "111111"
    left = []
    for _ in range(3):
        with pytest.raises(WrongCode) as error:
            w.confirmations.confirm("10234", job.job_id, wrong)
        left.append(error.value.attempts_left)
    assert left == [2, 1, 0]
    assert w.jobs.get("10234", job.job_id).status is Status.REJECTED


def test_an_upload_for_no_waiting_job_is_deleted(w):
    w.s3.put_object(Bucket="uploads", Key="uploads/10234/20990101T000000-aaaaaaaaaaaa.zip", Body=b"x")
    w.s3.put_object(Bucket="uploads", Key="uploads/other/thing.zip", Body=b"x")
    assert w.uploads.on_upload("uploads", "uploads/10234/20990101T000000-aaaaaaaaaaaa.zip") == "deleted"
    assert w.uploads.on_upload("uploads", "uploads/other/thing.zip") == "deleted"
    assert w.s3.list_objects_v2(Bucket="uploads").get("KeyCount") == 0


def head_versions(w: World, scope: Scope = SCOPE) -> int:
    listed = w.s3.list_object_versions(Bucket="data", Prefix=f"{scope.prefix}HEAD")
    return len(listed.get("Versions", []))


def test_no_clean_up_ever_writes_head(w):
    """Rejections, cancels, time-outs and failures touch only their own stage and job."""
    before = head_versions(w)
    for end in ("reject", "discard", "expire", "abandon"):
        job = uploaded_restore(w)
        w.staging.stage(job, budget_seconds=600)
        job = w.jobs.get_restore(job.customer, job.job_id)
        if end == "reject":
            w.cleanup.reject(job, Reason("archive.checksum_mismatch", {"name": "x"}))
        elif end == "abandon":
            w.cleanup.abandon(confirmed(w, job))
        else:
            w.cleanup.discard(
                w.await_confirmation.begin(job, "token", 60), "States.Timeout" if end == "expire" else ""
            )
        assert job.stage is not None
        assert list(w.store.generation_objects(SCOPE, job.stage.generation)) == []
    assert head_versions(w) == before


@pytest.mark.parametrize("first_restore", [False, True], ids=["over live data", "into an empty year"])
def test_a_clean_up_waits_out_an_open_flip_and_keeps_what_it_made_live(w, first_restore):
    """Apply holds a flip ticket and its HEAD write is still in flight when the clean-up starts: the
    clean-up waits for the ticket's deadline; the flip lands meanwhile; the stage stays live and the
    job says restored. Also where there was no HEAD at all (no fence on HEAD is needed for it)."""
    scope = Scope("10234", "00017", "2025")
    job = uploaded_restore(w)
    if first_restore:
        w.s3.delete_object(Bucket="data", Key=f"{scope.prefix}HEAD")
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    assert job.stage is not None
    expected_head = w.store.head(scope)
    w.jobs.record(job, condition=Attr("status").exists(), flip=FlipTicket(deadline=time.time() + 0.5))

    def late_flip_lands(seconds: float) -> None:
        w.store.flip_head(scope, job.stage.generation, expected=expected_head)  # the write in flight
        time.sleep(seconds)

    cleanup = Cleanup(w.jobs, w.store, w.locks, w.uploads, sleep=late_flip_lands)
    restored = cleanup.abandon(job)
    assert restored is not None and restored.status is Status.RESTORED
    assert w.store.head(scope).generation == job.stage.generation
    assert {o.name for o in w.store.generation_objects(scope, job.stage.generation)}


def test_once_a_clean_up_has_fenced_a_restore_no_flip_of_it_can_start(w):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    head = w.store.head(SCOPE)
    w.cleanup.abandon(job)  # e.g. after Apply timed out before its flip
    with pytest.raises(JobStateConflict):
        w.apply.apply(w.jobs.get_restore(job.customer, job.job_id))  # a late retry of Apply
    with pytest.raises(JobStateConflict):  # and one that read the job before the fence
        w.apply._take_ticket(job)
    assert w.store.head(SCOPE) == head


def test_apply_starts_no_flip_it_may_not_see_to_its_end(w):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    head = w.store.head(SCOPE)
    with pytest.raises(TransientError):
        w.apply.apply(job, seconds_left=lambda: 5.0)
    assert w.store.head(SCOPE) == head
    assert w.jobs.get_restore(job.customer, job.job_id).flip is None
    assert w.apply.apply(job, seconds_left=lambda: 300.0).status is Status.RESTORED
