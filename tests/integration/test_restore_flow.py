"""Restore, end to end: presigned upload, the S3 event, the real restore state machine in moto with
the real handlers, the verification code, and the atomic HEAD flip."""

from __future__ import annotations

import io
import json
import os
import zipfile

import boto3
import pytest

from kluis.scope import Scope
from tests.integration.harness import (
    CUSTOMER,
    OTHER_CUSTOMER,
    Harness,
    archive_members,
    change_live_data,
    open_zip,
)

SCOPE = Scope(CUSTOMER, "00017", "2025")
WAITING = {"awaiting-confirmation"}


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    return harness.download(harness.backup(documents=True)).content


def confirm(harness: Harness, job: dict, code: str | None = None, customer: str = CUSTOMER):
    return harness.call(
        "POST",
        f"/restores/{job['jobId']}/confirm",
        customer,
        json={"code": code or job["details"]["verificationCode"]},
    )


def test_backup_then_restore_round_trip_is_byte_for_byte(harness, backup):
    change_live_data(harness.store, SCOPE)
    changed = harness.snapshot(SCOPE)
    created = harness.start_restore(backup, filename="whatever I called it.zip")
    assert created["status"] == "awaiting-upload"
    job = harness.wait_until(created["jobId"], WAITING)
    assert job["status"] == "awaiting-confirmation", job
    summary = job["details"]["summary"]
    assert (summary["administration"], summary["year"], summary["sourceCustomer"]) == (
        "00017",
        "2025",
        CUSTOMER,
    )
    assert summary["replacesExisting"] is True
    assert summary["documents"] > 0 and summary["records"] == 5 and summary["auditfile"] is True
    # The books preview: the backup's records against the live ones, which gained one account.
    books = job["details"]["books"]
    assert books["backup"]["entries"] == books["live"]["entries"] > 0
    assert books["journalsDiffering"] == 0 and books["warnings"] == []
    assert job["details"]["attemptsLeft"] == 5
    assert harness.snapshot(SCOPE)[0] == changed[0]  # nothing live changed before the code

    accepted = confirm(harness, job)
    assert accepted.status_code == 202, accepted.text
    done = harness.wait_for(job["jobId"])
    assert done["status"] == "restored", done
    generation, live, _ = harness.snapshot(SCOPE)
    assert live == archive_members(backup)
    assert generation == done["details"]["generation"] != changed[0]
    assert not harness.upload_exists(job["jobId"])
    assert harness.execution(job["jobId"], "RestoreStateMachine")["status"] == "SUCCEEDED"


def test_a_renamed_file_restores_to_the_manifests_administration_and_year(harness):
    data = harness.download(harness.backup(year="2024", documents=False)).content
    other_year = harness.snapshot(SCOPE)
    job = harness.wait_until(
        harness.start_restore(data, "10234 - 00017 - 2025 - Backup.zip")["jobId"], WAITING
    )
    assert job["details"]["summary"]["year"] == "2024"
    assert confirm(harness, job).status_code == 202
    assert harness.wait_for(job["jobId"])["status"] == "restored"
    assert harness.snapshot(Scope(CUSTOMER, "00017", "2024"))[1] == archive_members(data)
    assert harness.snapshot(SCOPE)[:2] == other_year[:2]


def test_a_backup_moves_to_another_licence(harness, backup):
    target = Scope(OTHER_CUSTOMER, "00017", "2025")
    before = harness.snapshot(SCOPE)
    job = harness.wait_until(
        harness.start_restore(backup, customer=OTHER_CUSTOMER)["jobId"], WAITING, OTHER_CUSTOMER
    )
    assert job["details"]["summary"]["sourceCustomer"] == CUSTOMER
    assert job["details"]["summary"]["transfer"] is True
    books = job["details"]["books"]  # the backup's books against what the other licence has there
    assert books["backup"]["entries"] > 0 and "warnings" in books
    assert confirm(harness, job, customer=OTHER_CUSTOMER).status_code == 202
    assert harness.wait_for(job["jobId"], OTHER_CUSTOMER)["status"] == "restored"
    assert harness.snapshot(target)[1] == archive_members(backup)
    assert harness.snapshot(SCOPE)[:2] == before[:2]  # the source licence is untouched


