"""A build's checkpoint: everything a next invocation needs to continue the same archive.

Kept in the archives bucket under `checkpoints/`: the build plan and position, the ZIP writer's
state, the multipart upload's parts, and the upload's unsent tail (S3 parts but the last must be at
least 5 MiB, so a short tail travels with the checkpoint instead of being uploaded).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from kluis.flows.backup.start import archive_key
from kluis.jobs.model import BackupJob


@dataclass
class BuildState:
    """The JSON part of a checkpoint."""

    generation: str
    created_at: str
    plan: list[dict[str, Any]]
    position: int = 0
    writer: dict[str, Any] = field(default_factory=dict)
    upload: dict[str, Any] = field(default_factory=dict)
    part_size: int = 0


def checkpoint_key(job: BackupJob) -> str:
    return f"checkpoints/{job.customer}/{job.job_id}.json"


class Checkpoints:
    """A build's checkpoint and its multipart uploads in the archives bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def save(self, job: BackupJob, state: BuildState, tail: bytes) -> None:
        key = checkpoint_key(job)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(asdict(state)).encode())
        self.s3.put_object(Bucket=self.bucket, Key=key + ".tail", Body=tail)

    def load(self, job: BackupJob) -> tuple[BuildState | None, bytes]:
        key = checkpoint_key(job)
        try:
            raw = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            tail = self.s3.get_object(Bucket=self.bucket, Key=key + ".tail")["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None, b""
            raise
        return BuildState(**json.loads(raw)), tail

    def delete(self, job: BackupJob) -> None:
        for key in (checkpoint_key(job), checkpoint_key(job) + ".tail"):
            self.s3.delete_object(Bucket=self.bucket, Key=key)

    def abort_uploads(self, job: BackupJob) -> None:
        """Abort the multipart uploads of the job's archive (listed: a build may die before a checkpoint)."""
        key = archive_key(job)
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=key).get("Uploads", [])
        for upload in uploads:
            if upload["Key"] == key:
                with contextlib.suppress(ClientError):  # completed or aborted meanwhile: fine either way
                    self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload["UploadId"])

    def delete_archive(self, job: BackupJob) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=archive_key(job))
