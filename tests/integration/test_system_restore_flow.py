"""System restore end to end: a customer files a request over the HTTP API, an operator fulfils it
with `kluis ops` (the real system_restore state machine in moto, a Map over the items, the real
handlers), from the primary bucket's versions and from an object-locked replica; and the drill."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import moto.s3.models
import pytest
from moto.core import DEFAULT_ACCOUNT_ID

from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis.storage.versions import iso
from kluis_tools import ops
from kluis_tools.seed import SeedSpec, seed
from tests.integration.harness import SMALL, Harness, change_live_data

CUSTOMER = "30891"  # a customer of its own: other modules' restores do not touch it
SCOPE = Scope(CUSTOMER, "00042", "2025")
UNCHANGED = Scope(CUSTOMER, "00042", "2024")


def live(store: DataStore, scope: Scope) -> dict[str, bytes]:
    head = store.head(scope)
    return {o.name: store.open(o.key).read() for o in store.generation_objects(scope, head.generation)}


@pytest.fixture(scope="module")
def history(harness: Harness) -> list[tuple[datetime, dict[str, bytes]]]:
    """The seed and two changes of SCOPE, each with a moment (a second apart) and its live data."""
    store = harness.store
    seed(store, SeedSpec(customer=CUSTOMER, administrations=(("00042", ("2024", "2025")),), **SMALL))
    moments = []
    for marker in ("", "first change", "second change"):
        if marker:
            change_live_data(store, SCOPE, marker)
        moments.append((datetime.now(UTC), live(store, SCOPE)))
        time.sleep(1.1)
    return moments


@pytest.fixture
def operator(harness: Harness, monkeypatch: pytest.MonkeyPatch):
    """`kluis ops ...` as an operator runs it, configured by the environment; returns its JSON."""
    monkeypatch.setenv("SYSTEM_RESTORE_STATE_MACHINE_ARN", harness.stack.name_of("SystemRestoreStateMachine"))

    def run(*argv: str) -> dict:
        printed: list[str] = []
        assert ops.main(list(argv), out=printed.append) == 0, printed
        return json.loads(printed[0])

    return run


def file_request(harness: Harness, moment: datetime, *scopes: Scope) -> dict:
    body = {
        "items": [{"administration": s.administration, "year": s.year} for s in scopes],
        "pointInTime": iso(moment),
        "note": "Our ledger was overwritten by mistake.",
    }
    response = harness.call("POST", "/system-restore-requests", CUSTOMER, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_customer_files_a_request_and_an_operator_restores_that_moment(harness, history, operator):
    before_unchanged = live(harness.store, UNCHANGED)
    request = file_request(harness, history[0][0], SCOPE, UNCHANGED)
    assert request["status"] == "received"
    assert request["costs"] == {
        "currency": "EUR",
        "pricePerItemCents": 7500,
        "items": 2,
        "totalCents": 15000,
        "rule": request["costs"]["rule"],
    }
    answer = harness.call("GET", "/system-restore-requests", CUSTOMER).json()
    assert request["requestId"] in [r["requestId"] for r in answer["requests"]]
    assert answer["pricing"]["pricePerItemCents"] == 7500  # the rule, shown before anyone files
    assert "EUR 75.00 per administration and fiscal year" in answer["pricing"]["rule"]
    others = harness.call("GET", "/system-restore-requests", "20567").json()["requests"]
    assert request["requestId"] not in [r["requestId"] for r in others]
    assert harness.store.head(SCOPE) is not None and live(harness.store, SCOPE) == history[2][1]

    pending = operator("requests", "--status", "received")["requests"]
    assert request["requestId"] in [r["request_id"] for r in pending]
    done = operator("fulfil", request["requestId"], "--wait")
    assert done["executionStatus"] == "SUCCEEDED", done
    assert done["request"]["status"] == "fulfilled", done["request"]
    assert live(harness.store, SCOPE) == history[0][1]
    assert live(harness.store, UNCHANGED) == before_unchanged
    shown = harness.call("GET", "/system-restore-requests", CUSTOMER).json()["requests"]
    mine = next(r for r in shown if r["requestId"] == request["requestId"])
    assert [i["status"] for i in mine["items"]] == ["restored", "restored"]
    assert "generation" not in mine["items"][0]  # operators' details stay with operators


def test_restore_points_show_every_head_version(harness, history, operator):
    points = operator(
        "restore-points", "--customer", CUSTOMER, "--administration", "00042", "--year", "2025"
    )["restorePoints"]
    assert len(points) >= 3
    assert all({"versionId", "time", "generation", "flippedAt"} <= set(p) for p in points)


def replicate(s3, source: str, target: str, prefix: str) -> None:
    """What S3 replication does (moto does not): every version, oldest first, keeping its
    LastModified (S3 keeps a replica's creation time); delete markers are not replicated."""
    backend = moto.s3.models.s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    versions = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=source, Prefix=prefix):
        versions.extend(page.get("Versions", []))
    for version in sorted(versions, key=lambda v: v["LastModified"]):
        body = s3.get_object(Bucket=source, Key=version["Key"], VersionId=version["VersionId"])["Body"]
        made = s3.put_object(Bucket=target, Key=version["Key"], Body=body.read())
        original = backend.get_object(source, version["Key"], version_id=version["VersionId"])
        backend.get_object(
            target, version["Key"], version_id=made["VersionId"]
        ).last_modified = original.last_modified