def test_a_wrong_code_counts_down_and_changes_nothing(harness, backup):
    before = harness.snapshot(SCOPE)
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    right = job["details"]["verificationCode"]
    wrong = confirm(harness, job, code="000000" if right != "000000" else "111111")
    assert wrong.status_code == 400
    assert wrong.json()["attemptsLeft"] == 4
    assert "not the verification code" in wrong.json()["message"]
    assert harness.call("GET", f"/jobs/{job['jobId']}").json()["status"] == "awaiting-confirmation"
    assert harness.call("POST", f"/restores/{job['jobId']}/cancel").status_code == 200
    assert harness.wait_for(job["jobId"])["status"] == "cancelled"
    assert discarded(harness, job["jobId"])  # its clean-up step has run
    assert harness.snapshot(SCOPE) == before


def test_too_many_wrong_codes_reject_the_restore_and_change_nothing(harness, backup):
    before = harness.snapshot(SCOPE)
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    wrong = "000000" if job["details"]["verificationCode"] != "000000" else "111111"
    answers = [confirm(harness, job, code=wrong).json()["attemptsLeft"] for _ in range(5)]
    assert answers == [4, 3, 2, 1, 0]
    final = harness.wait_for(job["jobId"])
    assert final["status"] == "rejected"
    assert "Too many wrong verification codes" in final["reason"]
    assert confirm(harness, job).status_code == 409  # even the right code is too late now
    assert discarded(harness, job["jobId"])
    assert harness.snapshot(SCOPE) == before
    assert not harness.upload_exists(job["jobId"])


def test_an_unconfirmed_restore_expires_and_changes_nothing(harness, backup, configure):
    configure(CONFIRMATION_TIMEOUT_SECONDS="2")
    before = harness.snapshot(SCOPE)
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    final = harness.wait_for(job["jobId"], timeout=30)
    assert final["status"] == "expired"
    assert "not confirmed in time" in final["reason"]
    assert harness.snapshot(SCOPE) == before
    assert not harness.upload_exists(job["jobId"])


def test_cancel_before_upload_and_after_validation(harness, backup):
    before = harness.snapshot(SCOPE)
    created = harness.call("POST", "/restores", json={}).json()
    assert harness.call("POST", f"/restores/{created['jobId']}/cancel").json()["status"] == "cancelled"
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    assert harness.call("POST", f"/restores/{job['jobId']}/cancel").json()["status"] == "cancelled"
    assert harness.wait_for(job["jobId"])["reason"] == "The restore was cancelled. Nothing was changed."
    assert discarded(harness, job["jobId"])
    assert harness.snapshot(SCOPE) == before


def rezip(data: bytes, edit=None, extra: list[tuple[str, bytes]] = ()) -> bytes:
    source = open_zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(
                info, edit(info.filename, content) if edit else content, compress_type=info.compress_type
            )
        for name, content in extra:
            target.writestr(name, content)
    return out.getvalue()


def tampered_entry(data: bytes) -> bytes:
    return rezip(
        data, lambda n, c: c.replace(b"Kas", b"Kat", 1) if n == "records/ledger_accounts.jsonl" else c
    )


def tampered_manifest(data: bytes) -> bytes:
    return rezip(data, lambda n, c: c.replace(b'"2025"', b'"2024"') if n == "manifest.json" else c)


def foreign_signature(data: bytes) -> bytes:
    """Signed properly, but with another deployment's HMAC key."""
    from kluis.archive.signature import ManifestSigner

    kms = boto3.client("kms", region_name="eu-west-1")
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    manifest = open_zip(data).read("manifest.json")
    signature = ManifestSigner(kms, key).sign(manifest)
    return rezip(data, lambda n, c: signature if n == "manifest.sig" else c)


def duplicate_name(data: bytes) -> bytes:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rezip(data, extra=[("records/ledger_accounts.jsonl", b"{}\n")])


def dotdot_name(data: bytes) -> bytes:
    return rezip(data, extra=[("../../etc/cron.d/evil", b"* * * * * root sh\n")])


def zip_bomb(_: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("records/journal_entries.jsonl", b"\0" * (64 * 1024 * 1024))
    return out.getvalue()


def not_a_zip(_: bytes) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(4096)


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (tampered_entry, "differs from what the backup's manifest says"),
        (tampered_manifest, "signature is not valid"),
        (foreign_signature, "signature is not valid"),
        (duplicate_name, "twice"),
        (dotdot_name, "outside"),
        (zip_bomb, ""),
        (not_a_zip, "not a ZIP"),
    ],
    ids=[
        "tampered-entry",
        "tampered-manifest",
        "foreign-signature",
        "duplicate-names",
        "dotdot-name",
        "zip-bomb",
        "not-a-zip",
    ],
)
def test_a_hostile_or_damaged_file_is_rejected_with_a_reason_and_changes_nothing(
    harness, backup, make, words
):
    before = harness.snapshot(SCOPE)
    job = harness.wait_for(harness.start_restore(make(backup))["jobId"])
    assert job["status"] == "rejected", job
    assert job["reason"] and words.lower() in job["reason"].lower(), job["reason"]
    assert harness.snapshot(SCOPE) == before
    assert not harness.upload_exists(job["jobId"])


