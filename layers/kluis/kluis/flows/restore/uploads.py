"""Where a restore's file arrives: the presigned POST the browser uploads with, and the S3 event after it."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.exceptions import ClientError

from kluis.audit import SYSTEM, Action, Entry
from kluis.jobs.lifecycle import Kind, Status, underway
from kluis.jobs.model import JOB_ID, RestoreJob, new_restore
from kluis.scope import CUSTOMER_PATTERN
from kluis.storage.audit import AuditLog
from kluis.storage.jobs import JobNotFound, JobStore

# The server chooses the key, under the caller's customer: uploads/{customer}/{job}.zip.
UPLOAD_KEY = re.compile(rf"uploads/(?P<customer>{CUSTOMER_PATTERN.pattern})/(?P<job>{JOB_ID.pattern})\.zip")
UNDERWAY = underway(Kind.RESTORE)


def upload_key(customer: str, job_id: str) -> str:
    return f"uploads/{customer}/{job_id}.zip"


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
        self.state_machine_arn = state_machine_arn
        self.confirmation_timeout_seconds = confirmation_timeout_seconds
        self.audit = audit

    def create(self, customer: str, requested_by: str | None = None) -> tuple[RestoreJob, dict[str, Any]]:
        """A restore job waiting for its upload, and the presigned POST the browser uploads with."""
        job = self.jobs.create(new_restore(customer, requested_by))
        key = upload_key(customer, job.job_id)
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            # No encryption fields: the bucket's default (SSE-KMS with the data key and a Bucket Key)
            # applies. `aws:kms` without a key id would store the file under the AWS-managed aws/s3
            # key instead (issue 16, finding 4); a field the policy does not name is refused.
            Conditions=[
                {"bucket": self.bucket},
                ["eq", "$key", key],
                ["content-length-range", 1, self.max_bytes],
            ],
            ExpiresIn=self.url_seconds,
        )
        return job, post

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
