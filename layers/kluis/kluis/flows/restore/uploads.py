"""Where a restore's file arrives: the presigned POST or the upload in parts the browser sends it with,
and the S3 event after it.

A file the client states to be larger than `multipart_threshold` (100 MiB by default) goes up in parts:
S3 refuses a POST upload over 5 GB (EntityTooLarge), and a part can be sent again, alone, after a
dropped connection or a reload. The API creates the multipart upload for the job's key (the bucket's
default encryption applies, as for the POST), hands out a presigned UploadPart URL per part, with the
part's size signed in (Content-Length), lists the parts S3 holds so a reloaded page sends only the
rest, and completes the upload from S3's own list of parts, after checking every part's size and the
sum against the stated size and MaxUploadBytes (S3 cannot bound the size of a presigned part): an
upload over either is aborted and the restore rejected. CompleteMultipartUpload emits
`s3:ObjectCreated:CompleteMultipartUpload`, which starts the restore like the POST's event does.

Parts have one size, `part_size(max_bytes, configured)`: at least the configured size (16 MiB; S3 needs
5 MiB but for the last part), raised so that 10,000 parts (S3's most) hold MaxUploadBytes. An upload
nobody completes or aborts is removed by the uploads bucket's lifecycle rule
(AbortIncompleteMultipartUpload after a day).
"""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from kluis.audit import SYSTEM, Action, Entry
from kluis.errors import KluisError, Reason
from kluis.jobs.lifecycle import Kind, Status, underway
from kluis.jobs.model import JOB_ID, Failure, MultipartUpload, RestoreJob, new_restore
from kluis.scope import CUSTOMER_PATTERN
from kluis.storage.audit import AuditLog
from kluis.storage.jobs import JobNotFound, JobStateConflict, JobStore

# The server chooses the key, under the caller's customer: uploads/{customer}/{job}.zip.
UPLOAD_KEY = re.compile(rf"uploads/(?P<customer>{CUSTOMER_PATTERN.pattern})/(?P<job>{JOB_ID.pattern})\.zip")
UNDERWAY = underway(Kind.RESTORE)
POST_LIMIT = 5 * 1000**3  # S3: "the maximum size of an object uploaded by POST is 5 GB"
MAX_PARTS = 10_000  # S3: a multipart upload has at most 10,000 parts
MIB = 1024 * 1024
PARTS_PER_REQUEST = 100  # presigned part URLs asked for at once


class UploadRefused(KluisError):
    """The file (as stated, or as its parts add up) is not one this restore accepts."""

    default_code = "restore.file_too_large"
    http_status = 400


def upload_key(customer: str, job_id: str) -> str:
    return f"uploads/{customer}/{job_id}.zip"


