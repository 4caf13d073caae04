"""A build's checkpoint: everything a next invocation needs to continue the same archive.

Kept in the archives bucket under `checkpoints/`: the build plan and position, the ZIP writer's
state, the multipart upload's parts, the upload's unsent tail (S3 parts but the last must be at
least 5 MiB, so a short tail travels with the checkpoint instead of being uploaded), and the two
files the build keeps in the function's ephemeral storage instead of memory: the central directory
so far and the manifest's entries so far (`.directory`, `.manifest`).
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO

from botocore.exceptions import ClientError

from kluis.flows.backup.start import archive_key
from kluis.jobs.model import BackupJob

SPILLS = (".directory", ".manifest")


@dataclass
class BuildState:
    """The JSON part of a checkpoint.

    The plan is the generation's members to archive, as `prefix` + each of `names`, with `sizes`:
    two flat lists, not an object per member (250,000 members are ~25 MB so, ~125 MB as dicts).
    """

    generation: str
    created_at: str
    prefix: str = ""
    names: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    position: int = 0
    writer: dict[str, Any] = field(default_factory=dict)
    upload: dict[str, Any] = field(default_factory=dict)
    part_size: int = 0
    manifest: dict[str, int] = field(default_factory=dict)  # ManifestStream.state()

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> BuildState:
        plan = raw.pop("plan", None)
        if plan is not None:  # a checkpoint of the version before the flat plan
            prefix = plan[0]["key"][: -len(plan[0]["name"])] if plan else ""
            raw |= {"prefix": prefix, "names": [p["name"] for p in plan], "sizes": [p["size"] for p in plan]}
        return cls(**raw)


def checkpoint_key(job: BackupJob) -> str:
    return f"checkpoints/{job.customer}/{job.job_id}.json"


class Checkpoints:
    """A build's checkpoint and its multipart uploads in the archives bucket."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def save(self, job: BackupJob, state: BuildState, tail: bytes, spills: tuple[BinaryIO, BinaryIO]) -> None:
        key = checkpoint_key(job)
        for suffix, spill in zip(SPILLS, spills, strict=True):
            spill.flush()
            spill.seek(0)
            # boto3 closes the file it uploads from; the build goes on writing to this one.
            self.s3.upload_fileobj(_KeptOpen(spill), self.bucket, key + suffix)
            spill.seek(0, 2)
        self.s3.put_object(Bucket=self.bucket, Key=key + ".tail", Body=tail)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=json.dumps(asdict(state)).encode())

    def load(self, job: BackupJob, spills: tuple[BinaryIO, BinaryIO]) -> tuple[BuildState | None, bytes]:
        """The checkpoint (None if there is none), its tail, and its spill files written into `spills`."""
        key = checkpoint_key(job)
        try:
            raw = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            tail = self.s3.get_object(Bucket=self.bucket, Key=key + ".tail")["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None, b""
            raise
        state = BuildState.from_json(json.loads(raw))
        if state.writer.get("version", 1) != 1:  # a checkpoint of the version before has no files
            for suffix, spill in zip(SPILLS, spills, strict=True):
                self.s3.download_fileobj(self.bucket, key + suffix, spill)
                spill.seek(0, 2)
        return state, tail

    def delete(self, job: BackupJob) -> None:
        """The checkpoint and its files, in one request (each request waits for S3)."""
        objects = [{"Key": checkpoint_key(job) + suffix} for suffix in ("", ".tail", *SPILLS)]
        self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": objects, "Quiet": True})

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


class _KeptOpen(io.RawIOBase):
    """A read-only view of a file whose `close` leaves the file open."""

    def __init__(self, file: BinaryIO) -> None:
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        data = self._file.read(len(target))
        target[: len(data)] = data
        return len(data)
