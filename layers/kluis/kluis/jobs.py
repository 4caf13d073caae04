"""Jobs: the record of one backup or restore, in the jobs table, scoped by customer.

Items are keyed `pk = customer`, `sk = "job#" + job id`, so reading a job needs the customer from
the caller's token: another customer's job id simply is not found. Job ids sort by creation time.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

JOB_PREFIX = "job#"
RETENTION_DAYS = 30


class Kind(StrEnum):
    BACKUP = "backup"
    RESTORE = "restore"


class Status(StrEnum):
    # backup
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    # restore
    AWAITING_UPLOAD = "awaiting-upload"
    VALIDATING = "validating"
    AWAITING_CONFIRMATION = "awaiting-confirmation"
    APPLYING = "applying"
    RESTORED = "restored"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


FINAL = frozenset(
    {Status.READY, Status.FAILED, Status.RESTORED, Status.REJECTED, Status.EXPIRED, Status.CANCELLED}
)


class JobNotFound(LookupError):
    pass


class JobStateConflict(Exception):
    """The job is not in the state the change requires (e.g. confirming a job that is not waiting)."""


def new_job_id() -> str:
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(6)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    job_id: str
    customer: str
    kind: Kind
    status: Status
    administration: str | None = None
    year: str | None = None
    include_documents: bool = False
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    progress: dict[str, int] = field(default_factory=dict)
    reason: str | None = None
    archive_key: str | None = None
    archive_size: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def to_item(self) -> dict[str, Any]:
        item = {
            "pk": self.customer,
            "sk": JOB_PREFIX + self.job_id,
            "job_id": self.job_id,
            "customer": self.customer,
            "kind": str(self.kind),
            "status": str(self.status),
            "administration": self.administration,
            "year": self.year,
            "include_documents": self.include_documents,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "progress": self.progress,
            "reason": self.reason,
            "archive_key": self.archive_key,
            "archive_size": self.archive_size,
            "details": self.details,
            "expires_at": int(time.time()) + RETENTION_DAYS * 86400,
        }
        return {name: value for name, value in item.items() if value is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Job:
        return cls(
            job_id=item["job_id"],
            customer=item["customer"],
            kind=Kind(item["kind"]),
            status=Status(item["status"]),
            administration=item.get("administration"),
            year=item.get("year"),
            include_documents=bool(item.get("include_documents", False)),
            created_at=item["created_at"],
            updated_at=item["updated_at"],
            progress={k: int(v) for k, v in (item.get("progress") or {}).items()},
            reason=item.get("reason"),
            archive_key=item.get("archive_key"),
            archive_size=int(item["archive_size"]) if item.get("archive_size") is not None else None,
            details=plain(item.get("details") or {}),
        )


def plain(value: Any) -> Any:
    """DynamoDB gives numbers as Decimal; callers want ints."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class JobStore:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def create(self, job: Job) -> Job:
        self.table.put_item(Item=job.to_item(), ConditionExpression=Attr("pk").not_exists())
        return job

    def get(self, customer: str, job_id: str) -> Job:
        item = self.table.get_item(Key={"pk": customer, "sk": JOB_PREFIX + job_id}, ConsistentRead=True).get(
            "Item"
        )
        if not item:
            raise JobNotFound(job_id)
        return Job.from_item(item)

    def update(
        self,
        customer: str,
        job_id: str,
        *,
        expect: Status | set[Status] | None = None,
        remove: tuple[str, ...] = (),
        condition: ConditionBase | None = None,
        **changes: Any,
    ) -> Job:
        """Set fields of an existing job, optionally only while it is in one of `expect`'s states."""
        changes["updated_at"] = now_iso()
        names = {f"#{name}": name for name in changes} | {f"#{name}": name for name in remove}
        values = {f":{name}": _dynamo(value) for name, value in changes.items()}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in changes)
        if remove:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in remove)
        condition = Attr("pk").exists() & condition if condition is not None else Attr("pk").exists()
        if expect is not None:
            allowed = [str(s) for s in ({expect} if isinstance(expect, Status) else expect)]
            condition = condition & Attr("status").is_in(allowed)
        try:
            response = self.table.update_item(
                Key={"pk": customer, "sk": JOB_PREFIX + job_id},
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ConditionExpression=condition,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                current = self.table.get_item(Key={"pk": customer, "sk": JOB_PREFIX + job_id}).get("Item")
                if not current:
                    raise JobNotFound(job_id) from error
                raise JobStateConflict(f"job {job_id} is {current['status']}") from error
            raise
        return Job.from_item(response["Attributes"])

    def recent(
        self, customer: str, administration: str | None = None, year: str | None = None, limit: int = 20
    ) -> list[Job]:
        """The customer's newest jobs first, optionally of one administration/year."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(customer) & Key("sk").begins_with(JOB_PREFIX),
            "ScanIndexForward": False,
        }
        if administration and year:
            query["FilterExpression"] = Attr("administration").eq(administration) & Attr("year").eq(year)
        jobs: list[Job] = []
        while len(jobs) < limit:
            page = self.table.query(**query)
            jobs.extend(Job.from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return jobs[:limit]


def _dynamo(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_dynamo(v) for v in value]
    return value


def public_view(job: Job) -> dict[str, Any]:
    """What the job's owner sees through the API (never task tokens, codes' hashes or keys)."""
    progress = dict(job.progress)
    if progress.get("bytes_total"):
        progress["percent"] = min(100, int(100 * progress.get("bytes_done", 0) / progress["bytes_total"]))
    elif job.status in (Status.READY, Status.RESTORED):
        progress["percent"] = 100
    view: dict[str, Any] = {
        "jobId": job.job_id,
        "kind": str(job.kind),
        "status": str(job.status),
        "administration": job.administration,
        "year": job.year,
        "includeDocuments": job.include_documents,
        "createdAt": job.created_at,
        "updatedAt": job.updated_at,
        "progress": progress,
        "final": job.is_final,
    }
    if job.reason:
        view["reason"] = job.reason
    if job.archive_size is not None:
        view["archiveSize"] = job.archive_size
    public_details = {k: v for k, v in job.details.items() if not k.startswith("_")}
    if public_details:
        view["details"] = public_details
    return view
