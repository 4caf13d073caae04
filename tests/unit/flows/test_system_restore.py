"""The operator's point-in-time restore, its customer requests and the drill, in moto (no state machine).

Versions are made by real changes (seed, then several HEAD flips with changed records), a second
apart: S3's LastModified has whole seconds, and a point in time is compared with it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import moto.s3.models
import pytest
from botocore.exceptions import ClientError
from moto.core import DEFAULT_ACCOUNT_ID

from kluis.flows.system_restore.drill import SCRATCH_PREFIX
from kluis.flows.system_restore.requests import InvalidRequest, file_request, public_view
from kluis.jobs.lifecycle import ItemStatus, Status
from kluis.jobs.model import RequestItem
from kluis.scope import InvalidScope, Scope
from kluis.storage.data import new_generation_id
from kluis.storage.versions import NothingAtThatTime, iso
from kluis_tools.seed import SeedSpec
from tests.unit.conftest import World

SCOPE = Scope("10234", "00017", "2025")
SPEC = SeedSpec(
    administrations=(("00017", ("2025",)),),
    entries_per_year=20,
    documents_per_year=2,
    document_bytes=8 * 1024,
    proposals=0,
)
RETENTION = 400


def live(w: World, scope: Scope = SCOPE) -> dict[str, bytes]:
    head = w.store.head(scope)
    return {o.name: w.store.open(o.key).read() for o in w.store.generation_objects(scope, head.generation)}


def change(w: World, marker: str, scope: Scope = SCOPE) -> None:
    """A new generation with a changed ledger (and one record set dropped), flipped live."""
    head = w.store.head(scope)
    generation = new_generation_id()
    for obj in w.store.generation_objects(scope, head.generation):
        content = w.store.open(obj.key).read()
        if obj.name == "records/ledger_accounts.jsonl":
            content += f'{{"code": "9999", "name": "{marker}"}}\n'.encode()
        if obj.name == "records/vat_returns.jsonl" and marker == "second":
            continue  # a member that existed before and not after
        w.store.put(scope, generation, obj.name, content)
    w.store.flip_head(scope, generation, expected=head)


def moments(w: World, changes: int = 3) -> list[tuple[datetime, dict[str, bytes]]]:
    """The live data after the seed and after each change, with a moment at which it was live."""
    history = []
    for index in range(changes + 1):
        if index:
            change(w, ["", "first", "second", "third"][index])
        history.append((datetime.now(UTC), live(w)))
        time.sleep(1.1)  # the next change lands in a later second than this moment
    return history


def file(w: World, **overrides):
    arguments = {
        "items": [("00017", "2025")],
        "point_in_time": iso(datetime.now(UTC) - timedelta(days=1)),
        "note": "",
        "price_cents": 7500,
    }
    arguments |= overrides
    return w.requests.begin(
        file_request(
            w.requests,
            "10234",
            arguments["items"],
            arguments["point_in_time"],
            arguments["note"],
            price_cents=arguments["price_cents"],
            retention_days=RETENTION,
        ),
        "test",
        "primary",
    )


def restore_to(
    w: World, moment: datetime, source: str = "primary", replica: str | None = None
) -> RequestItem:
    request = file(w, point_in_time=iso(moment))
    if replica:
        w.use_replica(replica)
    item = w.fulfilment.restore_item(SCOPE.customer, request.request_id, 0, source)
    assert w.fulfilment.finish(SCOPE.customer, request.request_id).status == Status.FULFILLED
    return item


def test_restore_to_each_moment_gives_exactly_that_moments_data(w):
    history = moments(w)
    assert len({frozenset(data.items()) for _, data in history}) == 4
    for moment, expected in [*reversed(history), history[1]]:  # back, and forward again
        item = restore_to(w, moment)
        assert item.status is ItemStatus.RESTORED
        assert live(w) == expected
        head = w.store.head(SCOPE)
        assert head.generation == item.generation


def test_restore_points_list_head_versions_with_times_and_generations(w):
    history = moments(w, changes=2)
    points = w.sources.reader("primary").restore_points(SCOPE)
    assert len(points) == 3 and points[0].is_latest and not points[1].is_latest
    assert [p.last_modified for p in points] == sorted((p.last_modified for p in points), reverse=True)
    assert points[-1].last_modified <= history[0][0]
    assert len({p.generation for p in points}) == 3


def test_nothing_before_the_first_backup_is_an_error(w):
    request = file(w, point_in_time=iso(datetime.now(UTC) - timedelta(days=2)), price_cents=100)
    service = w.fulfilment
    with pytest.raises(NothingAtThatTime):
        service.restore_item(SCOPE.customer, request.request_id, 0, "primary")
    service.item_failed(SCOPE.customer, request.request_id, 0, "NothingAtThatTime", "no HEAD")
    assert service.finish(SCOPE.customer, request.request_id).status == Status.FAILED


def test_a_restore_run_twice_flips_once(w):
    history = moments(w, changes=1)
    request = file(w, point_in_time=iso(history[0][0]), price_cents=1)
    service = w.fulfilment
    first = service.restore_item(SCOPE.customer, request.request_id, 0, "primary")
    head = w.store.head(SCOPE)
    again = service.restore_item(SCOPE.customer, request.request_id, 0, "primary")
    assert again.generation == first.generation and w.store.head(SCOPE) == head


def replicate(w: World, source: str, target: str) -> None:
    """What S3 replication would have done (moto does not replicate): every version, oldest first,
    with its LastModified (S3 keeps a replica's creation time); delete markers are not replicated."""
    backend = moto.s3.models.s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    versions = []
    for page in w.s3.get_paginator("list_object_versions").paginate(Bucket=source, Prefix="data/"):
        versions.extend(page.get("Versions", []))
    for version in sorted(versions, key=lambda v: v["LastModified"]):
        body = w.s3.get_object(Bucket=source, Key=version["Key"], VersionId=version["VersionId"])["Body"]
        made = w.s3.put_object(Bucket=target, Key=version["Key"], Body=body.read())
        original = backend.get_object(source, version["Key"], version_id=version["VersionId"])
        backend.get_object(
            target, version["Key"], version_id=made["VersionId"]
        ).last_modified = original.last_modified


def locked_replica(w: World, name: str = "replica") -> str:
    w.s3.create_bucket(
        Bucket=name,
        CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
        ObjectLockEnabledForBucket=True,
    )
    w.s3.put_object_lock_configuration(
        Bucket=name,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 1}},
        },
    )
    return name