def part_size(max_bytes: int, configured: int) -> int:
    """The size of every part but the last: `configured`, or more (whole MiB) if 10,000 parts of it
    would not hold `max_bytes`. 16 MiB holds 156 GiB; the default MaxUploadBytes is 20 GiB."""
    needed = -(-max_bytes // MAX_PARTS)
    if needed <= configured:
        return configured
    return -(-needed // MIB) * MIB


class RestoreUploads:
    def __init__(
        self,
        jobs: JobStore,
        s3: Any,
        stepfunctions: Any,
        *,
        bucket: str,
        max_bytes: int,
        url_seconds: int,
        multipart_threshold: int = 100 * MIB,
        part_size: int = 16 * MIB,
        state_machine_arn: str = "",
        confirmation_timeout_seconds: int = 3600,
        audit: AuditLog | None = None,
    ) -> None:
        self.jobs = jobs
        self.s3 = s3
        self.stepfunctions = stepfunctions
        self.bucket = bucket
        self.max_bytes = max_bytes
        self.url_seconds = url_seconds
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size
        self.state_machine_arn = state_machine_arn
        self.confirmation_timeout_seconds = confirmation_timeout_seconds
        self.audit = audit

    def check_size(self, size: int | None) -> None:
        """Refuse a stated size over MaxUploadBytes before any job is made for it."""
        if size is not None and size > self.max_bytes:
            raise UploadRefused(size=size, maxBytes=self.max_bytes)

    def in_parts(self, size: int | None) -> bool:
        """A file of `size` goes up in parts (a file of unknown size by one POST, up to 5 GB)."""
        return size is not None and size > min(self.multipart_threshold, POST_LIMIT)

    def create(
        self, customer: str, requested_by: str | None = None, size: int | None = None
    ) -> tuple[RestoreJob, dict[str, Any]]:
        """A restore job waiting for its upload, and how the browser sends the file: `{"upload": the
        presigned POST}` or, for a file stated larger than the threshold, `{"multipart": its plan}`."""
        self.check_size(size)
        job = new_restore(customer, requested_by)
        key = upload_key(customer, job.job_id)
        if size is not None and self.in_parts(size):
            # No encryption named: the bucket's default (the data key, with a Bucket Key) applies.
            created = self.s3.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType="application/zip"
            )
            plan = MultipartUpload(
                upload_id=created["UploadId"], size=size, part_size=part_size(self.max_bytes, self.part_size)
            )
            job = self.jobs.create(job.model_copy(update={"multipart": plan}))
            return job, {"multipart": plan.view()}
        job = self.jobs.create(job)
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            # No encryption fields: the bucket's default (SSE-KMS with the data key and a Bucket Key)
            # applies. `aws:kms` without a key id would store the file under the AWS-managed aws/s3
            # key instead (issue 16, finding 4); a field the policy does not name is refused.
            Conditions=[
                {"bucket": self.bucket},
                ["eq", "$key", key],
                ["content-length-range", 1, min(self.max_bytes, POST_LIMIT)],
            ],
            ExpiresIn=self.url_seconds,
        )
        return job, {"upload": post}

    # -- the upload in parts -------------------------------------------------------------------------
    def _open(self, customer: str, job_id: str) -> tuple[RestoreJob, MultipartUpload]:
        """The caller's restore that awaits its upload in parts (only the owner's: the key is theirs)."""
        job = self.jobs.get_restore(customer, job_id)
        if job.multipart is None:
            raise JobStateConflict("restore.not_multipart")
        if job.status is not Status.AWAITING_UPLOAD:
            raise JobStateConflict("restore.not_awaiting_upload", status=str(job.status))
        return job, job.multipart

    def part_urls(self, customer: str, job_id: str, numbers: list[int]) -> list[dict[str, Any]]:
        """A presigned UploadPart URL for each part number, its size signed in: S3 refuses a part of
        another size (SignatureDoesNotMatch), so each part is exactly what the plan says."""
        job, plan = self._open(customer, job_id)
        for number in numbers:
            if not 1 <= number <= plan.part_count:
                raise UploadRefused("restore.part_out_of_range", part=number, parts=plan.part_count)
        key = upload_key(job.customer, job.job_id)
        return [
            {
                "partNumber": number,
                "size": plan.part_bytes(number),
                "url": self.s3.generate_presigned_url(
                    "upload_part",
                    Params={
                        "Bucket": self.bucket,
                        "Key": key,
                        "UploadId": plan.upload_id,
                        "PartNumber": number,
                        "ContentLength": plan.part_bytes(number),
                    },
                    ExpiresIn=self.url_seconds,
                ),
            }
            for number in dict.fromkeys(numbers)
        ]

    def uploaded_parts(self, customer: str, job_id: str) -> dict[str, Any]:
        """The plan and the parts S3 holds: what a reloaded page needs to send only the rest."""
        job, plan = self._open(customer, job_id)
        parts = self._listed(job, plan)
        return plan.view() | {
            "parts": [
                {"partNumber": n, "size": size, "etag": etag} for n, (size, etag) in sorted(parts.items())
            ]
        }

    def _listed(self, job: RestoreJob, plan: MultipartUpload) -> dict[int, tuple[int, str]]:
        """Part number -> (size, ETag), from S3's ListParts (a closed upload: JobStateConflict)."""
        found: dict[int, tuple[int, str]] = {}
        request: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": upload_key(job.customer, job.job_id),
            "UploadId": plan.upload_id,
        }
        try:
            while True:
                page = self.s3.list_parts(**request)
                for part in page.get("Parts", []):
                    found[int(part["PartNumber"])] = (int(part["Size"]), str(part["ETag"]))
                if not page.get("IsTruncated"):
                    return found
                request["PartNumberMarker"] = page["NextPartNumberMarker"]
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchUpload":
                raise JobStateConflict("restore.upload_not_open") from error
            raise

    def complete(self, customer: str, job_id: str, claimed: dict[int, str] | None = None) -> RestoreJob:
        """Complete the upload from S3's own list of parts. Parts over their planned size, or a sum over
        the stated size or MaxUploadBytes: the upload is aborted and the restore rejected. A part
        missing (or not the one the client sent, by ETag): 409, the upload stays open to send it."""
        job, plan = self._open(customer, job_id)
        parts = self._listed(job, plan)
        total = sum(size for size, _ in parts.values())
        oversized = [n for n, (size, _) in parts.items() if n > plan.part_count or size > plan.part_bytes(n)]
        if oversized or total > plan.size or total > self.max_bytes:
            reason = Reason(
                "restore.upload_too_large", {"size": total, "maxBytes": min(plan.size, self.max_bytes)}
            )
            self.jobs.move(job, Status.REJECTED, failure=Failure.of(reason))
            self.abort(job)
            raise UploadRefused(reason.code, **reason.params)
        missing = [n for n in range(1, plan.part_count + 1) if n not in parts]
        differs = [n for n, etag in (claimed or {}).items() if n in parts and parts[n][1] != etag]
        if missing or differs:
            first = (missing or differs)[0]
            raise JobStateConflict("restore.upload_incomplete", part=first, parts=plan.part_count)
        self.s3.complete_multipart_upload(
            Bucket=self.bucket,
            Key=upload_key(job.customer, job.job_id),
            UploadId=plan.upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": parts[n][1]} for n in sorted(parts)]},
        )
        return job

    def abort(self, job: RestoreJob) -> None:
        """Abort the job's upload in parts, if it has one (an upload already closed is no error)."""
        if job.multipart is None:
            return
        try:
            self.s3.abort_multipart_upload(
                Bucket=self.bucket, Key=upload_key(job.customer, job.job_id), UploadId=job.multipart.upload_id
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchUpload":
                raise

    def on_upload(self, bucket: str, key: str) -> str:
        """Start the restore of a finished upload, once; remove uploads that no waiting job expects."""
        job = self._job_of(bucket, key)
        if job is not None and job.status in UNDERWAY:
            return "ignored"  # a duplicated or late event of a restore that is already running
        if job is None or job.status is not Status.AWAITING_UPLOAD:
            self.s3.delete_object(Bucket=bucket, Key=key)
            return "deleted"
        try:
            self.stepfunctions.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=job.job_id,
                input=json.dumps(
                    {
                        "jobId": job.job_id,
                        "customer": job.customer,
                        "confirmationTimeoutSeconds": self.confirmation_timeout_seconds,
                    }
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            return "ignored"
        if self.audit is not None:  # the user who was given the upload slot sent the file
            actor = job.requested_by or SYSTEM
            self.audit.append(
                Entry(customer=job.customer, actor=actor, action=Action.RESTORE_UPLOADED, job_id=job.job_id)
            )
        return "started"

    def _job_of(self, bucket: str, key: str) -> RestoreJob | None:
        match = UPLOAD_KEY.fullmatch(key)
        if not match or bucket != self.bucket:
            return None
        try:
            job = self.jobs.get(match["customer"], match["job"])
        except JobNotFound:
            return None
        return job if isinstance(job, RestoreJob) else None

    def delete(self, job: RestoreJob) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=upload_key(job.customer, job.job_id))