def test_an_operator_restores_from_the_object_locked_replica(harness, history, operator, configure):
    s3 = harness.stack.client("s3")
    replica = "kluis-local-replica"
    s3.create_bucket(
        Bucket=replica,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        ObjectLockEnabledForBucket=True,
    )
    s3.put_object_lock_configuration(
        Bucket=replica,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}},
        },
    )
    replicate(s3, harness.stack.name_of("DataBucket"), replica, f"data/{CUSTOMER}/")
    configure(REPLICA_BUCKET=replica, REPLICA_REGION="eu-west-1")
    scope = ("--customer", CUSTOMER, "--administration", "00042", "--year", "2025")
    from_replica = operator("restore-points", *scope, "--source", "replica")["restorePoints"]
    assert [p["versionId"] for p in from_replica] != []  # the operator sees the replica's versions
    assert len(from_replica) == len(operator("restore-points", *scope)["restorePoints"])
    request = file_request(harness, history[1][0], SCOPE)
    done = operator("fulfil", request["requestId"], "--source", "replica", "--wait")
    assert done["request"]["status"] == "fulfilled", done["request"]
    assert done["request"]["items"][0]["source"] == "replica"
    assert live(harness.store, SCOPE) == history[1][1]


def test_an_item_without_data_at_that_moment_fails_alone(harness, history, operator):
    missing = Scope(CUSTOMER, "00043", "2025")  # never existed
    request = file_request(harness, history[0][0], SCOPE, missing)
    done = operator("fulfil", request["requestId"], "--wait")
    assert done["request"]["status"] == "partly-fulfilled", done["request"]
    assert [i["status"] for i in done["request"]["items"]] == ["restored", "failed"]
    assert done["request"]["items"][1]["error"] == "NothingAtThatTime"


def test_the_drill_restores_and_verifies_without_flipping_head(harness, history, operator):
    head = harness.store.head(SCOPE)
    result = operator("drill", "--customer", CUSTOMER, "--administration", "00042", "--year", "2025")
    assert result["ok"], result
    assert harness.store.head(SCOPE) == head
    assert operator("drills")["drills"][0]["drill_id"] == result["drill_id"]


def test_the_scheduled_drill_function_runs_the_same_drill(harness, history):
    function = harness.stack.runtime.by_logical_id("DrillFunction")
    headers: dict[str, str] = {}
    answer = json.loads(harness.stack.runtime.invoke(function, {"source": "primary"}, headers))
    assert "x-amz-function-error" not in headers, answer
    assert answer["ok"] and answer["items"] >= 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/system-restore-requests/{id}/fulfil"),
        ("POST", "/system-restores"),
        ("POST", "/system-restore-requests/{id}"),
        ("GET", "/system-restore-requests/{id}/restore-points"),
        ("POST", "/ops/fulfil"),
    ],
)
def test_a_customer_token_cannot_start_an_operator_restore(harness, history, method, path):
    request = file_request(harness, history[0][0], SCOPE)
    response = harness.call(method, path.format(id=request["requestId"]), CUSTOMER, json={})
    assert response.status_code == 404
    mine = harness.call("GET", "/system-restore-requests", CUSTOMER).json()["requests"]
    assert next(r for r in mine if r["requestId"] == request["requestId"])["status"] == "received"


@pytest.mark.parametrize(
    "body",
    [
        {"items": [], "pointInTime": "2026-01-01T00:00:00Z"},
        {"items": [{"administration": "00042", "year": "2025", "customer": "10234"}], "pointInTime": "x"},
        {"items": [{"administration": "00042", "year": "2025"}], "pointInTime": "2999-01-01T00:00:00Z"},
        {"items": [{"administration": "00042", "year": "2025"}], "pointInTime": "yesterday"},
        {
            "items": [{"administration": "00042", "year": "2025"}],
            "pointInTime": "2026-01-01T00:00:00Z",
            "customer": "10234",
        },
        {
            "items": [{"administration": "00042", "year": "2025"}],
            "note": "x" * 1001,
            "pointInTime": "2026-01-01T00:00:00Z",
        },
    ],
)
def test_invalid_requests_are_refused(harness, body):
    response = harness.call("POST", "/system-restore-requests", CUSTOMER, json=body)
    assert response.status_code in (400, 422), response.text
