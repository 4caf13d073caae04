"""The jobs table: one item per job, `pk = customer`, `sk = "job#" + job id`.

Reading a job needs the customer from the caller's token: another customer's job id simply is not
found. Every status change is a conditional write whose condition is the declared move
(`kluis.jobs.lifecycle`): a job is never moved from a status the declaration does not allow.
"""

from __future__ import annotations

import time
from typing import Any, TypeVar

from boto3.dynamodb.conditions import Attr, ConditionBase, Key
from botocore.exceptions import ClientError

from kluis.audit import SYSTEM, Action, Entry, Outcome
from kluis.errors import KluisError
from kluis.jobs.lifecycle import Kind, Status, final, sources, statuses
from kluis.jobs.model import (
    JOB_ADAPTER,
    AnyJob,
    AuditfileJob,
    BackupJob,
    JobBase,
    RestoreJob,
    is_job_id,
    now_iso,
)
from kluis.scope import Scope
from kluis.storage.audit import AuditLog
from kluis.storage.dynamo import to_dynamo

JOB_PREFIX = "job#"
RETENTION_DAYS = 30
KEYS = ("pk", "sk", "expires_at")
J = TypeVar("J", bound=JobBase)


class JobNotFound(KluisError):
    default_code = "job.not_found"
    http_status = 404


class JobStateConflict(KluisError):
    """The job is not in a status the change requires (e.g. confirming a job that is not waiting)."""

    default_code = "job.state_conflict"
    http_status = 409


OUTCOMES: dict[tuple[Kind, Status], tuple[Action, Outcome]] = {
    (Kind.BACKUP, Status.READY): (Action.BACKUP_READY, Outcome.DONE),
    (Kind.BACKUP, Status.FAILED): (Action.BACKUP_FAILED, Outcome.FAILED),
    (Kind.RESTORE, Status.RESTORED): (Action.RESTORE_RESTORED, Outcome.DONE),
    (Kind.RESTORE, Status.REJECTED): (Action.RESTORE_REJECTED, Outcome.REFUSED),
    (Kind.RESTORE, Status.EXPIRED): (Action.RESTORE_EXPIRED, Outcome.DONE),
    (Kind.RESTORE, Status.CANCELLED): (Action.RESTORE_CANCELLED, Outcome.DONE),
    (Kind.RESTORE, Status.FAILED): (Action.RESTORE_FAILED, Outcome.FAILED),
    (Kind.AUDITFILE, Status.READY): (Action.AUDITFILE_READY, Outcome.DONE),
    (Kind.AUDITFILE, Status.FAILED): (Action.AUDITFILE_FAILED, Outcome.FAILED),
}


def outcome_of(job: JobBase) -> Entry:
    """The audit record of how a job ended (the product's own step did it, for the job's requester)."""
    action, outcome = OUTCOMES[(job.kind, job.status)]
    sha256 = None
    if isinstance(job, BackupJob) and job.archive:
        sha256 = job.archive.manifest_sha256
    elif isinstance(job, RestoreJob) and job.summary:
        sha256 = job.summary.manifest_sha256
    detail = f"for {job.requested_by}" if job.requested_by else None
    if isinstance(job, AuditfileJob):
        sha256 = job.source.manifest_sha256  # the archive it was made from
        if job.auditfile:  # the file's own checksum, which anyone handed the file can check
            made = f"XAF {job.auditfile.version}, sha256 {job.auditfile.sha256}"
            detail = f"{made}; {detail}" if detail else made
    return Entry(
        customer=job.customer,
        actor=SYSTEM,
        action=action,
        outcome=outcome,
        administration=job.administration,
        year=job.year,
        job_id=job.job_id,
        manifest_sha256=sha256,
        reason_code=job.failure.code if job.failure else None,
        detail=detail,
    )


def job_key(customer: str, job_id: str) -> dict[str, str]:
    return {"pk": customer, "sk": JOB_PREFIX + job_id}


def to_item(job: JobBase, retention_days: int = RETENTION_DAYS) -> dict[str, Any]:
    item: dict[str, Any] = to_dynamo(job.model_dump(mode="json", exclude_none=True))
    return (
        item | job_key(job.customer, job.job_id) | {"expires_at": int(time.time()) + retention_days * 86400}
    )


def from_item(item: dict[str, Any]) -> AnyJob:
    return JOB_ADAPTER.validate_python({name: value for name, value in item.items() if name not in KEYS})


