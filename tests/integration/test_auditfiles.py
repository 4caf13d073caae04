"""XAF 4.0 auditfiles made on request, through the local stack's API and the auditfile state machine.

From 1 January 2027 the Belastingdienst accepts only XAF 4.0. A retained year archived before
December 2026 holds XAF 3.2 only, under Object Lock: it is never rewritten, and yet it downloads as
4.0, made from its own records after they are verified against the signed manifest, with the file's
own SHA-256 in the Logboek. A changed byte in an archive stops the file and names the member."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import pyxaf
import requests

from kluis.books.xaf import XAF_32
from kluis.scope import Scope
from kluis_tools.seed import SeedSpec, seed
from tests.integration.harness import SMALL, Harness, logboek

CUSTOMER = "31030"
OTHER = "31031"
RETAINED = Scope(CUSTOMER, "00061", "2023")  # closed: the seed closes every year but the latest
BACKED_UP = Scope(CUSTOMER, "00061", "2024")


@pytest.fixture(scope="module")
def books(harness: Harness) -> None:
    spec = {**SMALL, "entries_per_year": 60, "documents_per_year": 2}
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00061", ("2023", "2024")),), **spec))


@pytest.fixture(scope="module")
def retained_before_40(harness: Harness, books: None) -> dict:
    """A retention archive as Kluis made them before December 2026: one auditfile.xaf, in XAF 3.2."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kluis.flows.backup.build.AUDITFILE_VERSIONS", {"auditfile.xaf": XAF_32})
        path = f"/administrations/{RETAINED.administration}/years/{RETAINED.year}/retention"
        response = harness.call("POST", path, CUSTOMER, json={})
        assert response.status_code == 202, response.text
        job = harness.wait_for(response.json()["jobId"], CUSTOMER, timeout=120)
    assert job["status"] == "ready", job
    archives = harness.call("GET", "/retained-archives", CUSTOMER).json()["archives"]
    [archive] = [
        a for a in archives if (a["administration"], a["year"]) == (RETAINED.administration, RETAINED.year)
    ]
    link = harness.call("GET", f"/retained-archives/{archive['archiveId']}/download", CUSTOMER).json()
    data = requests.get(link["downloadUrl"], timeout=60).content
    members = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert [m for m in members if m.endswith(".xaf")] == ["auditfile.xaf"]
    with pyxaf.open(zipfile.ZipFile(io.BytesIO(data)).read("auditfile.xaf")) as old:
        assert old.version.value == "3.2"
    return archive | {"data": data}


def request_auditfile(harness: Harness, path: str, customer: str = CUSTOMER, role: str | None = None) -> dict:
    response = harness.call("POST", path, customer, role=role)
    assert response.status_code == 202, response.text
    queued = response.json()
    assert (queued["kind"], queued["status"]) == ("auditfile", "queued")
    return harness.wait_for(queued["jobId"], customer, timeout=120)


def journal_entries(archive: bytes) -> int:
    journal = zipfile.ZipFile(io.BytesIO(archive)).read("records/journal_entries.jsonl")
    return sum(1 for line in journal.splitlines() if line.strip())


def test_a_retained_year_archived_with_xaf_32_only_downloads_as_xaf_40(harness, retained_before_40):
    archive_id = retained_before_40["archiveId"]
    job = request_auditfile(harness, f"/retained-archives/{archive_id}/auditfile")
    assert job["status"] == "ready", job
    assert job["downloadable"] is True
    assert job["filename"] == f"{CUSTOMER} - 00061 - 2023 - Auditfile XAF 4.0.xaf"
    assert job["source"] == {"kind": "retained", "id": archive_id}
    link = harness.call("GET", f"/jobs/{job['jobId']}/download", CUSTOMER).json()
    assert link["filename"] == job["filename"]
    xaf = requests.get(link["downloadUrl"], timeout=60).content
    assert hashlib.sha256(xaf).hexdigest() == job["details"]["sha256"]
    assert len(xaf) == job["details"]["size"]
    report = pyxaf.validate(xaf, xsd=True)
    assert report.ok, report.errors[:3]
    with pyxaf.open(xaf) as auditfile:
        assert auditfile.version.value == "4.0"
        assert sum(1 for _ in auditfile.transactions()) == journal_entries(retained_before_40["data"])
    # The locked archive itself is as it was: still one auditfile, in 3.2.
    again = harness.call("GET", f"/retained-archives/{archive_id}/download", CUSTOMER).json()
    assert requests.get(again["downloadUrl"], timeout=60).content == retained_before_40["data"]


