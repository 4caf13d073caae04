"""System restore: the operator's point-in-time restore from versioned, replicated system backups.

    POST /system-restore-requests   a customer records a request (items, point in time, note) and is
                                    told what it costs; nothing is restored by the API
    kluis ops fulfil REQUEST_ID     an operator starts system_restore.asl.json: per item (a Map state)
                                    `restore_item` reads the version of HEAD at time T, the object
                                    versions of that generation at T, copies them server-side into a
                                    new generation, verifies the copy and flips HEAD under the lock
    kluis ops drill                 the same copy into a scratch prefix, verified byte for byte and
                                    removed again; HEAD is never flipped

Requests live in the jobs table, pk = customer, sk = "request#{id}", so a customer reads only their
own. Drill results live under pk = "ops" (customers are digits only, so no customer can read them).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from kluis.jobs import new_job_id, now_iso, plain
from kluis.locks import Locks
from kluis.scope import InvalidScope, Scope, check_administration, check_year
from kluis.store import DataStore, HeadConflict, is_generation_member, new_generation_id

REQUEST_PREFIX = "request#"
DRILL_PK = "ops"
DRILL_PREFIX = "drill#"
DRILL_SCRATCH_PREFIX = "drill/"  # outside data/: not replicated, expired by lifecycle as a backstop
MAX_ITEMS = 20
MAX_NOTE = 1000
CURRENCY = "EUR"
SOURCES = ("primary", "replica")
LEASE_SECONDS = 900
COPY_OBJECT_LIMIT = 5 * 1024**3  # larger objects need a multipart copy


class InvalidRequest(ValueError):
    """A request a customer may not file (a person can read the message)."""


class RequestNotFound(LookupError):
    pass


class RequestBusy(Exception):
    """The request is being fulfilled already."""


class NothingAtThatTime(Exception):
    """The administration/year had no HEAD (or an empty generation) at the point in time."""


class CopyMismatch(Exception):
    """The copied generation differs from the versions it was copied from."""


class Status:
    RECEIVED = "received"
    IN_PROGRESS = "in-progress"
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly-fulfilled"
    FAILED = "failed"


class ItemStatus:
    PENDING = "pending"
    RESTORING = "restoring"
    RESTORED = "restored"
    FAILED = "failed"


# -- customer requests ------------------------------------------------------------------------------
def parse_point_in_time(value: str, now: datetime, retention_days: int) -> datetime:
    """An ISO 8601 moment with a time zone, in the past, and within the versions' retention."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest(
            f"pointInTime must be ISO 8601, e.g. 2026-11-20T10:00:00Z, got {value!r}"
        ) from error
    if moment.tzinfo is None:
        raise InvalidRequest("pointInTime must include a time zone, e.g. 2026-11-20T10:00:00Z")
    moment = moment.astimezone(UTC)
    if moment >= now:
        raise InvalidRequest("pointInTime must lie in the past")
    if moment < now - timedelta(days=retention_days):
        raise InvalidRequest(f"pointInTime must lie within the last {retention_days} days (the retention)")
    return moment


