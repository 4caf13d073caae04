"""Backup, end to end: the HTTP API, the real backup state machine in moto, the real handlers."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import pyxaf

from kluis.archive.signature import ManifestSigner
from kluis.archive.validation import open_archive
from kluis.archive.zipreader import ArchiveRejected, BytesSource
from kluis.jobs.model import new_backup
from kluis.scope import Scope
from kluis.storage.jobs import JobStore
from tests.archive_reading import read_manifest
from tests.integration.harness import CUSTOMER, OTHER_CUSTOMER, Harness, open_zip


@pytest.fixture(scope="module")
def with_documents(harness: Harness) -> tuple[dict, bytes, str]:
    job = harness.backup(documents=True)
    response = harness.download(job)
    return job, response.content, response.headers.get("Content-Disposition", "")


def signer(harness: Harness) -> ManifestSigner:
    return ManifestSigner(harness.stack.client("kms"), harness.stack.environment["MAC_KEY_ID"])


def test_a_backup_with_documents_becomes_ready_with_full_progress(harness, with_documents):
    job, _, _ = with_documents
    assert job["status"] == "ready"
    assert job["progress"]["percent"] == 100
    assert job["progress"]["entries_done"] == job["progress"]["entries_total"]
    assert harness.execution(job["jobId"])["status"] == "SUCCEEDED"


def test_the_download_is_named_for_customer_administration_and_year(with_documents):
    job, _, disposition = with_documents
    assert job["filename"] == "10234 - 00017 - 2025 - Backup.zip"
    assert disposition == 'attachment; filename="10234 - 00017 - 2025 - Backup.zip"'


def test_the_archive_opens_with_zipfile_and_unzip(with_documents):
    _, data, _ = with_documents
    assert open_zip(data).testzip() is None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "backup.zip"
        path.write_bytes(data)
        result = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No errors detected" in result.stdout


def test_the_manifest_names_the_identity_and_the_live_generation(harness, with_documents):
    _, data, _ = with_documents
    manifest = read_manifest(open_zip(data).read("manifest.json"))
    head = harness.store.head(Scope(CUSTOMER, "00017", "2025"))
    assert (manifest.customer, manifest.administration, manifest.fiscal_year) == (CUSTOMER, "00017", "2025")
    assert manifest.source_generation == head.generation
    assert manifest.include_documents is True
    assert re.match(r"^\d{4}-\d\d-\d\dT", manifest.created_at)


def test_every_entry_is_the_live_data_byte_for_byte_and_proposals_are_absent(harness, with_documents):
    _, data, _ = with_documents
    archive = open_zip(data)
    scope = Scope(CUSTOMER, "00017", "2025")
    live = {
        obj.name: obj for obj in harness.store.generation_objects(scope, harness.store.head(scope).generation)
    }
    members = set(archive.namelist()) - {
        "manifest.json",
        "manifest.sig",
        "auditfile.xaf",
        "auditfile-3.2.xaf",
    }
    assert members == set(live)
    assert any(name.startswith("documents/") for name in members)
    assert not any("proposal" in name for name in archive.namelist())
    for name in members:
        assert archive.read(name) == harness.store.open(live[name].key).read(), name
    methods = {info.filename: info.compress_type for info in archive.infolist()}
    assert all(methods[n] == 8 for n in members if n.startswith("records/"))  # DEFLATE
    assert all(methods[n] == 0 for n in members if n.startswith("documents/"))  # STORED


@pytest.mark.parametrize(("name", "version"), [("auditfile.xaf", "4.0"), ("auditfile-3.2.xaf", "3.2")])
def test_the_download_holds_auditfiles_that_read_back_as_the_records(harness, with_documents, name, version):
    """A backup of fiscal year 2025 made now: auditfile.xaf in XAF 4.0 (all the Belastingdienst
    accepts from 1 January 2027) and auditfile-3.2.xaf beside it, each valid against its official
    XSD (pyxaf's), with the same transactions, debit and credit totals and accounts as the records."""
    _, data, _ = with_documents
    archive = open_zip(data)
    xaf = archive.read(name)
    listed = {e.path: e for e in read_manifest(archive.read("manifest.json")).entries}
    assert listed[name].size == len(xaf)
    report = pyxaf.validate(xaf, xsd=True)
    assert "L4x xsd" in report.checked and report.ok, report.errors
    entries = [json.loads(line) for line in archive.read("records/journal_entries.jsonl").splitlines()]
    lines = [line for entry in entries for line in entry["lines"]]
    accounts = {json.loads(a)["code"] for a in archive.read("records/ledger_accounts.jsonl").splitlines()}
    with pyxaf.open(xaf) as af:
        assert af.version.value == version
        assert len(list(af.transactions())) == len(entries)
        totals = af.transaction_totals
        assert (totals.lines_count, totals.total_debit, totals.total_credit) == (
            len(lines),
            sum(Decimal(x["debit"]) for x in lines),
            sum(Decimal(x["credit"]) for x in lines),
        )
        assert set(af.accounts) == accounts
    ready = harness.call("GET", f"/jobs/{with_documents[0]['jobId']}").json()
    assert ready["details"]["auditfile"] is True


def test_signature_and_every_checksum_verify(harness, with_documents):
    _, data, _ = with_documents
    archive = open_archive(BytesSource(data), signer(harness))
    archive.verify()
    assert archive.manifest.document_count > 0


def test_a_backup_without_documents_holds_records_only(harness):
    job = harness.backup(documents=False)
    data = harness.download(job).content
    manifest = read_manifest(open_zip(data).read("manifest.json"))
    assert manifest.include_documents is False
    assert manifest.document_count == 0
    assert all(
        name.startswith(("records/", "manifest.")) or name in ("auditfile.xaf", "auditfile-3.2.xaf")
        for name in open_zip(data).namelist()
    )
    open_archive(BytesSource(data), signer(harness)).verify()


def test_a_tampered_entry_fails_verification(harness, with_documents):
    _, data, _ = with_documents
    tampered = rewrite(
        data,
        lambda name, content: (
            content.replace(b"Bank", b"Bonk", 1) if name == "records/ledger_accounts.jsonl" else content
        ),
    )
    archive = open_archive(BytesSource(tampered), signer(harness))
    with pytest.raises(ArchiveRejected) as rejected:
        archive.verify()
    assert rejected.value.family == "checksum-mismatch"


def test_a_tampered_manifest_fails_the_signature(harness, with_documents):
    _, data, _ = with_documents

    def edit(name: str, content: bytes) -> bytes:
        return (
            content.replace(b'"fiscal_year": "2025"', b'"fiscal_year": "2024"')
            if name == "manifest.json"
            else content
        )

    with pytest.raises(ArchiveRejected) as rejected:
        open_archive(BytesSource(rewrite(data, edit)), signer(harness))
    assert rejected.value.family == "bad-signature"


def test_another_customer_cannot_see_the_job(harness, with_documents):
    job, _, _ = with_documents
    response = harness.call("GET", f"/jobs/{job['jobId']}", customer=OTHER_CUSTOMER)
    assert response.status_code == 404
    assert "downloadUrl" not in response.text


def test_a_download_link_only_for_the_owner_of_a_ready_backup(harness, with_documents):
    job, _, _ = with_documents
    other = harness.call("GET", f"/jobs/{job['jobId']}/download", customer=OTHER_CUSTOMER)
    assert other.status_code == 404 and "downloadUrl" not in other.text
    assert other.json()["reasonCode"] == "job.not_found"
    unknown = harness.call("GET", "/jobs/01J00000000000000000000000/download")
    assert unknown.status_code == 404
    # A read-only sign-in (after the licence ended) may still download: it changes nothing.
    read_only = harness.call("GET", f"/jobs/{job['jobId']}/download", role="read-only")
    assert read_only.status_code == 200 and read_only.json()["downloadUrl"]


def test_no_download_link_for_a_job_that_is_not_a_ready_backup(harness):
    restore = harness.call("POST", "/restores", json={}).json()
    response = harness.call("GET", f"/jobs/{restore['jobId']}/download")
    assert response.status_code == 409, response.text
    assert response.json()["reasonCode"] == "backup.download_not_ready"
    assert response.json()["reasonParams"] == {"status": "awaiting-upload"}
    harness.call("POST", f"/restores/{restore['jobId']}/cancel")


def test_no_download_link_once_the_archive_expired(harness):
    job = harness.backup(year="2024", documents=False)
    table = harness.stack.resource("dynamodb").Table(harness.stack.name_of("JobsTable"))
    table.update_item(
        Key={"pk": CUSTOMER, "sk": f"job#{job['jobId']}"},
        UpdateExpression="SET #archive.created_at = :long_ago",
        ExpressionAttributeNames={"#archive": "archive"},
        ExpressionAttributeValues={":long_ago": "2020-01-01T00:00:00Z"},
    )
    view = harness.call("GET", f"/jobs/{job['jobId']}").json()
    assert "downloadable" not in view and view["status"] == "ready"
    response = harness.call("GET", f"/jobs/{job['jobId']}/download")
    assert response.status_code == 409, response.text
    assert response.json()["reasonCode"] == "backup.download_expired"


def test_a_request_without_a_valid_token_is_refused(harness):
    assert harness.call("GET", "/administrations", customer=None).status_code == 401
    bad = harness.call(
        "GET", "/administrations", customer=None, headers={"Authorization": "Bearer not.a.jwt"}
    )
    assert bad.status_code == 401


def test_unknown_administration_is_404_not_an_empty_zip(harness):
    response = harness.call(
        "POST", "/administrations/00099/years/2025/backups", json={"includeDocuments": False}
    )
    assert response.status_code == 404
    assert "do not exist" in response.json()["message"]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/administrations/17/years/2025/backups", {"includeDocuments": False}, 400),
        ("/administrations/00017/years/25/backups", {"includeDocuments": False}, 400),
        ("/administrations/00017/years/2025/backups", {"includeDocuments": "yes"}, 422),
        ("/administrations/00017/years/2025/backups", {"includeDocuments": True, "customer": "20567"}, 422),
    ],
)
def test_invalid_requests_get_a_clear_4xx_and_start_nothing(harness, path, body, status):
    before = len(harness.call("GET", "/administrations/00017/years/2025/jobs").json()["jobs"])
    response = harness.call("POST", path, json=body)
    assert response.status_code == status, response.text
    assert response.json().get("message") or response.json().get("detail")
    assert len(harness.call("GET", "/administrations/00017/years/2025/jobs").json()["jobs"]) == before


