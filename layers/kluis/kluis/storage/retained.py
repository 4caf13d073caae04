"""The retention bucket and its index: closed years' archives under Object Lock, and what is kept.

    retained/{customer}/{administration}/{year}/{archive id}.zip     the archive, locked (COMPLIANCE)

The bucket has versioning and Object Lock; each archive's version carries its own retain-until date
(the end of its fiscal year plus 7 or 10 years, `kluis.retention`) and, when an operator sets one, a
legal hold. The index lives in the jobs table beside the customer's jobs, so a customer's token only
ever finds its own (`pk = customer`):

    pk = customer, sk = "retained#" + archive id                 one retained archive
    pk = customer, sk = "retention-claim#" + adm + "#" + year     the closed-year sweep's claim

The archive id is the id of the backup job that built it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict

from kluis.errors import KluisError
from kluis.retention import RetentionYears, Why
from kluis.scope import Scope
from kluis.storage.dynamo import to_dynamo

RETAINED_PREFIX = "retained#"
CLAIM_PREFIX = "retention-claim#"
LOCK_MODE = "COMPLIANCE"
# Archives are copied by S3 itself, always as a multipart copy (UploadPartCopy), never one CopyObject:
# S3 refuses a write into an Object Lock bucket without an integrity value (Content-MD5 or an SDK
# checksum), and a CopyObject carries none of a multipart-uploaded source such as our archives (seen
# with rclone, rclone/rclone#6846; moto refuses it too). One CopyObject would also stop at 5 GB.
# Parts of 512 MiB, 8 in flight, copy a 20 GB archive well inside the step's 15 minutes.
COPY_CONFIG = TransferConfig(multipart_threshold=1, multipart_chunksize=512 * 1024 * 1024, max_concurrency=8)
# The index outlives the lock by this much, so the page still says what happened to an archive.
INDEX_GRACE_DAYS = 90


class NoSuchRetainedArchive(KluisError):
    default_code = "retention.not_found"
    http_status = 404


class RetainedArchive(BaseModel):
    """One archive kept under Object Lock, as the index records it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    customer: str
    administration: str
    year: str
    archive_id: str
    key: str
    version_id: str
    size: int
    manifest_sha256: str | None = None
    generation: str
    years: RetentionYears
    why: Why
    fiscal_year_end: str
    retain_until: str
    created_at: str
    legal_hold: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.customer, self.administration, self.year)

    def view(self) -> dict[str, Any]:
        return {
            "archiveId": self.archive_id,
            "administration": self.administration,
            "year": self.year,
            "createdAt": self.created_at,
            "fiscalYearEnd": self.fiscal_year_end,
            "retainUntil": self.retain_until,
            "years": self.years,
            "why": str(self.why),
            "size": self.size,
            "legalHold": self.legal_hold,
            "filename": self.scope.backup_filename(),
        }


