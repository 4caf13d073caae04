"""S3 events that are duplicated, delayed or out of order start exactly one execution per upload;
uploads whose key names another customer or no job change no data; and, for every route of the API
(table-driven from template.yaml), another customer's token gets no data and changes nothing."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

from infra.local.template import load
from kluis.scope import Scope
from tests.integration.harness import Harness, seed_scope, wait_for_execution

CUSTOMER = "31003"
INTRUDER = "31004"
SCOPE = Scope(CUSTOMER, "00042", "2025")


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    seed_scope(harness, SCOPE, documents=0)
    seed_scope(harness, Scope(INTRUDER, "00042", "2025"), documents=0)
    return harness.download(harness.backup("00042", "2025", documents=False, customer=CUSTOMER)).content


def s3_event(harness: Harness, key: str, name: str = "ObjectCreated:Post", sequencer: str = "01") -> dict:
    return {
        "eventSource": "aws:s3",
        "eventName": name,
        "s3": {
            "bucket": {"name": harness.stack.name_of("UploadsBucket")},
            "object": {"key": key, "size": 1, "sequencer": sequencer},
        },
    }


def trigger(harness: Harness, records: list[dict]) -> dict[str, str]:
    answer = harness.stack.client("lambda").invoke(
        FunctionName=harness.stack.name_of("RestoreTriggerFunction"), Payload=json.dumps({"Records": records})
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def everything(harness: Harness, customer: str) -> tuple[Any, ...]:
    """The customer's data and jobs, to show that nothing changed."""
    jobs = harness.call("GET", "/administrations/00042/years/2025/jobs", customer).json()["jobs"]
    return (harness.snapshot(Scope(customer, "00042", "2025")), [(j["jobId"], j["status"]) for j in jobs])


