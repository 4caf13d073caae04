"""Limits on starting work, through the local stack: over a limit a backup request gets 429 with when
to try again (Retry-After and the reason's retryAt), and a restore into an administration/year over
its limit is refused with a reason, changing nothing. An auditfile asked for over the hourly limit
is 429 too, and nothing is queued."""

from __future__ import annotations

from datetime import UTC, datetime

from kluis.scope import Scope
from tests.integration.harness import Harness, seed_scope

CUSTOMER = "31013"
SCOPE = Scope(CUSTOMER, "00042", "2025")


def test_a_backup_over_the_hourly_limit_is_429_with_when_to_try_again(harness: Harness, configure):
    seed_scope(harness, SCOPE)
    configure(BACKUPS_PER_HOUR_PER_ADMINISTRATION="2")
    path = "/administrations/00042/years/2025/backups"
    for _ in range(2):
        assert harness.call("POST", path, CUSTOMER, json={}).status_code == 202
    refused = harness.call("POST", path, CUSTOMER, json={})
    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["reasonCode"] == "limit.backups_per_administration" and body["reasonParams"]["limit"] == 2
    retry_at = datetime.fromisoformat(body["reasonParams"]["retryAt"])
    assert retry_at.minute == 0 and retry_at > datetime.now(UTC)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert harness.call(
        "POST", "/administrations/00043/years/2025/backups", CUSTOMER, json={}
    ).status_code in (
        202,
        404,
    ), "another administration has its own count"


def test_a_restore_over_its_administrations_limit_is_refused_and_changes_nothing(harness: Harness, configure):
    scope = Scope(CUSTOMER, "00044", "2025")
    seed_scope(harness, scope)
    data = harness.download(harness.backup("00044", "2025", documents=False, customer=CUSTOMER)).content
    configure(RESTORES_PER_HOUR_PER_ADMINISTRATION="1")
    first = harness.wait_until(
        harness.start_restore(data, customer=CUSTOMER)["jobId"], {"awaiting-confirmation"}, CUSTOMER
    )
    assert first["status"] == "awaiting-confirmation"
    before = harness.snapshot(scope)
    second = harness.wait_for(harness.start_restore(data, customer=CUSTOMER)["jobId"], CUSTOMER)
    assert second["status"] == "rejected" and second["reasonCode"] == "limit.restores_per_administration"
    assert harness.snapshot(scope) == before


def test_an_auditfile_over_the_hourly_limit_is_429_and_nothing_is_queued(harness: Harness, configure):
    scope = Scope(CUSTOMER, "00045", "2025")
    seed_scope(harness, scope)
    backup = harness.backup("00045", "2025", documents=False, customer=CUSTOMER)
    configure(AUDITFILES_PER_HOUR_PER_CUSTOMER="1")
    path = f"/jobs/{backup['jobId']}/auditfile"
    first = harness.call("POST", path, CUSTOMER)
    assert first.status_code == 202, first.text
    assert harness.wait_for(first.json()["jobId"], CUSTOMER, timeout=120)["status"] == "ready"

    refused = harness.call("POST", path, CUSTOMER)

    assert refused.status_code == 429, refused.text
    body = refused.json()
    assert body["reasonCode"] == "limit.auditfiles_per_customer" and body["reasonParams"]["limit"] == 1
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    jobs = harness.call("GET", "/administrations/00045/years/2025/jobs", CUSTOMER).json()["jobs"]
    assert [job["jobId"] for job in jobs if job["kind"] == "auditfile"] == [first.json()["jobId"]]