def test_a_fault_in_apply_before_the_flip_leaves_the_old_data_live(harness, backup):
    before = harness.snapshot(SCOPE)
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    # Damage the staged generation behind the state machine's back (its inventory, the one object
    # Apply checks instead of listing the stage): apply must refuse to flip.
    staged = (harness.generations(SCOPE) - before[2]).pop()
    s3 = harness.stack.client("s3")
    s3.delete_object(
        Bucket=harness.stack.name_of("DataBucket"), Key=f"{SCOPE.prefix}gen/{staged}/stage-inventory.json"
    )
    assert confirm(harness, job).status_code == 202
    final = harness.wait_for(job["jobId"])
    assert final["status"] == "failed"
    assert "existing data was not changed" in final["reason"]
    assert harness.snapshot(SCOPE) == before  # the damaged stage was removed too
    assert harness.execution(job["jobId"], "RestoreStateMachine")["status"] == "FAILED"


def test_a_duplicated_upload_event_starts_one_execution(harness, backup):
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    key = f"uploads/{CUSTOMER}/{job['jobId']}.zip"
    event = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Post",
                "s3": {
                    "bucket": {"name": harness.stack.name_of("UploadsBucket")},
                    "object": {"key": key, "size": len(backup)},
                },
            }
        ]
    }
    lam = harness.stack.client("lambda")
    for _ in range(3):
        answer = json.loads(
            lam.invoke(
                FunctionName=harness.stack.name_of("RestoreTriggerFunction"), Payload=json.dumps(event)
            )["Payload"].read()
        )
        assert answer == {key: "ignored"}
    assert harness.executions(job["jobId"]) == 1
    assert harness.upload_exists(job["jobId"])
    harness.call("POST", f"/restores/{job['jobId']}/cancel")


def test_an_upload_that_no_job_expects_is_deleted(harness):
    s3 = harness.stack.client("s3")
    bucket = harness.stack.name_of("UploadsBucket")
    for key in (f"uploads/{CUSTOMER}/20990101T000000-aaaaaaaaaaaa.zip", f"uploads/{CUSTOMER}/evil.zip"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"PK not really")
        assert s3.list_objects_v2(Bucket=bucket, Prefix=key)["KeyCount"] == 0


def test_another_customer_cannot_read_confirm_or_cancel_a_restore(harness, backup):
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    code = job["details"]["verificationCode"]
    assert harness.call("GET", f"/jobs/{job['jobId']}", OTHER_CUSTOMER).status_code == 404
    assert confirm(harness, job, code=code, customer=OTHER_CUSTOMER).status_code == 404
    assert harness.call("POST", f"/restores/{job['jobId']}/cancel", OTHER_CUSTOMER).status_code == 404
    assert harness.call("GET", f"/jobs/{job['jobId']}").json()["status"] == "awaiting-confirmation"
    harness.call("POST", f"/restores/{job['jobId']}/cancel")


def test_confirming_a_job_that_is_not_waiting_is_409(harness):
    created = harness.call("POST", "/restores", json={}).json()
    response = harness.call("POST", f"/restores/{created['jobId']}/confirm", json={"code": "123456"})
    assert response.status_code == 409
    assert "not awaiting confirmation" in response.json()["message"]


def test_validation_out_of_time_continues_in_next_invocations(harness, backup, configure):
    configure(STAGE_TIME_BUDGET_SECONDS="0")  # stage one member per invocation
    job = harness.wait_until(harness.start_restore(backup)["jobId"], WAITING)
    members = len(open_zip(backup).namelist()) - 2  # all but manifest.json and manifest.sig
    assert harness.entered(job["jobId"], "Validate", "RestoreStateMachine") == members
    assert confirm(harness, job).status_code == 202
    assert harness.wait_for(job["jobId"])["status"] == "restored"
    assert harness.snapshot(SCOPE)[1] == archive_members(backup)


def discarded(harness: Harness, job_id: str) -> bool:
    """The restore's execution has ended through its Discard step (which removes stage and upload)."""
    ended = harness.execution(job_id, "RestoreStateMachine")["status"] == "SUCCEEDED"
    return ended and harness.entered(job_id, "Discarded", "RestoreStateMachine") == 1