def test_the_logboek_records_the_request_and_the_files_own_checksum(harness, retained_before_40):
    job = request_auditfile(harness, f"/retained-archives/{retained_before_40['archiveId']}/auditfile")
    query = f"?administration={RETAINED.administration}&year={RETAINED.year}"
    expected = {(job["jobId"], "auditfile.requested"), (job["jobId"], "auditfile.ready")}
    records = logboek(harness, CUSTOMER, expected, query)
    mine = [r for r in records if r.get("jobId") == job["jobId"]]
    assert {(r["action"], r["outcome"]) for r in mine} >= {
        ("auditfile.requested", "done"),
        ("auditfile.ready", "done"),
    }
    [ready] = [r for r in mine if r["action"] == "auditfile.ready"]
    assert f"sha256 {job['details']['sha256']}" in ready["detail"]


def test_a_ready_backup_downloads_as_xaf_40_too_and_a_read_only_sign_in_may_ask(harness, books):
    backup = harness.backup(BACKED_UP.administration, BACKED_UP.year, documents=False, customer=CUSTOMER)
    job = request_auditfile(harness, f"/jobs/{backup['jobId']}/auditfile", role="read-only")
    assert job["status"] == "ready" and job["source"] == {"kind": "backup", "id": backup["jobId"]}
    link = harness.call("GET", f"/jobs/{job['jobId']}/download", CUSTOMER, role="read-only").json()
    xaf = requests.get(link["downloadUrl"], timeout=60).content
    assert pyxaf.validate(xaf, xsd=True).ok
    # A read-only sign-in still cannot start anything that changes data.
    refused = harness.call(
        "POST", "/administrations/00061/years/2024/backups", CUSTOMER, role="read-only", json={}
    )
    assert refused.status_code == 403


def test_a_changed_byte_in_the_archive_stops_the_auditfile_and_names_the_member(harness, books):
    backup = harness.backup(BACKED_UP.administration, BACKED_UP.year, documents=False, customer=CUSTOMER)
    s3 = harness.stack.client("s3")
    bucket = harness.stack.name_of("ArchivesBucket")
    key = f"archives/{CUSTOMER}/{backup['jobId']}.zip"
    data = bytearray(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("records/relations.jsonl")
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    data[at] ^= 0x01
    s3.put_object(Bucket=bucket, Key=key, Body=bytes(data))
    job = request_auditfile(harness, f"/jobs/{backup['jobId']}/auditfile")
    assert job["status"] == "failed", job
    assert job["reasonCode"] in {"auditfile.archive_damaged"}, job
    assert job["reasonParams"]["name"] == "records/relations.jsonl"
    left = s3.list_objects_v2(Bucket=bucket, Prefix=f"auditfiles/{CUSTOMER}/{job['jobId']}")
    assert left.get("KeyCount", 0) == 0
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=f"auditfiles/{CUSTOMER}/{job['jobId']}")
    assert not uploads.get("Uploads")


@pytest.mark.parametrize("path", ["/retained-archives/{archive}/auditfile", "/jobs/{backup}/auditfile"])
def test_another_customers_archive_is_not_found_and_nothing_is_queued(harness, retained_before_40, path):
    backups = harness.call("GET", "/administrations/00061/years/2023/jobs", CUSTOMER).json()["jobs"]
    backup = next(j for j in backups if j["kind"] == "backup")
    target = path.format(archive=retained_before_40["archiveId"], backup=backup["jobId"])
    response = harness.call("POST", target, OTHER)
    assert response.status_code == 404, response.text
    assert harness.call("GET", "/administrations/00061/years/2023/jobs", OTHER).json().get("jobs", []) == []


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/jobs/not-a-job/auditfile", 404, "job.not_found"),
        ("/retained-archives/../auditfile", 404, None),
        ("/retained-archives/20261207T120000-000000000000/auditfile", 404, "retention.not_found"),
    ],
)
def test_bad_ids_are_refused_with_a_reason_and_change_nothing(harness, path, status, code):
    response = harness.call("POST", path, CUSTOMER)
    assert response.status_code == status, response.text
    if code:
        assert response.json()["reasonCode"] == code
