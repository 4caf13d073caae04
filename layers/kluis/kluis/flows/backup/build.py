"""Backup: build the archive of one administration/year into the archives bucket.

A build may span several invocations (no Lambda time limit may end a large job): when the
time budget runs out it saves a checkpoint (the ZIP writer's state, the multipart upload's parts and
its unsent tail) and the state machine calls it again, which carries on where it stopped. The
result is byte-identical to a build in one go.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kluis.archive.manifest import MANIFEST_NAME, SIGNATURE_NAME, Manifest, ManifestEntry
from kluis.archive.signature import ManifestSigner
from kluis.archive.zipwriter import ZipWriter
from kluis.flows.backup.checkpoint import BuildState
from kluis.flows.backup.cleanup import BackupCleanup
from kluis.flows.backup.start import NothingToBackUp, archive_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob, BuiltArchive, Progress
from kluis.storage.data import DataStore, StoredObject
from kluis.storage.jobs import JobStore
from kluis.storage.locks import Locks
from kluis.storage.multipart import MultipartSink, choose_part_size

READ_CHUNK = 1024 * 1024
PROGRESS_INTERVAL_SECONDS = 2.0
READ_AHEAD = 4
READ_AHEAD_MAX_BYTES = 4 * 1024 * 1024
LOCK_MARGIN_SECONDS = 120


@dataclass(frozen=True)
class BuildResult:
    done: bool
    progress: Progress


class BackupBuilder:
    def __init__(
        self,
        store: DataStore,
        jobs: JobStore,
        s3: Any,
        archives_bucket: str,
        signer: ManifestSigner,
        locks: Locks,
        cleanup: BackupCleanup,
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
        self.cleanup = cleanup
        self.checkpoints = cleanup.checkpoints
        self.part_size = part_size
        self.upload_workers = upload_workers
        self.clock = clock
        self.now = now

    # -- the entry point of one invocation ------------------------------------------------------
    def run(self, job: BackupJob, budget_seconds: float) -> BuildResult:
        """Build (or continue building) the job's archive until done or `budget_seconds` pass."""
        deadline = self.clock() + budget_seconds
        if job.archive is not None:  # a retry after the archive was complete: only tidy up
            self.cleanup.tidy(job)
            return BuildResult(done=True, progress=job.progress)
        # Held across invocations (renewed by each): a restore never flips HEAD mid-backup.
        self.locks.acquire(
            job.scope, job.job_id, int(budget_seconds) + LOCK_MARGIN_SECONDS, busy="backup.lock_busy"
        )
        state, tail = self.checkpoints.load(job)
        if state is None:
            state = self._start(job)
            tail = b""
            self.checkpoints.abort_uploads(job)  # of an attempt that died before its first checkpoint
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
                    upload, tail = sink.checkpoint()
                    state.writer, state.upload = writer.checkpoint(), upload
                    self.checkpoints.save(job, state, tail)
                    return progress.result(done=False)
        self._finish(job, state, writer, sink, modified, progress.figures())
        return BuildResult(done=True, progress=progress.figures())

    # -- steps --------------------------------------------------------------------------------
    def _start(self, job: BackupJob) -> BuildState:
        scope = job.scope
        head = self.store.head(scope)
        if head is None:
            raise NothingToBackUp()
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
    ) -> Generator[tuple[dict[str, Any], Iterable[bytes]]]:
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
        job: BackupJob,
        state: BuildState,
        writer: ZipWriter,
        sink: MultipartSink,
        modified: datetime,
        progress: Progress,
    ) -> None:
        scope = job.scope
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
        archive = BuiltArchive(
            key=archive_key(job),
            size=sink.written,
            manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
            generation=state.generation,
            created_at=state.created_at,
            records=manifest.record_count,
            documents=manifest.document_count,
            bytes=manifest.total_bytes,
        )
        # Progress in the same write: a ready job never shows old progress. A retention archive is
        # ready once its copy is under Object Lock (kluis.flows.retention).
        done = Status.RETAINING if job.retention else Status.READY
        self.jobs.move(job, done, progress=progress, archive=archive)
        self.cleanup.tidy(job)


def _plan_item(obj: StoredObject) -> dict[str, Any]:
    return {"key": obj.key, "name": obj.name, "size": obj.size}


def _compress(name: str) -> bool:
    """Records compress well; PDFs are compressed already, so they are STORED."""
    return name.endswith(".jsonl")


class _Progress:
    """Writes progress to the job at most every few seconds, so a build is not slowed by it."""

    def __init__(self, jobs: JobStore, job: BackupJob, plan: list[dict[str, Any]]) -> None:
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
            self.jobs.update(self.job, progress=self.figures())

    def figures(self) -> Progress:
        return Progress(
            entries_done=self.position,
            entries_total=len(self.sizes),
            bytes_done=sum(self.sizes[: self.position]),
            bytes_total=self.total,
        )

    def result(self, *, done: bool) -> BuildResult:
        figures = self.figures()
        self.jobs.update(self.job, progress=figures)
        return BuildResult(done=done, progress=figures)
