"""The restore service without the state machine around it: staging, codes, and an apply that is
safe to run twice."""

from __future__ import annotations

import io
import itertools
import json
import time
import zipfile

import pytest
from boto3.dynamodb.conditions import Attr

from kluis.archive.manifest import MANIFEST_NAME, SIGNATURE_NAME, Manifest, ManifestEntry
from kluis.archive.zipwriter import ZipWriter
from kluis.errors import Reason
from kluis.flows.backup.start import archive_key
from kluis.flows.restore.apply import StagedGenerationInvalid
from kluis.flows.restore.cleanup import Cleanup
from kluis.flows.restore.confirmation import WrongCode
from kluis.flows.restore.uploads import upload_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import FlipTicket, RestoreJob, new_backup, new_restore
from kluis.scope import Scope
from kluis.storage.data import new_generation_id
from kluis.storage.jobs import JobStateConflict, to_item
from kluis.transient import TransientError
from kluis_tools.seed import SeedSpec
from tests.hostile.corpus import CREATED
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
    assert result.accepted and steps == 10  # 5 records + 3 documents + 2 auditfiles, one per step
    stage = w.jobs.get_restore("10234", job.job_id).stage
    assert stage is not None
    staged = stage.generation
    # Everything but the auditfiles, which are verified and never staged: the records are the books.
    assert {o.name for o in w.store.generation_objects(SCOPE, staged)} == set(before)
    assert w.store.head(SCOPE) == head


def test_the_auditfile_is_verified_but_not_staged_and_the_summary_counts_what_is_restored(w):
    job = uploaded_restore(w)
    result = w.staging.stage(job, budget_seconds=600)
    assert result.accepted
    job = w.jobs.get_restore("10234", job.job_id)
    assert job.summary is not None and job.stage is not None
    assert (job.summary.records, job.summary.documents, job.summary.auditfile) == (5, 3, True)
    staged = {o.name: o.size for o in w.store.generation_objects(SCOPE, job.stage.generation)}
    assert not {"auditfile.xaf", "auditfile-3.2.xaf"} & set(staged) and len(staged) == 8
    assert job.summary.bytes == sum(staged.values())
    assert job.view()["details"]["summary"]["auditfile"] is True
    before = live(w)
    w.apply.apply(confirmed(w, job))  # Apply's inventory check agrees with what was staged
    assert live(w) == before