def check_items(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    checked = []
    for administration, year in items:
        try:
            checked.append((check_administration(administration), check_year(year)))
        except InvalidScope as error:
            raise InvalidRequest(str(error)) from error
    if not 1 <= len(checked) <= MAX_ITEMS:
        raise InvalidRequest(f"give 1 to {MAX_ITEMS} administration/years")
    if len(set(checked)) != len(checked):
        raise InvalidRequest("each administration/year may appear only once")
    return checked


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Request:
    request_id: str
    customer: str
    point_in_time: str
    items: list[dict[str, Any]]
    note: str = ""
    status: str = Status.RECEIVED
    price_cents: int = 0
    currency: str = CURRENCY
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    fulfilments: list[dict[str, Any]] = field(default_factory=list)

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.point_in_time.replace("Z", "+00:00"))

    @property
    def total_cents(self) -> int:
        return self.price_cents * len(self.items)

    def to_item(self) -> dict[str, Any]:
        return {
            "pk": self.customer,
            "sk": REQUEST_PREFIX + self.request_id,
            "request_id": self.request_id,
            "customer": self.customer,
            "point_in_time": self.point_in_time,
            "items": self.items,
            "note": self.note,
            "status": self.status,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "fulfilments": self.fulfilments,
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Request:
        return cls(
            request_id=item["request_id"],
            customer=item["customer"],
            point_in_time=item["point_in_time"],
            items=[plain(entry) for entry in item["items"]],
            note=item.get("note", ""),
            status=item["status"],
            price_cents=int(item["price_cents"]),
            currency=item.get("currency", CURRENCY),
            created_at=item["created_at"],
            updated_at=item["updated_at"],
            fulfilments=[plain(entry) for entry in item.get("fulfilments", [])],
        )


def costs(price_cents: int, count: int) -> dict[str, Any]:
    """The costs rule as the customer is told it; the operator invoices from the same numbers."""
    price, total = price_cents / 100, price_cents * count / 100
    return {
        "currency": CURRENCY,
        "pricePerItemCents": price_cents,
        "items": count,
        "totalCents": price_cents * count,
        "rule": f"A restore from a system backup is charged at EUR {price:.2f} per administration and "
        f"fiscal year; this request comes to EUR {total:.2f}.",
    }


def pricing(price_cents: int, retention_days: int) -> dict[str, Any]:
    """The costs rule before anything is requested: shown first, so nobody files unawares."""
    return {
        "currency": CURRENCY,
        "pricePerItemCents": price_cents,
        "retentionDays": retention_days,
        "rule": f"A restore from a system backup is charged at EUR {price_cents / 100:.2f} per "
        f"administration and fiscal year. Points in time up to {retention_days} days back can be restored.",
    }


CUSTOMER_ITEM_FIELDS = ("administration", "year", "status", "restoredAt")


def public_view(request: Request) -> dict[str, Any]:
    """What the customer sees: no version ids, generations or operator notes."""
    items = []
    for item in request.items:
        shown = {key: item[key] for key in CUSTOMER_ITEM_FIELDS if key in item}
        if item.get("status") == ItemStatus.FAILED:
            shown["reason"] = "This could not be restored; our support team will contact you."
        items.append(shown)
    return {
        "requestId": request.request_id,
        "status": request.status,
        "pointInTime": request.point_in_time,
        "note": request.note,
        "items": items,
        "createdAt": request.created_at,
        "updatedAt": request.updated_at,
        "costs": costs(request.price_cents, len(request.items)),
    }


class RequestStore:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def file(
        self,
        customer: str,
        items: Iterable[tuple[str, str]],
        point_in_time: str,
        note: str,
        *,
        price_cents: int,
        retention_days: int,
        now: datetime | None = None,
    ) -> Request:
        """Record a customer's request; the price is fixed now, so a later price change is not retroactive."""
        if len(note) > MAX_NOTE:
            raise InvalidRequest(f"the note may hold at most {MAX_NOTE} characters")
        moment = parse_point_in_time(point_in_time, now or datetime.now(UTC), retention_days)
        request = Request(
            request_id=new_job_id(),
            customer=customer,
            point_in_time=iso(moment),
            items=[
                {"administration": a, "year": y, "status": ItemStatus.PENDING} for a, y in check_items(items)
            ],
            note=note,
            price_cents=price_cents,
        )
        self.table.put_item(Item=request.to_item(), ConditionExpression=Attr("pk").not_exists())
        return request

    def get(self, customer: str, request_id: str) -> Request:
        key = {"pk": customer, "sk": REQUEST_PREFIX + request_id}
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if not item:
            raise RequestNotFound(request_id)
        return Request.from_item(item)

    def of_customer(self, customer: str, limit: int = 50) -> list[Request]:
        """The customer's requests, newest first."""
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(customer) & Key("sk").begins_with(REQUEST_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [Request.from_item(item) for item in page.get("Items", [])]

    def all(self, status: str | None = None) -> list[Request]:
        """Every customer's requests, for operators. A Scan: requests are few, and this is no hot path."""
        condition = Attr("sk").begins_with(REQUEST_PREFIX)
        if status:
            condition = condition & Attr("status").eq(status)
        scan: dict[str, Any] = {"FilterExpression": condition}
        found: list[Request] = []
        while True:
            page = self.table.scan(**scan)
            found.extend(Request.from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(found, key=lambda request: request.request_id, reverse=True)

    def find(self, request_id: str) -> Request:
        for request in self.all():
            if request.request_id == request_id:
                return request
        raise RequestNotFound(request_id)

    def begin(self, request: Request, execution: str, source: str) -> Request:
        """Mark the request in progress, once: two operators cannot fulfil it at the same time."""
        try:
            response = self.table.update_item(
                Key={"pk": request.customer, "sk": REQUEST_PREFIX + request.request_id},
                UpdateExpression="SET #status = :busy, updated_at = :now, "
                "fulfilments = list_append(fulfilments, :run)",
                ConditionExpression=Attr("status").ne(Status.IN_PROGRESS),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":busy": Status.IN_PROGRESS,
                    ":now": now_iso(),
                    ":run": [{"execution": execution, "source": source, "startedAt": now_iso()}],
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RequestBusy(f"request {request.request_id} is being fulfilled already") from error
            raise
        return Request.from_item(response["Attributes"])

    def set_status(self, request: Request, status: str) -> Request:
        response = self.table.update_item(
            Key={"pk": request.customer, "sk": REQUEST_PREFIX + request.request_id},
            UpdateExpression="SET #status = :status, updated_at = :now",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":status": status, ":now": now_iso()},
            ReturnValues="ALL_NEW",
        )
        return Request.from_item(response["Attributes"])

    def set_item(self, request: Request, index: int, item: dict[str, Any]) -> None:
        """Replace one item only: the Map runs items in parallel, each writes its own list element."""
        self.table.update_item(
            Key={"pk": request.customer, "sk": REQUEST_PREFIX + request.request_id},
            UpdateExpression=f"SET #items[{int(index)}] = :item, updated_at = :now",
            ExpressionAttributeNames={"#items": "items"},
            ExpressionAttributeValues={":item": item, ":now": now_iso()},
        )


# -- reading history ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str
    last_modified: datetime
    size: int
    etag: str


@dataclass(frozen=True)
class RestorePoint:
    """One version of HEAD: from its LastModified until the next, `generation` was live."""

    version_id: str
    last_modified: datetime
    generation: str
    flipped_at: str | None
    is_latest: bool

    def view(self) -> dict[str, Any]:
        return {
            "versionId": self.version_id,
            "time": iso(self.last_modified),
            "generation": self.generation,
            "flippedAt": self.flipped_at,
            "latest": self.is_latest,
        }


class VersionReader:
    """A bucket's version history (the primary data bucket, or the replica in its own region)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.store = DataStore(s3, bucket)

    def _history(self, prefix: str) -> Iterator[tuple[str, ObjectVersion | None, datetime, bool]]:
        """(key, version or None for a delete marker, last modified, is latest), newest first per key."""
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                yield (
                    version["Key"],
                    ObjectVersion(
                        key=version["Key"],
                        version_id=version["VersionId"],
                        last_modified=version["LastModified"],
                        size=int(version["Size"]),
                        etag=version["ETag"],
                    ),
                    version["LastModified"],
                    bool(version.get("IsLatest")),
                )
            for marker in page.get("DeleteMarkers", []):
                yield marker["Key"], None, marker["LastModified"], bool(marker.get("IsLatest"))

    def _as_of(self, prefix: str, moment: datetime) -> dict[str, ObjectVersion]:
        """Per key, its newest version at `moment`; keys deleted (or not yet written) then are left out.

        S3's LastModified has whole seconds; of a version and a delete marker in the same second the
        version wins, so a restore never loses data to that ambiguity.
        """
        newest: dict[str, tuple[datetime, int, ObjectVersion | None]] = {}
        for key, version, modified, _ in self._history(prefix):
            if modified > moment:
                continue
            rank = (modified, 1 if version else 0)
            if key not in newest or rank > newest[key][:2]:
                newest[key] = (modified, rank[1], version)
        return {key: version for key, (_, _, version) in newest.items() if version is not None}

    def restore_points(self, scope: Scope, limit: int = 50) -> list[RestorePoint]:
        """HEAD's versions, newest first, each with the generation it named."""
        key = DataStore.head_key(scope)
        versions = [
            (version, latest)
            for found, version, _, latest in self._history(key)
            if found == key and version is not None
        ]
        versions.sort(key=lambda pair: pair[0].last_modified, reverse=True)
        return [self._point(scope, version, latest) for version, latest in versions[:limit]]

    def _point(self, scope: Scope, version: ObjectVersion, latest: bool) -> RestorePoint:
        head = self.store.head(scope, version_id=version.version_id)
        if head is None:
            raise NothingAtThatTime(f"HEAD version {version.version_id} of {scope} is gone")
        return RestorePoint(
            version.version_id, version.last_modified, head.generation, head.flipped_at, latest
        )

    def head_at(self, scope: Scope, moment: datetime) -> RestorePoint | None:
        """The version of HEAD at `moment`: the newest with LastModified <= moment."""
        key = DataStore.head_key(scope)
        version = self._as_of(key, moment).get(key)
        return self._point(scope, version, False) if version else None

    def generation_at(self, scope: Scope, generation: str, moment: datetime) -> dict[str, ObjectVersion]:
        """The generation's members as they were at `moment`, by name inside the generation."""
        prefix = DataStore.generation_prefix(scope, generation)
        found = self._as_of(prefix, moment)
        return {
            key[len(prefix) :]: version
            for key, version in found.items()
            if is_generation_member(key[len(prefix) :])
        }


# -- copying -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Copied:
    name: str
    key: str
    source: ObjectVersion
    etag: str
    comparable: bool  # S3 gave MD5 ETags on both sides, so they must be equal


def copy_versions(
    s3: Any, source_bucket: str, versions: dict[str, ObjectVersion], target_bucket: str, prefix: str
) -> list[Copied]:
    """Server-side copies of exact object versions: the bytes never pass through this function."""
    copied = []
    for name, version in sorted(versions.items()):
        key = prefix + name
        source = {"Bucket": source_bucket, "Key": version.key, "VersionId": version.version_id}
        if version.size <= COPY_OBJECT_LIMIT:
            response = s3.copy_object(Bucket=target_bucket, Key=key, CopySource=source)
            etag = response["CopyObjectResult"]["ETag"]
            # Under SSE-KMS (the cloud's buckets) an ETag is no digest, and a multipart ETag has a "-":
            # then only sizes compare; with plain MD5 ETags on both sides they must be equal too.
            encrypted = response.get("ServerSideEncryption", "AES256") not in ("AES256", "")
            comparable = not encrypted and "-" not in version.etag
        else:
            s3.copy(source, target_bucket, key, Config=TransferConfig(multipart_chunksize=512 * 1024**2))
            etag, comparable = s3.head_object(Bucket=target_bucket, Key=key)["ETag"], False
        copied.append(Copied(name, key, version, etag, comparable))
    return copied


def verify_copies(s3: Any, target_bucket: str, prefix: str, copies: list[Copied]) -> None:
    """The target prefix holds exactly the copied names, each with the source's size (and ETag)."""
    present: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target_bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            present[item["Key"][len(prefix) :]] = item
    expected = {copy.name for copy in copies}
    if set(present) != expected:
        raise CopyMismatch(f"{prefix} holds {sorted(set(present) ^ expected)} unexpectedly")
    for copy in copies:
        item = present[copy.name]
        if int(item["Size"]) != copy.source.size or item["ETag"] != copy.etag:
            raise CopyMismatch(f"{copy.key} differs from what was copied")
        if copy.comparable and item["ETag"] != copy.source.etag:
            raise CopyMismatch(f"{copy.key} differs from version {copy.source.version_id}")


def sha256_of(body: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


# -- the operator's restore ------------------------------------------------------------------------------
class SystemRestoreService:
    def __init__(
        self,
        store: DataStore,
        requests: RequestStore,
        locks: Locks,
        readers: dict[str, VersionReader],
        stepfunctions: Any = None,
        state_machine_arn: str = "",
    ) -> None:
        self.store = store
        self.requests = requests
        self.locks = locks
        self.readers = readers
        self.stepfunctions = stepfunctions
        self.state_machine_arn = state_machine_arn

    def reader(self, source: str) -> VersionReader:
        if source not in self.readers:
            raise ValueError(f"no {source!r} source is configured (have: {', '.join(self.readers)})")
        return self.readers[source]

    # -- operator commands -------------------------------------------------------------------------
    def fulfil(self, request_id: str, source: str = "primary") -> dict[str, Any]:
        """Start the state machine for a request (items already restored are skipped)."""
        self.reader(source)
        request = self.requests.find(request_id)
        execution = f"{request.request_id}-{source}-{len(request.fulfilments) + 1}"
        request = self.requests.begin(request, execution, source)
        payload = {
            "customer": request.customer,
            "requestId": request.request_id,
            "source": source,
            "items": [{"administration": i["administration"], "year": i["year"]} for i in request.items],
        }
        try:
            started = self.stepfunctions.start_execution(
                stateMachineArn=self.state_machine_arn, name=execution, input=json.dumps(payload)
            )
        except Exception:
            self.requests.set_status(request, Status.FAILED)  # not left "in progress" by a run that never ran
            raise
        return {"requestId": request.request_id, "execution": started["executionArn"], "source": source}

    # -- state machine steps ---------------------------------------------------------------------
    def restore_item(self, customer: str, request_id: str, index: int, source: str) -> dict[str, Any]:
        """One administration/year of a request, to the request's point in time. Safe to run again."""
        request = self.requests.get(customer, request_id)
        item = dict(request.items[index])
        if item["status"] == ItemStatus.RESTORED:
            return item
        scope = Scope(customer, item["administration"], item["year"])
        reader = self.reader(source)
        point = reader.head_at(scope, request.moment)
        versions = reader.generation_at(scope, point.generation, request.moment) if point else {}
        if point is None or not versions:
            raise NothingAtThatTime(f"{scope} had no data at {request.point_in_time} in the {source} bucket")
        # The target generation is recorded before the first copy, so a retry reuses (and a failure
        # handler can remove) it.
        target = item.get("generation") or new_generation_id()
        item.update(
            status=ItemStatus.RESTORING,
            generation=target,
            source=source,
            restorePoint=point.view(),
            objects=len(versions),
            bytes=sum(v.size for v in versions.values()),
        )
        item.pop("error", None)
        self.requests.set_item(request, index, item)
        prefix = DataStore.generation_prefix(scope, target)
        head = self.store.head(scope)
        if head is None or head.generation != target:  # not flipped by an earlier attempt
            copies = copy_versions(self.store.s3, reader.bucket, versions, self.store.bucket, prefix)
            verify_copies(self.store.s3, self.store.bucket, prefix, copies)
            head = self._flip(scope, target, request, point, source)
        item.update(status=ItemStatus.RESTORED, restoredAt=head.flipped_at)
        self.requests.set_item(request, index, item)
        return item

    def _flip(self, scope: Scope, target: str, request: Request, point: RestorePoint, source: str) -> Any:
        owner = f"system-restore-{request.request_id}"
        self.locks.acquire(scope, owner, LEASE_SECONDS)
        try:
            head = self.store.head(scope)
            if head is not None and head.generation == target:
                return head
            return self.store.flip_head(
                scope,
                target,
                expected=head,
                source="system-restore",
                request=request.request_id,
                pointInTime=request.point_in_time,
                restoredGeneration=point.generation,
                restoredFrom=source,
            )
        finally:
            self.locks.release(scope, owner)

    def item_failed(self, customer: str, request_id: str, index: int, error: str, cause: str) -> None:
        """Record the failure; remove the copy unless it went live."""
        request = self.requests.get(customer, request_id)
        item = dict(request.items[index])
        generation = item.get("generation")
        scope = Scope(customer, item["administration"], item["year"])
        if generation:
            head = self.store.head(scope)
            if head is None or head.generation != generation:
                self.store.delete_generation(scope, generation)
                item.pop("generation")
        item.update(status=ItemStatus.FAILED, error=error, cause=cause[:1000])
        self.requests.set_item(request, index, item)

    def finish(self, customer: str, request_id: str) -> Request:
        request = self.requests.get(customer, request_id)
        restored = [item["status"] == ItemStatus.RESTORED for item in request.items]
        status = (
            Status.FULFILLED if all(restored) else Status.PARTLY_FULFILLED if any(restored) else Status.FAILED
        )
        return self.requests.set_status(request, status)

    # -- the drill -------------------------------------------------------------------------------------
    def drill(
        self,
        scopes: list[Scope] | None = None,
        sample: int = 3,
        source: str = "primary",
        rng: random.Random | None = None,
    ) -> dict[str, Any]:
        """Restore a sample of recent restore points into a scratch prefix, verify them byte for byte
        against the generation their HEAD version names, remove them, and record the outcome.

        HEAD is never written: a drill must be safe to run against production at any time.
        """
        drill_id = new_job_id()
        chosen = scopes
        if not chosen:
            candidates = self._all_scopes()
            chosen = (rng or random.Random()).sample(candidates, k=min(sample, len(candidates)))
        results = [self._drill_one(drill_id, scope, source) for scope in chosen]
        record = {
            "pk": DRILL_PK,
            "sk": DRILL_PREFIX + drill_id,
            "drill_id": drill_id,
            "source": source,
            "started_at": drill_id[:15],
            "finished_at": now_iso(),
            "ok": bool(results) and all(result["ok"] for result in results),
            "items": results,
            "expires_at": int(time.time()) + 400 * 86400,
        }
        self.requests.table.put_item(Item=_dynamo(record))
        return {k: v for k, v in record.items() if k not in ("pk", "sk", "expires_at")}

    def drills(self, limit: int = 20) -> list[dict[str, Any]]:
        page = self.requests.table.query(
            KeyConditionExpression=Key("pk").eq(DRILL_PK) & Key("sk").begins_with(DRILL_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [plain({k: v for k, v in item.items() if k not in ("pk", "sk")}) for item in page["Items"]]

    def _all_scopes(self) -> list[Scope]:
        scopes = []
        for page in self.store.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.store.bucket, Prefix="data/"
        ):
            for item in page.get("Contents", []):
                parts = item["Key"].split("/")
                if len(parts) == 5 and parts[4] == "HEAD":
                    scopes.append(Scope(parts[1], parts[2], parts[3]))
        return scopes

    def _drill_one(self, drill_id: str, scope: Scope, source: str) -> dict[str, Any]:
        started = time.monotonic()
        result: dict[str, Any] = {"customer": scope.customer, "administration": scope.administration}
        result |= {"year": scope.year, "ok": False}
        head_before = self.store.head(scope)
        prefix = f"{DRILL_SCRATCH_PREFIX}{drill_id}/{scope.customer}/{scope.administration}/{scope.year}/"
        try:
            reader = self.reader(source)
            points = reader.restore_points(scope, limit=1)
            if not points:
                raise NothingAtThatTime(f"{scope} has no restore point in the {source} bucket")
            point = points[0]
            versions = reader.generation_at(scope, point.generation, point.last_modified)
            if not versions:
                raise NothingAtThatTime(f"generation {point.generation} of {scope} is empty")
            result |= {"restorePoint": point.view(), "objects": len(versions)}
            result["bytes"] = sum(v.size for v in versions.values())
            copies = copy_versions(self.store.s3, reader.bucket, versions, self.store.bucket, prefix)
            verify_copies(self.store.s3, self.store.bucket, prefix, copies)
            self._compare_bytes(reader, copies)
            # The drill never writes HEAD; a customer's restore may have flipped it meanwhile.
            result["headUnchanged"] = self.store.head(scope) == head_before
            result["ok"] = True
        except (NothingAtThatTime, CopyMismatch, ClientError, HeadConflict, ValueError) as error:
            result["problem"] = f"{type(error).__name__}: {error}"
        finally:
            self._remove_scratch(prefix)
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    def _compare_bytes(self, reader: VersionReader, copies: list[Copied]) -> None:
        for copy in copies:
            source = reader.s3.get_object(
                Bucket=reader.bucket, Key=copy.source.key, VersionId=copy.source.version_id
            )["Body"]
            target = self.store.s3.get_object(Bucket=self.store.bucket, Key=copy.key)["Body"]
            if sha256_of(source) != sha256_of(target):
                raise CopyMismatch(f"{copy.key}: the bytes differ from version {copy.source.version_id}")

    def _remove_scratch(self, prefix: str) -> None:
        s3, bucket = self.store.s3, self.store.bucket
        keys = [
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
            for item in page.get("Contents", [])
        ]
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})


def _dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dynamo(v) for v in value]
    return value