class JobStore:
    def __init__(
        self,
        dynamodb: Any,
        table_name: str,
        audit: AuditLog | None = None,
        retention_days: int = RETENTION_DAYS,
    ) -> None:
        self.table = dynamodb.Table(table_name)
        self.audit = audit  # where a job's outcome is recorded when it ends
        self.retention_days = retention_days

    def create(self, job: J) -> J:
        self.table.put_item(
            Item=to_item(job, self.retention_days), ConditionExpression=Attr("pk").not_exists()
        )
        return job

    def get(self, customer: str, job_id: str) -> AnyJob:
        if not is_job_id(job_id):
            raise JobNotFound()
        item = self.table.get_item(Key=job_key(customer, job_id), ConsistentRead=True).get("Item")
        if not item:
            raise JobNotFound()
        return from_item(item)

    def get_restore(self, customer: str, job_id: str) -> RestoreJob:
        job = self.get(customer, job_id)
        if not isinstance(job, RestoreJob):
            raise JobStateConflict(status=str(job.status))
        return job

    def get_backup(self, customer: str, job_id: str) -> BackupJob:
        job = self.get(customer, job_id)
        if not isinstance(job, BackupJob):
            raise JobStateConflict(status=str(job.status))
        return job

    def move(self, job: J, to: Status, *, condition: ConditionBase | None = None, **changes: Any) -> J:
        """Move `job` to status `to`, setting `changes` (model fields), if the move is allowed now.

        The write is conditional on the job being in one of the declared sources of `to` (and on
        `condition`); otherwise JobStateConflict, or JobNotFound if the job is gone.
        """
        where = Attr("status").is_in([str(s) for s in sources(job.kind, to)])
        before, moved = self._write(
            job, {"status": to, **changes}, where if condition is None else where & condition
        )
        if self.audit is not None and moved.is_final and before.status is not moved.status:
            self.audit.append(outcome_of(moved))
        return moved

    def record(self, job: J, *, condition: ConditionBase, **changes: Any) -> J:
        """Set fields of `job` whatever its status, if `condition` holds (JobStateConflict otherwise)."""
        return self._write(job, changes, condition)[1]

    def _write(self, job: J, changes: dict[str, Any], condition: ConditionBase) -> tuple[J, J]:
        """Write `changes` if `condition` holds; returns the job as it was stored before, and after."""
        fields = {**changes, "updated_at": now_iso()}
        typed = job.model_copy(update=fields)
        type(job).model_validate(typed.model_dump())  # the changes must fit the model's types
        values = typed.model_dump(mode="json", include=set(fields))
        # A field set to None is removed from the item, as an absent field reads as None.
        kept = {name: value for name, value in values.items() if value is not None}
        removed = [name for name, value in values.items() if value is None]
        names = {f"#{name}": name for name in values}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in kept)
        expression += (" REMOVE " + ", ".join(f"#{name}" for name in removed)) if removed else ""
        try:
            response = self.table.update_item(
                Key=job_key(job.customer, job.job_id),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues={f":{name}": to_dynamo(value) for name, value in kept.items()},
                ConditionExpression=Attr("pk").exists() & condition,
                ReturnValues="ALL_OLD",  # the status before this write tells whether the job just ended
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise self._conflict(job) from error
            raise
        before = from_item(response["Attributes"])
        assert isinstance(before, type(job))
        after = type(job).model_validate(before.model_copy(update=fields).model_dump())
        return before, after

    def update(self, job: J, **changes: Any) -> J:
        """Change fields of `job` while it stays in its status (a declared move to itself)."""
        return self.move(job, job.status, **changes)

    def _conflict(self, job: JobBase) -> KluisError:
        current = self.table.get_item(Key=job_key(job.customer, job.job_id), ConsistentRead=True).get("Item")
        if not current:
            return JobNotFound()
        return JobStateConflict(status=str(current["status"]))

    def unfinished_restores(self, scope: Scope) -> list[RestoreJob]:
        """The administration/year's restores (and undos) that have not ended: their stages are in use."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(scope.customer) & Key("sk").begins_with(JOB_PREFIX),
            "FilterExpression": Attr("kind").eq(str(Kind.RESTORE))
            & Attr("administration").eq(scope.administration)
            & Attr("year").eq(scope.year)
            & Attr("status").is_in([str(s) for s in statuses(Kind.RESTORE) - final(Kind.RESTORE)]),
            "ConsistentRead": True,
        }
        found: list[RestoreJob] = []
        while True:
            page = self.table.query(**query)
            found += [job for job in map(from_item, page.get("Items", [])) if isinstance(job, RestoreJob)]
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def recent(
        self, customer: str, administration: str | None = None, year: str | None = None, limit: int = 20
    ) -> list[AnyJob]:
        """The customer's newest jobs first, optionally of one administration/year."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(customer) & Key("sk").begins_with(JOB_PREFIX),
            "ScanIndexForward": False,
        }
        if administration and year:
            query["FilterExpression"] = Attr("administration").eq(administration) & Attr("year").eq(year)
        jobs: list[AnyJob] = []
        while len(jobs) < limit:
            page = self.table.query(**query)
            jobs.extend(from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return jobs[:limit]
