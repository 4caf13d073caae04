"""Year-end retention archives through the local stack: a closed year gets one by itself, locked in
COMPLIANCE mode until its fiscal year's end plus 7 years (moto enforces the lock: deleting the
version fails); any year gets one on request (10 years on ask); a customer whose licence ended still
downloads it with a read-only sign-in, which can change nothing; an operator sets a legal hold."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
import requests
from botocore.exceptions import ClientError

from kluis.scope import Scope
from kluis.storage.data import new_generation_id
from kluis_tools import ops
from kluis_tools.seed import SeedSpec, seed
from tests.integration.harness import SMALL, Harness, change_live_data

CUSTOMER = "31020"
CLOSED = Scope(CUSTOMER, "00051", "2023")  # the seed closes every year but the latest
OPEN = Scope(CUSTOMER, "00051", "2024")
LONG_AGO = Scope(CUSTOMER, "00052", "2012")  # closed in 2012: its 7 years ended in 2020


@pytest.fixture(scope="module")
def books(harness: Harness) -> None:
    spec = {**SMALL, "entries_per_year": 40, "documents_per_year": 2}
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00051", ("2023", "2024")),), **spec))
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00052", ("2012", "2013")),), **spec))


@pytest.fixture
def operator(harness: Harness, monkeypatch: pytest.MonkeyPatch):
    # Put back as it was, not removed: the local stack keeps every function's variables in this
    # process's environment, and a function that starts cold later reads RETENTION_BUCKET there.
    monkeypatch.setenv("RETENTION_BUCKET", harness.stack.name_of("RetentionBucket"))

    def run(*argv: str) -> dict:
        printed: list[str] = []
        code = ops.main(list(argv), out=printed.append)
        return json.loads(printed[0]) | {"exitCode": code}

    return run


def sweep(harness: Harness) -> dict[str, str]:
    """Run the daily sweep and wait for every archive it started (of any test's closed years)."""
    started = harness.stack.run_scheduled("RetainClosedYearsFunction")["started"]
    for scope, job_id in started.items():
        customer = scope.split("/")[0]
        job = harness.wait_for(job_id, customer, timeout=120)
        assert job["status"] == "ready", job
    return started


def retained(harness: Harness, role: str | None = None) -> list[dict]:
    response = harness.call("GET", "/retained-archives", CUSTOMER, role=role)
    assert response.status_code == 200, response.text
    return response.json()["archives"]


def test_a_closed_year_gets_its_archive_locked_until_seven_years_after_its_end(harness: Harness, books):
    started = sweep(harness)
    assert str(CLOSED) in started and str(OPEN) not in started and str(LONG_AGO) not in started
    job = harness.wait_for(started[str(CLOSED)], CUSTOMER)
    assert job["retention"] == {"years": 7, "why": "closed", "retainUntil": "2031-01-01T00:00:00+00:00"}

    [archive] = [a for a in retained(harness) if a["year"] == CLOSED.year]
    assert (
        archive["fiscalYearEnd"] == "2023-12-31"
        and archive["filename"] == "31020 - 00051 - 2023 - Backup.zip"
    )

    s3, bucket = harness.stack.client("s3"), harness.stack.name_of("RetentionBucket")
    key = f"retained/{CUSTOMER}/00051/2023/{archive['archiveId']}.zip"
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # An overwrite makes a new version above it; the locked one stays as it was.
    original = s3.get_object(Bucket=bucket, Key=key, VersionId=head["VersionId"])["Body"].read()
    s3.put_object(Bucket=bucket, Key=key, Body=b"not a backup", ChecksumAlgorithm="SHA256")
    kept = s3.get_object(Bucket=bucket, Key=key, VersionId=head["VersionId"])
    assert kept["Body"].read() == original and kept["ObjectLockMode"] == "COMPLIANCE"
    assert len(original) == archive["size"]
    link = harness.call("GET", f"/retained-archives/{archive['archiveId']}/download", CUSTOMER).json()
    assert requests.get(link["downloadUrl"], timeout=60).content == original  # the link names the version

    assert str(CLOSED) not in sweep(harness)  # once per closed year and live data


def test_the_archive_is_the_complete_backup_and_downloads_after_the_licence_ended(harness: Harness, books):
    sweep(harness)
    [archive] = [a for a in retained(harness, role="read-only") if a["year"] == CLOSED.year]
    link = harness.call(
        "GET", f"/retained-archives/{archive['archiveId']}/download", CUSTOMER, role="read-only"
    )
    assert link.status_code == 200, link.text
    download = requests.get(link.json()["downloadUrl"], timeout=60)
    assert download.status_code == 200
    assert "31020 - 00051 - 2023 - Backup.zip" in download.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive_zip:
        manifest = json.loads(archive_zip.read("manifest.json"))
        names = archive_zip.namelist()
    assert (manifest["administration"], manifest["fiscal_year"]) == ("00051", "2023")
    assert manifest["include_documents"] and any(name.startswith("documents/") for name in names)

    # A read-only sign-in starts and changes nothing.
    for method, path, body in (
        ("POST", "/administrations/00051/years/2024/backups", {}),
        ("POST", "/administrations/00051/years/2024/retention", {}),
        ("POST", "/restores", {}),
    ):
        refused = harness.call(method, path, CUSTOMER, role="read-only", json=body)
        assert refused.status_code == 403, refused.text
        assert refused.json()["reasonCode"] == "request.read_only"
    assert harness.call("GET", "/administrations", CUSTOMER, role="read-only").status_code == 200


def test_any_year_on_request_and_ten_years_on_ask(harness: Harness, books):
    refused = harness.call("POST", "/administrations/00051/years/2024/retention", CUSTOMER, json={"years": 8})
    assert refused.status_code == 422, refused.text
    response = harness.call(
        "POST", "/administrations/00051/years/2024/retention", CUSTOMER, json={"years": 10}
    )
    assert response.status_code == 202, response.text
    job = harness.wait_for(response.json()["jobId"], CUSTOMER, timeout=120)
    assert job["status"] == "ready" and job["includeDocuments"]
    assert job["retention"] == {"years": 10, "why": "requested", "retainUntil": "2035-01-01T00:00:00+00:00"}
    assert [a["years"] for a in retained(harness) if a["year"] == "2024"] == [10]

    over = harness.call("POST", "/administrations/00052/years/2012/retention", CUSTOMER, json={})
    assert over.status_code == 409 and over.json()["reasonCode"] == "retention.period_over"


def test_a_year_without_its_fiscal_year_record_is_kept_from_the_calendar_years_end(harness: Harness, books):
    """Issue 20: RetainArchiveFunction asks for records/fiscal_year.jsonl, which such a year lacks;
    without s3:ListBucket S3 answers 403, not 404, and the archive failed."""
    scope = Scope(CUSTOMER, "00053", "2022")
    store = harness.store
    seed(store, SeedSpec(customer=CUSTOMER, administrations=(("00053", ("2022",)),), **SMALL))
    head = store.head(scope)
    generation = new_generation_id()
    for obj in store.generation_objects(scope, head.generation):
        if obj.name != "records/fiscal_year.jsonl":
            store.put(scope, generation, obj.name, store.open(obj.key).read())
    store.flip_head(scope, generation, expected=head)
    response = harness.call(
        "POST", "/administrations/00053/years/2022/retention", CUSTOMER, json={"years": 10}
    )
    assert response.status_code == 202, response.text
    job = harness.wait_for(response.json()["jobId"], CUSTOMER, timeout=120)
    assert job["status"] == "ready", job
    assert job["retention"]["retainUntil"] == "2033-01-01T00:00:00+00:00"


def test_a_change_to_a_closed_year_gets_a_new_archive_and_the_old_one_stays(harness: Harness, books):
    sweep(harness)
    before = [a["archiveId"] for a in retained(harness) if a["year"] == CLOSED.year]
    change_live_data(harness.store, CLOSED)
    assert str(CLOSED) in sweep(harness)
    after = [a["archiveId"] for a in retained(harness) if a["year"] == CLOSED.year]
    assert len(after) == len(before) + 1 and set(before) <= set(after)


def test_an_operator_sets_and_lifts_a_legal_hold(harness: Harness, books, operator):
    sweep(harness)
    [archive] = [a for a in retained(harness) if a["year"] == CLOSED.year][-1:]
    held = operator("retention", "hold", "--customer", CUSTOMER, archive["archiveId"])
    assert held["lock"]["legalHold"] is True and held["legal_hold"] is True
    listing = operator("retention", "list", "--customer", CUSTOMER)
    assert listing["ok"] and listing["exitCode"] == 0
    assert next(a for a in retained(harness) if a["archiveId"] == archive["archiveId"])["legalHold"]
    lifted = operator("retention", "release", "--customer", CUSTOMER, archive["archiveId"])
    assert lifted["lock"]["legalHold"] is False
    records = harness.call("GET", "/audit-log", CUSTOMER).json()["records"]
    details = [r.get("detail", "") for r in records if r["action"] == "operator.action"]
    assert any("legal hold set on" in d for d in details) and any("legal hold lifted" in d for d in details)
    assert any(r["action"] == "retention.archived" for r in records)