def rebuilt_without_auditfile(
    w: World, data: bytes, names: tuple[str, ...] = ("auditfile.xaf", "auditfile-3.2.xaf")
) -> bytes:
    """The same backup as one made before the auditfiles: its entries but `names`, signed."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(MANIFEST_NAME))
        files = {n: zf.read(n) for n in zf.namelist() if n not in (MANIFEST_NAME, SIGNATURE_NAME)}
    for name in names:
        del files[name]
    out = io.BytesIO()
    writer = ZipWriter(out)
    for name, content in files.items():
        writer.write_entry(name, [content], compress=name.endswith(".jsonl"), modified=CREATED)
    signed = Manifest(
        customer=manifest["customer"],
        administration=manifest["administration"],
        fiscal_year=manifest["fiscal_year"],
        created_at=manifest["created_at"],
        source_generation=manifest["source_generation"],
        include_documents=manifest["include_documents"],
        entries=tuple(ManifestEntry(e.name, e.size, e.sha256) for e in writer.entries),
    ).to_bytes()
    writer.write_entry(MANIFEST_NAME, [signed], compress=True, modified=CREATED)
    writer.write_entry(SIGNATURE_NAME, [w.signer.sign(signed)], compress=False, modified=CREATED)
    writer.finish()
    return out.getvalue()


@pytest.mark.parametrize(
    ("left_out", "auditfile"),
    [
        pytest.param(("auditfile.xaf", "auditfile-3.2.xaf"), False, id="made before the auditfile"),
        # Backups made before XAF 4.0 was added hold one auditfile.xaf (3.2) and no auditfile-3.2.xaf.
        pytest.param(("auditfile-3.2.xaf",), True, id="made with one auditfile, before 2026-12"),
    ],
)
def test_a_backup_of_an_earlier_format_still_restores(w, left_out, auditfile):
    job = uploaded_restore(w)
    key = upload_key("10234", job.job_id)
    data = w.s3.get_object(Bucket="uploads", Key=key)["Body"].read()
    w.s3.put_object(Bucket="uploads", Key=key, Body=rebuilt_without_auditfile(w, data, names=left_out))
    before = live(w)
    assert w.staging.stage(job, budget_seconds=600).accepted
    job = w.jobs.get_restore("10234", job.job_id)
    assert job.summary is not None and (job.summary.records, job.summary.auditfile) == (5, auditfile)
    w.apply.apply(confirmed(w, job))
    assert live(w) == before


def test_a_changed_auditfile_rejects_the_restore_and_stages_nothing_live(w):
    job = uploaded_restore(w)
    key = upload_key("10234", job.job_id)
    data = w.s3.get_object(Bucket="uploads", Key=key)["Body"].read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    xaf = files["auditfile.xaf"]
    changed = xaf.replace(b"<fiscalYear>2025", b"<fiscalYear>2024", 1)
    assert changed != xaf and len(changed) == len(xaf)
    # Rewritten as a valid ZIP with the original, signed manifest: only the SHA-256 can tell.
    out = io.BytesIO()

    writer = ZipWriter(out)
    for name, content in files.items():
        body = changed if name == "auditfile.xaf" else content
        writer.write_entry(name, [body], compress=not name.endswith((".pdf", ".sig")), modified=CREATED)
    writer.finish()
    w.s3.put_object(Bucket="uploads", Key=key, Body=out.getvalue())
    head = w.store.head(SCOPE)
    result = w.staging.stage(job, budget_seconds=600)
    assert result.done and not result.accepted
    rejected = w.jobs.get("10234", job.job_id)
    assert rejected.status is Status.REJECTED
    assert rejected.failure is not None and rejected.failure.code == "archive.checksum_mismatch"
    assert w.store.head(SCOPE).generation == head.generation


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


@pytest.mark.parametrize("change", ["replaced", "deleted", "other_counts"])
def test_apply_refuses_a_stage_whose_inventory_is_not_the_one_validation_wrote(w, change):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    assert job.stage is not None and job.inventory is not None
    head = w.store.head(SCOPE)
    key = job.inventory.key
    if change == "replaced":  # same bytes, new version: the ETag pinned in the job still matches
        w.s3.put_object(Bucket="data", Key=key, Body=w.s3.get_object(Bucket="data", Key=key)["Body"].read())
        w.s3.put_object(Bucket="data", Key=key, Body=b'{"format": "kluis-stage-inventory"}')
    elif change == "deleted":
        w.s3.delete_object(Bucket="data", Key=key)
    else:  # a summary the inventory does not match
        assert job.summary is not None
        job = job.model_copy(
            update={"summary": job.summary.model_copy(update={"bytes": job.summary.bytes + 1})}
        )
        w.jobs.table.put_item(Item=to_item(job))
    with pytest.raises(StagedGenerationInvalid):
        w.apply.apply(job)
    assert w.store.head(SCOPE) == head
    assert w.locks.holder(SCOPE) is None


def test_confirm_to_restored_takes_the_same_requests_whatever_the_stage_holds(w):
    """Apply reads the inventory (pinned to its ETag), never lists the stage."""
    counts = []
    for _ in range(2):
        job = uploaded_restore(w)
        w.staging.stage(job, budget_seconds=600)
        job = confirmed(w, job)
        calls: list[str] = []
        w.s3.meta.events.register(
            "before-send.s3", lambda event_name, calls=calls, **_: calls.append(event_name)
        )
        w.apply.apply(job)
        w.s3.meta.events.unregister("before-send.s3")
        assert not any("ListObjects" in call for call in calls)
        counts.append(len(calls))
        w.store.put(SCOPE, w.store.head(SCOPE).generation, "documents/more.pdf", b"%PDF-1.7 more")
    assert counts[0] == counts[1] <= 4


def waiting_for_the_code(w: World, job: RestoreJob, token: str = "token") -> tuple[RestoreJob, str]:
    """The job as AwaitConfirmation leaves it (with `token`), and a code that is not its code."""
    waiting = w.await_confirmation.begin(w.jobs.get_restore("10234", job.job_id), token, 60)
    assert waiting.confirmation is not None
    return waiting, "000000" if waiting.confirmation.code != "000000" else "111111"


def test_wrong_codes_count_down_and_the_last_rejects_the_restore(w):
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    _, wrong = waiting_for_the_code(w, job)
    left = []
    for _ in range(3):
        with pytest.raises(WrongCode) as error:
            w.confirmations.confirm("10234", job.job_id, wrong)
        left.append(error.value.attempts_left)
    assert left == [2, 1, 0]
    assert w.jobs.get("10234", job.job_id).status is Status.REJECTED


def test_a_retried_wait_keeps_the_code_shown_and_the_attempts_used_and_takes_the_new_token(w):
    """Step Functions retries a throttled AwaitConfirmation with a new task token (restore.asl.json)."""
    job = uploaded_restore(w)
    w.staging.stage(job, budget_seconds=600)
    first, wrong = waiting_for_the_code(w, job, "token-1")
    with pytest.raises(WrongCode):
        w.confirmations.confirm("10234", job.job_id, wrong)
    again, _ = waiting_for_the_code(w, job, "token-2")
    assert first.confirmation is not None and again.confirmation is not None
    assert again.confirmation.code == first.confirmation.code
    assert again.confirmation.attempts_left == first.confirmation.attempts_left - 1
    assert again.confirmation.task_token == "token-2"


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


def test_large_members_are_staged_in_parts_and_a_bad_one_leaves_no_object(w):
    """Members above the part size go out as multipart parts while they are read; the upload is
    completed only once the member's SHA-256 checked out, and aborted when it does not."""
    big = {
        "documents/big-1.pdf": b"%PDF-1.7 " + bytes(range(256)) * 1200,
        "records/big.jsonl": b"{}\n" * 90_000,
    }
    generation = w.store.head(SCOPE).generation
    for name, body in big.items():
        w.store.put(SCOPE, generation, name, body)
    job = uploaded_restore(w)
    before = live(w)
    w.staging.stage(job, budget_seconds=600)
    job = confirmed(w, job)
    w.apply.apply(job)
    assert live(w) == before
    assert w.s3.list_multipart_uploads(Bucket="data").get("Uploads", []) == []

    tampered = uploaded_restore(w)
    key = upload_key("10234", tampered.job_id)
    data = w.s3.get_object(Bucket="uploads", Key=key)["Body"].read()
    at = data.index(bytes(range(256)) * 4)  # inside documents/big-1.pdf, STORED
    w.s3.put_object(Bucket="uploads", Key=key, Body=data[:at] + b"X" + data[at + 1 :])
    head = w.store.head(SCOPE)
    result = w.staging.stage(tampered, budget_seconds=600)
    assert result.done and not result.accepted
    assert w.jobs.get("10234", tampered.job_id).status is Status.REJECTED
    assert w.s3.list_multipart_uploads(Bucket="data").get("Uploads", []) == []
    assert w.store.head(SCOPE).generation == head.generation  # a rejection never writes HEAD


