"""Backup: build the archive of one administration/year into the archives bucket.

A build may span several invocations (DESIGN.md: no Lambda limit may end a large job): when the
time budget runs out it saves a checkpoint (the ZIP writer's state, the multipart upload's parts and
its unsent tail) and the state machine calls it again, which carries on where it stopped. The
result is byte-identical to a build in one go.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from kluis.jobs import Job, JobStore, Kind, Status, new_job_id
from kluis.locks import Locks
from kluis.manifest import MANIFEST_NAME, SIGNATURE_NAME, Manifest, ManifestEntry
from kluis.multipart import MultipartSink
from kluis.scope import Scope
from kluis.signature import ManifestSigner
from kluis.store import DataStore, StoredObject
from kluis.zipwriter import ZipWriter

READ_CHUNK = 1024 * 1024
PROGRESS_INTERVAL_SECONDS = 2.0
READ_AHEAD = 4
READ_AHEAD_MAX_BYTES = 4 * 1024 * 1024
MAX_PART_SIZE = 5 * 1024**3
MAX_PARTS = 10_000
LOCK_MARGIN_SECONDS = 120


class NothingToBackUp(LookupError):
    """The administration/year has no live data."""


def job_scope(job: Job) -> Scope:
    assert job.administration and job.year, "backup and restore jobs always name their scope"
    return Scope(job.customer, job.administration, job.year)


def archive_key(job: Job) -> str:
    return f"archives/{job.customer}/{job.job_id}.zip"


def checkpoint_key(job: Job) -> str:
    return f"checkpoints/{job.customer}/{job.job_id}.json"


@dataclass
class BuildState:
    """Everything a next invocation needs to continue the archive (JSON, kept in S3)."""

    generation: str
    created_at: str
    plan: list[dict[str, Any]]
    position: int = 0
    writer: dict[str, Any] = field(default_factory=dict)
    upload: dict[str, Any] = field(default_factory=dict)
    part_size: int = 0


@dataclass(frozen=True)
class BuildResult:
    done: bool
    entries_done: int
    entries_total: int
    bytes_done: int
    bytes_total: int


class BackupBuilder:
    def __init__(
        self,
        store: DataStore,
        jobs: JobStore,
        s3: Any,
        archives_bucket: str,
        signer: ManifestSigner,
        locks: Locks,
        *,
        part_size: int,
        upload_workers: int = 4,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.s3 = s3
        self.bucket = archives_bucket
        self.signer = signer
        self.locks = locks
        self.part_size = part_size
        self.upload_workers = upload_workers
        self.clock = clock
        self.now = now

    # -- the entry point of one invocation ------------------------------------------------------
    def run(self, job: Job, budget_seconds: float) -> BuildResult:
        """Build (or continue building) the job's archive until done or `budget_seconds` pass."""
        deadline = self.clock() + budget_seconds
        if job.status is Status.READY:  # a retry after the archive was complete: only tidy up
            self.tidy(job)
            return BuildResult(done=True, **_done(job))
        # Held across invocations (renewed by each): a restore never flips HEAD mid-backup.
        self.locks.acquire(job_scope(job), job.job_id, int(budget_seconds) + LOCK_MARGIN_SECONDS)
        state, tail = self._load_checkpoint(job)
        if state is None:
            state = self._start(job)
            tail = b""
            self._abort_uploads(job)  # of an earlier attempt that died before its first checkpoint
        sink = MultipartSink(
            self.s3,
            self.bucket,
            archive_key(job),
            part_size=state.part_size or self.part_size,
            max_workers=self.upload_workers,
            extra_args={"ContentType": "application/zip"},
            state=state.upload or None,
            tail=tail,
        )
        writer = ZipWriter.resume(sink, state.writer) if state.writer else ZipWriter(sink)
        progress = _Progress(self.jobs, job, state.plan)
        modified = datetime.fromisoformat(state.created_at)
        with contextlib.closing(self._read_ahead(state.plan, state.position)) as members:
            for item, chunks in members:
                writer.write_entry(item["name"], chunks, compress=_compress(item["name"]), modified=modified)
                state.position += 1
                progress.advance(state.position, force=False)
                if state.position < len(state.plan) and self.clock() >= deadline:
                    self._save_checkpoint(job, state, writer, sink)
                    return progress.result(done=False)
        self._finish(job, state, writer, sink, modified, progress.figures())
        return BuildResult(done=True, **progress.figures())

    # -- steps --------------------------------------------------------------------------------
    def _start(self, job: Job) -> BuildState:
        scope = job_scope(job)
        head = self.store.head(scope)
        if head is None:
            raise NothingToBackUp(f"{scope} has no data to back up")
        objects = [
            obj
            for obj in self.store.generation_objects(scope, head.generation)
            if job.include_documents or not obj.name.startswith("documents/")
        ]
        return BuildState(
            generation=head.generation,
            created_at=self.now().isoformat(timespec="seconds"),
            plan=[_plan_item(obj) for obj in objects],
            part_size=choose_part_size(sum(obj.size for obj in objects), self.part_size),
        )

    def _read_ahead(
        self, plan: list[dict[str, Any]], start: int
    ) -> Iterator[tuple[dict[str, Any], Iterable[bytes]]]:
        """The plan's members from `start`, small ones fetched a few ahead in parallel.

        Many small PDFs are latency-bound when fetched one by one; reading up to READ_AHEAD of them
        concurrently keeps the writer busy. Buffers stay bounded: at most READ_AHEAD objects of at
        most READ_AHEAD_MAX_BYTES each; larger members stream straight from their GET.
        """
        pending: deque[tuple[dict[str, Any], Future[bytes] | None]] = deque()
        index = start
        with ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="read-ahead") as pool:
            while index < len(plan) or pending:
                while index < len(plan) and len(pending) < READ_AHEAD:
                    item = plan[index]
                    small = int(item["size"]) <= READ_AHEAD_MAX_BYTES
                    pending.append((item, pool.submit(self._read_whole, item["key"]) if small else None))
                    index += 1
                item, future = pending.popleft()
                yield item, ([future.result()] if future else self._chunks(item["key"]))

    def _read_whole(self, key: str) -> bytes:
        body = self.store.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def _chunks(self, key: str) -> Iterator[bytes]:
        body = self.store.open(key)
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()

    def _finish(
        self,
        job: Job,
        state: BuildState,
        writer: ZipWriter,
        sink: MultipartSink,
        modified: datetime,
        progress: dict[str, int],
    ) -> None:
        scope = job_scope(job)
        manifest = Manifest(
            customer=scope.customer,
            administration=scope.administration,
            fiscal_year=scope.year,
            created_at=state.created_at,
            source_generation=state.generation,
            include_documents=job.include_documents,
            entries=tuple(ManifestEntry(e.name, e.size, e.sha256) for e in writer.entries),
        )
        manifest_bytes = manifest.to_bytes()
        writer.write_entry(MANIFEST_NAME, [manifest_bytes], compress=True, modified=modified)
        writer.write_entry(
            SIGNATURE_NAME, [self.signer.sign(manifest_bytes)], compress=False, modified=modified
        )
        writer.finish()
        sink.complete()
        size = sink.written
        self.jobs.update(
            job.customer,
            job.job_id,
            status=Status.READY,
            progress=progress,  # in the same write: a ready job never shows old progress
            archive_key=archive_key(job),
            archive_size=size,
            details={
                "generation": state.generation,
                "created_at": state.created_at,
                "records": manifest.record_count,
                "documents": manifest.document_count,
                "bytes": manifest.total_bytes,
            },
        )
        self.tidy(job)

    def tidy(self, job: Job) -> None:
        """After the archive is complete and recorded: drop the checkpoint, release the lock."""
        self._delete_checkpoint(job)
        self.locks.release(job_scope(job), job.job_id)

    # -- checkpoints ----------------------------------------------------------------------------
    def _save_checkpoint(self, job: Job, state: BuildState, writer: ZipWriter, sink: MultipartSink) -> None:
        upload, tail = sink.checkpoint()
        state.writer = writer.checkpoint()
        state.upload = upload
        self.s3.put_object(
            Bucket=self.bucket, Key=checkpoint_key(job), Body=json.dumps(asdict(state)).encode()
        )
        self.s3.put_object(Bucket=self.bucket, Key=checkpoint_key(job) + ".tail", Body=tail)

    def _load_checkpoint(self, job: Job) -> tuple[BuildState | None, bytes]:
        try:
            raw = self.s3.get_object(Bucket=self.bucket, Key=checkpoint_key(job))["Body"].read()
            tail = self.s3.get_object(Bucket=self.bucket, Key=checkpoint_key(job) + ".tail")["Body"].read()
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None, b""
            raise
        return BuildState(**json.loads(raw)), tail

    def _delete_checkpoint(self, job: Job) -> None:
        for key in (checkpoint_key(job), checkpoint_key(job) + ".tail"):
            self.s3.delete_object(Bucket=self.bucket, Key=key)

    def _abort_uploads(self, job: Job) -> None:
        key = archive_key(job)
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=key).get("Uploads", [])
        for upload in uploads:
            if upload["Key"] == key:
                with contextlib.suppress(ClientError):  # completed or aborted meanwhile: fine either way
                    self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload["UploadId"])

    def abandon(self, job: Job) -> None:
        """After a failed build: abort its multipart uploads, so no half archive can ever appear.

        Listed rather than read from the checkpoint: a build can fail before its first checkpoint.
        """
        self._abort_uploads(job)
        if job.status is not Status.READY:  # completed but not recorded: not a backup anyone gets
            self.s3.delete_object(Bucket=self.bucket, Key=archive_key(job))
        self._delete_checkpoint(job)
        if job.administration and job.year:
            self.locks.release(job_scope(job), job.job_id)