def test_the_customer_comes_from_the_token_only(harness):
    listed = harness.call("GET", "/administrations", customer=OTHER_CUSTOMER).json()["administrations"]
    assert listed == [{"administration": "00017", "year": "2025"}]


def test_a_failing_build_marks_the_job_failed_with_a_readable_reason(harness):
    """A job for an administration with no data, started behind the API's back: the ASL's Catch
    records the failure through the real JobFailed function."""
    jobs = JobStore(harness.stack.resource("dynamodb"), harness.stack.name_of("JobsTable"))
    job = jobs.create(new_backup(Scope(CUSTOMER, "00099", "2025"), include_documents=False))
    harness.stack.client("stepfunctions").start_execution(
        stateMachineArn=harness.stack.name_of("BackupStateMachine"),
        name=job.job_id,
        input=json.dumps({"jobId": job.job_id, "customer": CUSTOMER}),
    )
    failed = harness.wait_for(job.job_id)
    assert failed["status"] == "failed"
    assert (
        failed["reason"]
        == "This administration and fiscal year hold no data, so there is nothing to back up."
    )
    assert "downloadUrl" not in failed and "downloadable" not in failed
    assert harness.execution(job.job_id)["status"] == "FAILED"


def rewrite(data: bytes, edit) -> bytes:
    """The same archive with members changed by `edit(name, content)`, written by zipfile."""
    import io
    import zipfile

    source = open_zip(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(
                info, edit(info.filename, source.read(info.filename)), compress_type=info.compress_type
            )
    return out.getvalue()


def test_a_build_out_of_time_continues_in_next_invocations_to_the_same_archive(harness, configure):
    configure(BUILD_TIME_BUDGET_SECONDS="0")  # checkpoint after every entry
    job = harness.backup(documents=True)
    assert job["status"] == "ready"
    assert harness.entered(job["jobId"], "Build") == job["progress"]["entries_total"]
    data = harness.download(job).content
    archive = open_archive(BytesSource(data), signer(harness))
    archive.verify()
    assert open_zip(data).testzip() is None
    s3 = harness.stack.client("s3")
    # Only this job's: other tests' builds may still be running, checkpointing after every entry too.
    prefix = f"checkpoints/{CUSTOMER}/{job['jobId']}"
    leftovers = s3.list_objects_v2(Bucket=harness.stack.name_of("ArchivesBucket"), Prefix=prefix)
    assert leftovers.get("KeyCount", 0) == 0, [o["Key"] for o in leftovers.get("Contents", [])]