# -- the books preview -------------------------------------------------------------------------------
def newer_live_books(w: World, scope: Scope = SCOPE) -> None:
    """Live books moved on since the backup: two entries after its last, and Q4's VAT return filed."""
    head = w.store.head(scope)
    assert head is not None
    generation = new_generation_id()
    for name, body in live(w, scope).items():
        if name == "records/journal_entries.jsonl":
            later = [
                {
                    "id": f"je-later-{n}",
                    "date": "2025-12-30",
                    "journal": "memoriaal",
                    "description": "Correctie",
                    "lines": [
                        {"account": "4000", "debit": "10.00", "credit": "0.00"},
                        {"account": "1100", "debit": "0.00", "credit": "10.00"},
                    ],
                }
                for n in range(2)
            ]
            body += b"".join(json.dumps(entry).encode() + b"\n" for entry in later)
        elif name == "records/vat_returns.jsonl":
            body = body.replace(b'"status":"open"', b'"status":"filed"')
        w.store.put(scope, generation, name, body)
    w.store.flip_head(scope, generation, head)


def test_an_identical_restore_previews_the_books_without_differences(w):
    job = uploaded_restore(w)
    assert w.staging.stage(job, budget_seconds=600).accepted
    job = w.jobs.get_restore("10234", job.job_id)
    assert job.books is not None and job.books.identical and not job.books.warnings
    assert job.books.backup.entries == job.books.live.entries > 0  # type: ignore[union-attr]
    assert job.books.backup.documents == 3
    view = job.view()["details"]["books"]
    assert view["journalsDiffering"] == view["accountsDiffering"] == view["vatReturnsDiffering"] == 0
    assert view["backup"]["entries"] == view["live"]["entries"]


def test_an_older_backup_over_newer_books_warns_of_what_is_lost(w):
    job = uploaded_restore(w)
    newer_live_books(w)
    assert w.staging.stage(job, budget_seconds=600).accepted
    books = w.jobs.get_restore("10234", job.job_id).books
    assert books is not None and not books.identical
    codes = [warning.code for warning in books.warnings]
    assert codes == ["books.filed_vat_returns_reopened", "books.newer_entries_lost"]
    assert books.warnings[1].params["entries"] == 2
    memoriaal = next(j for j in books.journals if j.journal == "memoriaal")
    assert (memoriaal.live_entries - memoriaal.backup_entries, memoriaal.lost_entries) == (2, 2)
    assert {a.account for a in books.accounts} == {"4000", "1100"}
    # The job's JSON round-trips through the jobs table: decimals as strings, dates in ISO 8601.
    shown = w.jobs.get_restore("10234", job.job_id).view()["details"]["books"]
    assert shown["warnings"][1] == {
        "code": "books.newer_entries_lost",
        "params": {"entries": 2, "after": books.backup.last_entry_date.isoformat()},  # type: ignore[union-attr]
    }
    assert all(isinstance(a["change"], str) for a in shown["accounts"])


def test_a_transfer_into_an_empty_administration_previews_the_backup_alone(w):
    job = uploaded_restore(w, customer="20345")
    assert w.staging.stage(job, budget_seconds=600).accepted
    job = w.jobs.get_restore("20345", job.job_id)
    assert job.books is not None and job.books.live is None and not job.books.identical
    assert job.books.backup.entries > 0
    view = job.view()["details"]
    assert view["summary"]["transfer"] is True and view["books"]["live"] is None


def test_a_restore_goes_on_without_a_preview_when_none_can_be_made(w, monkeypatch):
    def odd(*args, **kwargs):
        raise ValueError("records the summary cannot make sense of")

    monkeypatch.setattr("kluis.flows.restore.books.preview", odd)
    job = uploaded_restore(w)
    assert w.staging.stage(job, budget_seconds=600).accepted
    job = w.jobs.get_restore("10234", job.job_id)
    assert job.books is None and "books" not in job.view()["details"]
    w.apply.apply(confirmed(w, job))
    assert w.jobs.get_restore("10234", job.job_id).status is Status.RESTORED