class ArchiveTooLarge(ValueError):
    """An archive S3 cannot hold as one object (10,000 parts of at most 5 GiB)."""


def choose_part_size(expected_bytes: int, preferred: int) -> int:
    """A part size by S3's rules (5 MiB to 5 GiB, at most 10,000 parts) that fits the archive.

    `expected_bytes` is the members' uncompressed total: an upper bound for STORED members and
    close for DEFLATE ones; 2 % and 64 MiB of headroom cover headers, descriptors and the manifest,
    and the parts are sized for 9,500 so a misestimate still fits.
    """
    needed = int((expected_bytes * 1.02 + 64 * 1024 * 1024) / (MAX_PARTS - 500)) + 1
    mib = 1024 * 1024
    # `preferred` (8 MiB by default) is the floor; only tests against moto go below S3's 5 MiB.
    size = -(-max(preferred, needed) // mib) * mib
    if size > MAX_PART_SIZE:
        raise ArchiveTooLarge(f"{expected_bytes} bytes do not fit in one S3 object")
    return size


def _done(job: Job) -> dict[str, int]:
    progress = dict(job.progress)
    return {
        name: int(progress.get(name, 0))
        for name in ("entries_done", "entries_total", "bytes_done", "bytes_total")
    }


def _plan_item(obj: StoredObject) -> dict[str, Any]:
    return {"key": obj.key, "name": obj.name, "size": obj.size}


def _compress(name: str) -> bool:
    """Records compress well; PDFs are compressed already, so they are STORED (DESIGN.md)."""
    return name.endswith(".jsonl")


class _Progress:
    """Writes progress to the job at most every few seconds, so a build is not slowed by it."""

    def __init__(self, jobs: JobStore, job: Job, plan: list[dict[str, Any]]) -> None:
        self.jobs = jobs
        self.job = job
        self.sizes = [int(item["size"]) for item in plan]
        self.total = sum(self.sizes)
        self.position = 0
        self.last_write = 0.0

    def advance(self, position: int, *, force: bool) -> None:
        self.position = position
        now = time.monotonic()
        if force or now - self.last_write >= PROGRESS_INTERVAL_SECONDS:
            self.last_write = now
            self.jobs.update(self.job.customer, self.job.job_id, progress=self.figures())

    def figures(self) -> dict[str, int]:
        return {
            "entries_done": self.position,
            "entries_total": len(self.sizes),
            "bytes_done": sum(self.sizes[: self.position]),
            "bytes_total": self.total,
        }

    def result(self, *, done: bool) -> BuildResult:
        figures = self.figures()
        self.jobs.update(self.job.customer, self.job.job_id, progress=figures)
        return BuildResult(done=done, **figures)


# -- the API's side of a backup -------------------------------------------------------------------
def start_backup(
    store: DataStore,
    jobs: JobStore,
    stepfunctions: Any,
    state_machine_arn: str,
    scope: Scope,
    *,
    include_documents: bool,
) -> Job:
    """Queue a backup of `scope` and start its execution (named after the job: started once)."""
    if store.head(scope) is None:
        raise NothingToBackUp(f"{scope} has no data to back up")
    job = jobs.create(
        Job(
            job_id=new_job_id(),
            customer=scope.customer,
            kind=Kind.BACKUP,
            status=Status.QUEUED,
            administration=scope.administration,
            year=scope.year,
            include_documents=include_documents,
        )
    )
    stepfunctions.start_execution(
        stateMachineArn=state_machine_arn,
        name=job.job_id,
        input=json.dumps({"jobId": job.job_id, "customer": job.customer}),
    )
    return job


def download_url(s3: Any, archives_bucket: str, job: Job, expires_seconds: int) -> str:
    """A fresh, short-lived link to the archive that saves as `{customer} - {adm} - {year} - Backup.zip`."""
    assert job.archive_key, "only ready backups have an archive"
    filename = job_scope(job).backup_filename()
    return s3.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": archives_bucket,
            "Key": job.archive_key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": "application/zip",
        },
        ExpiresIn=expires_seconds,
    )