def test_restore_from_the_replica_when_the_primarys_versions_are_gone(w):
    history = moments(w, changes=2)
    replica = locked_replica(w)
    replicate(w, "data", replica)
    # The primary loses its history: every noncurrent version of the scope is deleted.
    for page in w.s3.get_paginator("list_object_versions").paginate(Bucket="data", Prefix=SCOPE.prefix):
        for version in page.get("Versions", []):
            if not version["IsLatest"]:
                w.s3.delete_object(Bucket="data", Key=version["Key"], VersionId=version["VersionId"])
    assert w.sources.reader("primary").head_at(SCOPE, history[0][0]) is None
    item = restore_to(w, history[0][0], source="replica", replica=replica)
    assert item.source == "replica"
    assert live(w) == history[0][1]


def test_an_object_locked_replica_version_cannot_be_deleted_or_overwritten(w):
    replica = locked_replica(w)
    replicate(w, "data", replica)
    head_key = f"{SCOPE.prefix}HEAD"
    version = w.s3.list_object_versions(Bucket=replica, Prefix=head_key)["Versions"][0]
    with pytest.raises(ClientError) as denied:
        w.s3.delete_object(Bucket=replica, Key=head_key, VersionId=version["VersionId"])
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):  # COMPLIANCE: not even with the governance bypass
        w.s3.delete_object(
            Bucket=replica, Key=head_key, VersionId=version["VersionId"], BypassGovernanceRetention=True
        )
    # "Overwriting" makes a new version; the locked one stays readable.
    w.s3.put_object(Bucket=replica, Key=head_key, Body=b"{}")
    kept = w.s3.get_object(Bucket=replica, Key=head_key, VersionId=version["VersionId"])
    assert kept["Body"].read() != b"{}"


def test_the_drill_verifies_a_restore_point_and_never_flips_head(w):
    moments(w, changes=1)
    head = w.store.head(SCOPE)
    result = w.drill.run([SCOPE])
    assert result["ok"], result
    (item,) = result["items"]
    assert item["restorePoint"]["generation"] == head.generation and item["objects"] > 0
    assert w.store.head(SCOPE) == head
    assert w.s3.list_objects_v2(Bucket="data", Prefix=SCRATCH_PREFIX).get("KeyCount", 0) == 0
    assert w.drill.log.recent()[0]["drill_id"] == result["drill_id"]


def test_the_drill_samples_all_administrations_and_reports_a_broken_one(w):
    broken = Scope("10234", "00099", "2024")
    w.store.flip_head(broken, new_generation_id(), expected=None)  # a HEAD naming an empty generation
    result = w.drill.run(sample=5)
    by_scope = {(i["administration"], i["year"]): i for i in result["items"]}
    assert by_scope[("00017", "2025")]["ok"]
    assert (
        not by_scope[("00099", "2024")]["ok"]
        and "NothingAtThatTime" in by_scope[("00099", "2024")]["problem"]
    )
    assert not result["ok"]


# -- customer requests ------------------------------------------------------------------------------------
def filed(w: World, **overrides):
    arguments = {
        "items": [("00017", "2025")],
        "point_in_time": iso(datetime.now(UTC) - timedelta(days=1)),
        "note": "",
    }
    arguments |= overrides
    return file_request(
        w.requests,
        "10234",
        arguments["items"],
        arguments["point_in_time"],
        arguments["note"],
        price_cents=7500,
        retention_days=RETENTION,
    )


def test_a_request_answers_with_the_costs_and_is_listed_for_its_customer_only(w):
    request = filed(w, items=[("00017", "2025"), ("00017", "2024")], note="Lost the ledger on Tuesday")
    view = public_view(request)
    assert view["costs"]["totalCents"] == 15000 and view["costs"]["currency"] == "EUR"
    assert "EUR 150.00" in view["costs"]["rule"]
    assert [r.request_id for r in w.requests.of_customer("10234")] == [request.request_id]
    assert w.requests.of_customer("20567") == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"items": []},
        {"items": [("00017", "2025")] * 2},
        {"items": [(f"{n:05d}", "2025") for n in range(21)]},
        {"items": [("17", "2025")]},
        {"items": [("00017", "25")]},
        {"point_in_time": "yesterday"},
        {"point_in_time": "2026-01-01T10:00:00"},  # no time zone
        {"point_in_time": iso(datetime.now(UTC) + timedelta(hours=1))},
        {"point_in_time": iso(datetime.now(UTC) - timedelta(days=RETENTION + 1))},
        {"note": "x" * 1001},
    ],
)
def test_requests_that_cannot_be_fulfilled_are_refused(w, overrides):
    with pytest.raises((InvalidRequest, InvalidScope)):
        filed(w, **overrides)