def test_duplicated_delayed_and_out_of_order_events_start_one_execution_per_upload(harness, backup):
    rng = random.Random(7)
    jobs = [harness.start_restore(backup, customer=CUSTOMER) for _ in range(3)]
    for job in jobs:
        harness.wait_until(job["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    keys = [f"uploads/{CUSTOMER}/{job['jobId']}.zip" for job in jobs]
    # Every upload's event again, several times, shuffled, some batched, some with other event names.
    records = [
        s3_event(harness, key, name, f"{i:02d}")
        for key in keys
        for i, name in enumerate(["ObjectCreated:Post", "ObjectCreated:Put", "ObjectCreated:Post"])
    ]
    rng.shuffle(records)
    for start in range(0, len(records), 4):
        outcomes = trigger(harness, records[start : start + 4])
        assert set(outcomes.values()) == {"ignored"}, outcomes
    for job in jobs:
        assert harness.executions(job["jobId"]) == 1
        assert harness.upload_exists(job["jobId"], CUSTOMER)  # a late event deletes nothing of a live job
        harness.call("POST", f"/restores/{job['jobId']}/cancel", CUSTOMER)
    # Delayed: the events arrive again after the restores ended.
    for job in jobs:
        wait_for_execution(harness, job["jobId"], "RestoreStateMachine")
    late = trigger(harness, [s3_event(harness, key) for key in keys])
    assert set(late.values()) == {"deleted"}  # an upload no waiting job expects is removed
    assert all(harness.executions(job["jobId"]) == 1 for job in jobs)


def test_an_event_before_the_job_exists_or_for_a_finished_job_starts_nothing(harness, backup):
    created = harness.call("POST", "/restores", CUSTOMER, json={}).json()
    assert harness.call("POST", f"/restores/{created['jobId']}/cancel", CUSTOMER).status_code == 200
    key = f"uploads/{CUSTOMER}/{created['jobId']}.zip"
    harness.stack.client("s3").put_object(
        Bucket=harness.stack.name_of("UploadsBucket"), Key=key, Body=backup
    )  # the real notification fires too
    assert trigger(harness, [s3_event(harness, key)]) == {key: "deleted"}
    assert harness.executions(created["jobId"]) == 0


@pytest.mark.parametrize(
    "key",
    [
        "uploads/{intruder}/{job}.zip",  # the job's id under another customer
        "uploads/{customer}/20990101T000000-aaaaaaaaaaaa.zip",  # no such job
        "uploads/{customer}/{job}.zip.extra",
        "uploads/{customer}/../{intruder}/{job}.zip",
        "uploads/{customer}/{job}",
        "elsewhere/{customer}/{job}.zip",
    ],
)
def test_an_upload_naming_another_customer_or_no_job_changes_no_data(harness, backup, key):
    created = harness.call("POST", "/restores", CUSTOMER, json={}).json()
    key = key.format(customer=CUSTOMER, intruder=INTRUDER, job=created["jobId"])
    before = everything(harness, CUSTOMER), everything(harness, INTRUDER)
    s3 = harness.stack.client("s3")
    bucket = harness.stack.name_of("UploadsBucket")
    s3.put_object(Bucket=bucket, Key=key, Body=backup)
    outcome = trigger(harness, [s3_event(harness, key)])
    assert outcome[key] in ("deleted", "ignored"), outcome
    assert harness.executions(created["jobId"]) == 0
    assert harness.call("GET", f"/jobs/{created['jobId']}", CUSTOMER).json()["status"] == "awaiting-upload"
    after = everything(harness, CUSTOMER), everything(harness, INTRUDER)
    assert before == after
    if key.startswith("uploads/"):
        assert s3.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0, "left in uploads"
    harness.call("POST", f"/restores/{created['jobId']}/cancel", CUSTOMER)


# -- tenants: every route of the API, table-driven from template.yaml -----------------------------
def api_routes() -> list[tuple[str, str]]:
    routes = []
    for spec in load()["Resources"].values():
        for event in (spec.get("Properties") or {}).get("Events", {}).values():
            if event["Type"] == "HttpApi":
                routes.append((event["Properties"]["Method"].upper(), event["Properties"]["Path"]))
    return sorted(routes)


ROUTES = api_routes()
BODIES = {
    "/restores": {"size": 1000},
    "/administrations/{administration}/years/{year}/backups": {"includeDocuments": True},
    "/restores/{job_id}/confirm": {"code": "000000"},
    "/administrations/{administration}/years/{year}/retention": {"years": 7},
    "/restores/{job_id}/upload-parts": {"parts": [1]},
    "/restores/{job_id}/complete-upload": {"parts": []},
    "/system-restore-requests": {
        "items": [{"administration": "00042", "year": "2025"}],
        "pointInTime": "2025-01-01T00:00:00+00:00",
    },
}
CREATES = {("POST", "/restores"), ("POST", "/system-restore-requests")}


@pytest.fixture(scope="module")
def victim_jobs(harness: Harness, backup: bytes) -> dict[str, str]:
    """A backup job and a restore awaiting confirmation of the victim customer."""
    ready = harness.backup("00042", "2025", documents=False, customer=CUSTOMER)
    restore = harness.start_restore(backup, customer=CUSTOMER)
    harness.wait_until(restore["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    return {"backup": ready["jobId"], "restore": restore["jobId"]}


def test_the_route_table_covers_the_api():
    assert ("GET", "/jobs/{job_id}") in ROUTES and ("POST", "/restores/{job_id}/confirm") in ROUTES
    assert len(ROUTES) >= 8


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_another_customers_token_gets_no_data_and_changes_nothing(harness, victim_jobs, method, path):
    targets = [victim_jobs["backup"], victim_jobs["restore"]] if "{job_id}" in path else [None]
    for job_id in targets:
        concrete = re.sub(r"\{administration\}", "00042", path)
        concrete = re.sub(r"\{year\}", "2025", concrete)
        concrete = concrete.replace("{job_id}", job_id or "")
        victim_before = everything(harness, CUSTOMER)
        victim_job_before = harness.call("GET", f"/jobs/{job_id}", CUSTOMER).json() if job_id else None
        response = harness.call(
            method, concrete, INTRUDER, json=BODIES.get(path, {}) if method == "POST" else None
        )
        assert response.status_code < 500, response.text
        text = response.text
        if job_id:
            assert response.status_code == 404, (concrete, response.status_code, text)
            assert CUSTOMER not in text
        # Whatever the answer, it never holds the victim's data, and the victim's data and jobs are unchanged.
        for secret in (victim_jobs["backup"], victim_jobs["restore"]):
            assert secret not in text
        assert everything(harness, CUSTOMER) == victim_before
        if job_id:
            after = harness.call("GET", f"/jobs/{job_id}", CUSTOMER).json()
            assert (after["status"], after.get("details")) == (
                victim_job_before["status"],
                victim_job_before.get("details"),
            )
        if (method, path) not in CREATES and "{administration}" in path and method == "POST":
            # the intruder's own administration 00042/2025 is its own: a backup there is its own job
            assert response.status_code in (202, 404), text
