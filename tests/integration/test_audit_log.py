"""The audit log records who did what, through the whole local stack: a backup, its download link, a
restore with a wrong and a right code, a cancel, a request to the operator and the operator's own
action, each with the token's subject. Changing a record is found by `kluis ops audit verify`, and the
export under Object Lock cannot be deleted or overwritten."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from kluis.audit import Action, Entry, verify
from kluis.scope import Scope
from kluis.storage.audit import AuditLog
from kluis_tools import ops
from tests.integration.harness import Harness, confirm_code, seed_scope

CUSTOMER = "31010"
SCOPE = Scope(CUSTOMER, "00042", "2025")
SUBJECT = f"user-{CUSTOMER}"  # the local token issuer's subject for this customer


@pytest.fixture
def operator(harness: Harness, configure, monkeypatch: pytest.MonkeyPatch):
    """`kluis ops ...` as an operator runs it, configured by the environment; returns its JSON."""
    # Put back as it was, not removed: the local stack keeps every function's variables in this
    # process's environment (tests/integration/test_retention.py's operator says why).
    monkeypatch.setenv("AUDIT_BUCKET", harness.stack.name_of("AuditBucket"))

    def run(*argv: str) -> dict:
        printed: list[str] = []
        code = ops.main(list(argv), out=printed.append)
        return json.loads(printed[0]) | {"exitCode": code}

    return run


def actions(harness: Harness) -> list[tuple[str, str, str]]:
    records = harness.call("GET", "/audit-log", CUSTOMER).json()["records"]
    return [(r["action"], r["outcome"], r["actor"]) for r in reversed(records)]


def test_a_session_is_recorded_with_its_actors_and_a_changed_record_is_found(harness, operator):
    seed_scope(harness, SCOPE, documents=1)
    ready = harness.backup("00042", "2025", customer=CUSTOMER)
    data = harness.download(ready).content
    job = harness.wait_until(
        harness.start_restore(data, customer=CUSTOMER)["jobId"], {"awaiting-confirmation"}, CUSTOMER
    )
    wrong = "000000" if job["details"]["verificationCode"] != "000000" else "111111"
    assert (
        harness.call("POST", f"/restores/{job['jobId']}/confirm", CUSTOMER, json={"code": wrong}).status_code
        == 400
    )
    assert confirm_code(harness, job, CUSTOMER).status_code == 202
    assert harness.wait_for(job["jobId"], CUSTOMER)["status"] == "restored"
    cancelled = harness.call("POST", "/restores", CUSTOMER).json()
    harness.call("POST", f"/restores/{cancelled['jobId']}/cancel", CUSTOMER)

    recorded = actions(harness)
    for expected in [
        ("backup.requested", "done", SUBJECT),
        ("backup.ready", "done", "kluis"),
        ("download.issued", "done", SUBJECT),
        ("restore.requested", "done", SUBJECT),
        ("restore.uploaded", "done", SUBJECT),
        ("restore.code_wrong", "refused", SUBJECT),
        ("restore.confirmed", "done", SUBJECT),
        ("restore.restored", "done", "kluis"),
        ("restore.cancel", "done", SUBJECT),
        ("restore.cancelled", "done", "kluis"),
    ]:
        assert expected in recorded, (expected, recorded)
    records = harness.call("GET", "/audit-log?administration=00042&year=2025", CUSTOMER).json()["records"]
    backup_sha = next(r["manifestSha256"] for r in records if r["action"] == "backup.ready")
    restore_sha = next(r["manifestSha256"] for r in records if r["action"] == "restore.restored")
    assert backup_sha == restore_sha, "the restore names the backup it came from"

    assert harness.stack.run_scheduled("AuditExportFunction")["exported"][CUSTOMER] > 0
    assert operator("audit", "verify", "--customer", CUSTOMER)["ok"]

    # Someone with access to the table changes a record (an outcome, say): the chain shows it.
    table = harness.stack.resource("dynamodb").Table(harness.stack.name_of("JobsTable"))
    table.update_item(
        Key={"pk": CUSTOMER, "sk": "audit#000000000006"},
        UpdateExpression="SET outcome = :done",
        ExpressionAttributeValues={":done": "done"},
    )
    verdict = operator("audit", "verify", "--customer", CUSTOMER)
    assert not verdict["ok"] and verdict["exitCode"] == 1
    assert any("record 6" in problem for problem in verdict["problems"]), verdict

    # The export cannot be rewritten: Object Lock (COMPLIANCE) refuses deleting its versions.
    s3 = harness.stack.client("s3")
    bucket = harness.stack.name_of("AuditBucket")
    version = s3.list_object_versions(Bucket=bucket, Prefix=f"audit/{CUSTOMER}/")["Versions"][0]
    with pytest.raises(ClientError):
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])


def test_polling_a_ready_backup_issues_no_link_and_each_download_one(harness):
    """The page polls GET /jobs/{id}: that shows the backup can be downloaded, but issues no link and
    records nothing; a link is issued (and recorded, once) when the user asks for the download."""
    scope = Scope(CUSTOMER, "00044", "2025")
    seed_scope(harness, scope)
    ready = harness.backup(scope.administration, scope.year, documents=False, customer=CUSTOMER)

    def issued() -> int:
        path = f"/audit-log?administration={scope.administration}&year={scope.year}"
        records = harness.call("GET", path, CUSTOMER).json()["records"]
        return sum(1 for r in records if r["action"] == "download.issued")

    for _ in range(5):
        view = harness.call("GET", f"/jobs/{ready['jobId']}", CUSTOMER).json()
        assert view["downloadable"] is True and view["filename"] and view["downloadableUntil"], view
        assert "downloadUrl" not in view
    listed = harness.call("GET", f"/administrations/{scope.administration}/years/2025/jobs", CUSTOMER)
    assert all("downloadUrl" not in job for job in listed.json()["jobs"])
    assert issued() == 0

    link = harness.download_link(ready, CUSTOMER)
    assert link["filename"] == f"{CUSTOMER} - 00044 - 2025 - Backup.zip"
    assert link["downloadUrlExpiresIn"] > 0
    assert issued() == 1


def test_another_customer_sees_none_of_the_log(harness):
    assert harness.call("GET", "/audit-log", "31011").json()["records"] == []


def test_the_operators_actions_are_in_the_customers_log(harness, operator):
    seed_scope(harness, Scope(CUSTOMER, "00043", "2025"))
    result = operator("drill", "--customer", CUSTOMER, "--administration", "00043", "--year", "2025")
    assert result["ok"], result
    operators = [r for r in actions(harness) if r[0] == "operator.action"]
    assert operators and operators[-1][2].startswith("operator:"), operators


def test_concurrent_appends_make_one_gapless_chain(harness):
    """Appends of one customer from many invocations at once queue up: no gaps, no forks."""
    log = AuditLog(harness.stack.resource("dynamodb"), harness.stack.name_of("JobsTable"))

    def append(n: int) -> None:
        log.append(Entry(customer="31012", actor=f"user-{n}", action=Action.BACKUP_REQUESTED))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append, range(40)))
    records = list(log.records("31012"))
    assert [r.seq for r in records] == list(range(1, 41))
    assert verify(records) == []