class RetainedArchives:
    def __init__(
        self, s3: Any, bucket: str, dynamodb: Any, table_name: str, *, storage_class: str = "GLACIER_IR"
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.table = dynamodb.Table(table_name)
        self.storage_class = storage_class

    @staticmethod
    def key_of(scope: Scope, archive_id: str) -> str:
        return f"retained/{scope.customer}/{scope.administration}/{scope.year}/{archive_id}.zip"

    # -- the bucket ---------------------------------------------------------------------------
    def copy_in(
        self, source_bucket: str, source_key: str, scope: Scope, archive_id: str, until: datetime, years: int
    ) -> tuple[str, int]:
        """Copy an archive into the bucket, locked until `until`; its version id and size.

        The lock is set in the copy request itself, so no moment exists in which the object is there
        but unlocked. Tagged with its retention years for the bucket's lifecycle rules.
        """
        key = self.key_of(scope, archive_id)
        self.s3.copy(
            {"Bucket": source_bucket, "Key": source_key},
            self.bucket,
            key,
            ExtraArgs={
                "ObjectLockMode": LOCK_MODE,
                "ObjectLockRetainUntilDate": until,
                "StorageClass": self.storage_class,
                "ContentType": "application/zip",
                "MetadataDirective": "REPLACE",
                "Metadata": {"archive-id": archive_id, "scope": str(scope)},
                "TaggingDirective": "REPLACE",
                "Tagging": f"retention-years={years}",
            },
            Config=COPY_CONFIG,
        )
        head = self.s3.head_object(Bucket=self.bucket, Key=key)
        if head.get("ObjectLockMode") != LOCK_MODE:  # never record a copy that is not locked
            raise RuntimeError(f"{key} was written without its {LOCK_MODE} lock")
        return str(head["VersionId"]), int(head["ContentLength"])

    def download_url(self, archive: RetainedArchive, expires_seconds: int) -> str:
        """A fresh, short-lived link to the locked version, saved under the backup's usual name."""
        url: str = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": archive.key,
                "VersionId": archive.version_id,
                "ResponseContentDisposition": f'attachment; filename="{archive.scope.backup_filename()}"',
                "ResponseContentType": "application/zip",
            },
            ExpiresIn=expires_seconds,
        )
        return url

    def set_legal_hold(self, archive: RetainedArchive, on: bool) -> RetainedArchive:
        self.s3.put_object_legal_hold(
            Bucket=self.bucket,
            Key=archive.key,
            VersionId=archive.version_id,
            LegalHold={"Status": "ON" if on else "OFF"},
        )
        self.table.update_item(
            Key=_key(archive.customer, archive.archive_id),
            UpdateExpression="SET legal_hold = :on",
            ExpressionAttributeValues={":on": on},
            ConditionExpression=Attr("pk").exists(),
        )
        return archive.model_copy(update={"legal_hold": on})

    def lock_of(self, archive: RetainedArchive) -> dict[str, Any]:
        """What S3 itself says of the version's lock (operators verify the index against it)."""
        head = self.s3.head_object(Bucket=self.bucket, Key=archive.key, VersionId=archive.version_id)
        return {
            "mode": head.get("ObjectLockMode"),
            "retainUntil": _iso(head.get("ObjectLockRetainUntilDate")),
            "legalHold": head.get("ObjectLockLegalHoldStatus") == "ON",
            "size": head.get("ContentLength"),
        }

    # -- the index ----------------------------------------------------------------------------
    def record(self, archive: RetainedArchive) -> None:
        """Index a locked copy (again, on a retried step: the same item)."""
        until = datetime.fromisoformat(archive.retain_until)
        expires = until + timedelta(days=INDEX_GRACE_DAYS)
        item = to_dynamo(archive.model_dump(mode="json")) | _key(archive.customer, archive.archive_id)
        self.table.put_item(Item=item | {"expires_at": int(expires.timestamp())})

    def get(self, customer: str, archive_id: str) -> RetainedArchive:
        item = self.table.get_item(Key=_key(customer, archive_id), ConsistentRead=True).get("Item")
        if item is None:
            raise NoSuchRetainedArchive()
        return RetainedArchive.model_validate(item)

    def of_customer(self, customer: str) -> list[RetainedArchive]:
        """Every archive kept for the customer, newest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(customer) & Key("sk").begins_with(RETAINED_PREFIX),
            "ScanIndexForward": False,
        }
        while True:
            page = self.table.query(**kwargs)
            items += page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return [RetainedArchive.model_validate(item) for item in items]

    # -- the closed-year sweep's claims -------------------------------------------------------
    def claim(self, scope: Scope, generation: str, job_id: str, *, replacing: str | None = None) -> bool:
        """Claim retaining `generation` of a closed year for `job_id`; False if already claimed
        (by another job, unless it is the failed `replacing`)."""
        condition = Attr("pk").not_exists() | Attr("generation").ne(generation)
        if replacing is not None:
            condition = condition | Attr("job_id").eq(replacing)
        try:
            self.table.put_item(
                Item=_claim_key(scope)
                | {"generation": generation, "job_id": job_id, "claimed_at": int(time.time())},
                ConditionExpression=condition,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claimed(self, scope: Scope) -> tuple[str, str] | None:
        """(generation, job id) of the latest claim for the year, if any."""
        item = self.table.get_item(Key=_claim_key(scope), ConsistentRead=True).get("Item")
        return None if item is None else (str(item["generation"]), str(item["job_id"]))


def _key(customer: str, archive_id: str) -> dict[str, str]:
    return {"pk": customer, "sk": RETAINED_PREFIX + archive_id}


def _claim_key(scope: Scope) -> dict[str, str]:
    return {"pk": scope.customer, "sk": f"{CLAIM_PREFIX}{scope.administration}#{scope.year}"}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="seconds")
