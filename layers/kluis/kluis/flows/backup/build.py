"""Backup: build the archive of one administration/year into the archives bucket.

A build may span several invocations (no Lambda time limit may end a large job): when the
time budget runs out it saves a checkpoint (the ZIP writer's state, the multipart upload's parts and
its unsent tail) and the state machine calls it again, which carries on where it stopped. The
result is byte-identical to a build in one go.

After the generation's members, and before the manifest, the build adds the auditfiles: the
records as an XML Auditfile Financieel (`kluis.books.xaf`), streamed from the generation being
backed up, as XAF 4.0 (`auditfile.xaf`, the version the Belastingdienst accepts from 2027 for every
fiscal year) and as XAF 3.2 beside it (`auditfile-3.2.xaf`, for packages that import only 3.2).
They are written in the invocation that writes the last member (a checkpoint is only ever
taken between members), and it depends only on the generation's records and the build's
`created_at`, so a resumed build gives the same bytes as one in a single go.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from kluis.archive.manifest import MANIFEST_NAME, SIGNATURE_NAME, Manifest, ManifestStream
from kluis.archive.signature import ManifestSigner
from kluis.archive.zipwriter import ZipWriter
from kluis.books.records import RecordError
from kluis.books.xaf import AUDITFILE_VERSIONS, AuditfileOptions, SurveyedBooks
from kluis.flows.backup.checkpoint import BuildState
from kluis.flows.backup.cleanup import BackupCleanup
from kluis.flows.backup.start import NothingToBackUp, archive_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob, BuiltArchive, Progress
from kluis.storage.data import DataStore, GenerationRecords
from kluis.storage.jobs import JobStore
from kluis.storage.locks import Locks
from kluis.storage.multipart import MultipartSink, choose_part_size
from kluis.storage.readahead import (
    DEFAULT_READ_AHEAD,
    ReadAhead,
    ReadAheadLimits,
    object_range,
    ranges,
)

PROGRESS_INTERVAL_SECONDS = 2.0
READ_RANGE = 8 * 1024 * 1024  # a member above this is read as parallel ranged GETs of this size
LOCK_MARGIN_SECONDS = 120
SOFTWARE_VERSION = "0.1.0"  # header/softwareVersion of the auditfile (pyproject.toml's version)

log = logging.getLogger(__name__)


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
        upload_workers: int = 6,
        read_ahead: ReadAheadLimits = DEFAULT_READ_AHEAD,
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
        self.read_ahead = read_ahead
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
        # The central directory and the manifest's entries grow with the entries: they go to the
        # function's ephemeral storage (/tmp), not memory, and travel with a checkpoint.
        with tempfile.TemporaryFile() as directory, tempfile.TemporaryFile() as lines:
            return self._run(job, deadline, (directory, lines))

    def _run(self, job: BackupJob, deadline: float, spills: tuple[BinaryIO, BinaryIO]) -> BuildResult:
        directory, lines = spills
        state, tail = self.checkpoints.load(job, spills)
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
        if state.writer:
            writer = ZipWriter.resume(sink, state.writer, directory=directory)
        else:
            writer = ZipWriter(sink, directory=directory)
        manifest = ManifestStream(lines, **state.manifest)
        if state.writer.get("version") == 1:  # a checkpoint of the version that kept the entries
            for entry in state.writer["entries"]:
                manifest.add(entry["name"], entry["size"], entry["sha256"])
        progress = _Progress(self.jobs, job, state.sizes, state.position)
        modified = datetime.fromisoformat(state.created_at)
        with contextlib.closing(self._read_ahead(state)) as members:
            for name, chunks in members:
                self._write_member(writer, manifest, name, chunks, modified)
                state.position += 1
                progress.advance(state.position, force=False)
                if state.position < len(state.names) and self.clock() >= deadline:
                    upload, tail = sink.checkpoint()
                    state.writer, state.upload = writer.checkpoint(), upload
                    state.manifest = manifest.state()
                    self.checkpoints.save(job, state, tail, spills)
                    return progress.result(done=False)
        self._finish(job, state, writer, manifest, sink, modified, progress.figures())
        return BuildResult(done=True, progress=progress.figures())

    # -- steps --------------------------------------------------------------------------------
    def _start(self, job: BackupJob) -> BuildState:
        scope = job.scope
        head = self.store.head(scope)
        if head is None:
            raise NothingToBackUp()
        state = BuildState(
            generation=head.generation,
            created_at=self.now().isoformat(timespec="seconds"),
            prefix=self.store.generation_prefix(scope, head.generation),
        )
        for obj in self.store.generation_objects(scope, head.generation):
            if job.include_documents or not obj.name.startswith("documents/"):
                state.names.append(obj.name)
                state.sizes.append(obj.size)
        state.part_size = choose_part_size(sum(state.sizes), self.part_size)
        return state

    def _read_ahead(self, state: BuildState) -> Generator[tuple[str, Iterable[bytes]]]:
        """The plan's members from the state's position, their bytes fetched ahead by `ReadAhead`.

        Every GET waits for S3's first byte (tens of milliseconds), so the members are read with
        many requests in flight: as many as fit in the read-ahead's byte budget, up to its request
        cap (thousands of small PDFs: 64 in flight; 2 MiB PDFs: 24; a large member: its 8 MiB
        ranges, several in flight). The order, and so the archive, is the plan's whatever the timing.
        """
        start, names, sizes = state.position, state.names, state.sizes
        pieces = (
            (index, state.prefix + names[index], piece_start, piece_end)
            for index in range(start, len(names))
            for piece_start, piece_end in ranges(sizes[index], READ_RANGE)
        )
        with ReadAhead(self._read_range, pieces, self.read_ahead) as fetched:
            for index in range(start, len(names)):
                yield names[index], fetched.member(index)

    def _read_range(self, key: str, start: int, end: int) -> bytes:
        return object_range(self.s3, self.store.bucket, key, start, end)

    def _write_auditfiles(
        self,
        job: BackupJob,
        state: BuildState,
        writer: ZipWriter,
        manifest: ManifestStream,
        modified: datetime,
    ) -> int:
        """The auditfiles of the generation's records, after its members: XAF 4.0, then 3.2. Returns
        how many were written: 2, or 0 when the records cannot be told truthfully.

        The records are surveyed once for both versions, before any byte of either (an auditfile's
        totals come first), so records no auditfile can tell truthfully (no fiscal year, an entry
        without a date) are found before anything is written: the backup then goes on without
        auditfiles, as it always backs up what is there. An unreadable ledger account or relation
        is left out and logged. Both versions are written from the same survey, so they stand or
        fall together.
        """
        source = GenerationRecords(self.store, job.scope, state.generation)
        options = AuditfileOptions(
            created=modified.date(),
            software_version=SOFTWARE_VERSION,
            include_documents=job.include_documents,
            on_invalid=lambda error: log.warning("auditfile of %s: left out %s", job.job_id, error),
        )
        try:
            with SurveyedBooks.read(source, options) as books:
                for name, version in AUDITFILE_VERSIONS.items():
                    self._write_member(writer, manifest, name, books.chunks(version), modified)
        except RecordError as error:
            log.warning("backup %s has no auditfiles: %s", job.job_id, error)
            return 0
        return len(AUDITFILE_VERSIONS)

    @staticmethod
    def _write_member(
        writer: ZipWriter, manifest: ManifestStream, name: str, chunks: Iterable[bytes], modified: datetime
    ) -> None:
        """One entry of the archive, listed in the manifest with its size and SHA-256."""
        entry = writer.write_entry(name, chunks, compress=_compress(name), modified=modified)
        manifest.add(entry.name, entry.size, entry.sha256)

    def _finish(
        self,
        job: BackupJob,
        state: BuildState,
        writer: ZipWriter,
        manifest: ManifestStream,
        sink: MultipartSink,
        modified: datetime,
        progress: Progress,
    ) -> None:
        scope = job.scope
        auditfiles = self._write_auditfiles(job, state, writer, manifest, modified)
        identity = Manifest(
            customer=scope.customer,
            administration=scope.administration,
            fiscal_year=scope.year,
            created_at=state.created_at,
            source_generation=state.generation,
            include_documents=job.include_documents,
        )
        # Streamed from the file; the writer's SHA-256 of it is what the MAC covers.
        written = writer.write_entry(
            MANIFEST_NAME, manifest.chunks(identity), compress=True, modified=modified
        )
        signature = self.signer.sign_digest(bytes.fromhex(written.sha256))
        writer.write_entry(SIGNATURE_NAME, [signature], compress=False, modified=modified)
        writer.finish()
        sink.complete()
        archive = BuiltArchive(
            key=archive_key(job),
            size=sink.written,
            manifest_sha256=written.sha256,
            generation=state.generation,
            created_at=state.created_at,
            records=manifest.records - auditfiles,
            auditfile=auditfiles > 0,
            documents=manifest.documents,
            bytes=manifest.total_bytes,
        )
        # Progress in the same write: a ready job never shows old progress. A retention archive is
        # ready once its copy is under Object Lock (kluis.flows.retention).
        done = Status.RETAINING if job.retention else Status.READY
        self.jobs.move(job, done, progress=progress, archive=archive)
        self.cleanup.tidy(job)


def _compress(name: str) -> bool:
    """Records and the auditfile compress well; PDFs are compressed already, so they are STORED."""
    return name.endswith((".jsonl", ".xaf"))


class _Progress:
    """Writes progress to the job at most every few seconds, so a build is not slowed by it."""

    def __init__(self, jobs: JobStore, job: BackupJob, sizes: list[int], position: int) -> None:
        self.jobs = jobs
        self.job = job
        self.sizes = sizes
        self.total = sum(sizes)
        self.position = position
        self.bytes_done = sum(sizes[:position])
        self.last_write = 0.0

    def advance(self, position: int, *, force: bool) -> None:
        self.bytes_done += sum(self.sizes[self.position : position])
        self.position = position
        now = time.monotonic()
        if force or now - self.last_write >= PROGRESS_INTERVAL_SECONDS:
            self.last_write = now
            self.jobs.update(self.job, progress=self.figures())

    def figures(self) -> Progress:
        return Progress(
            entries_done=self.position,
            entries_total=len(self.sizes),
            bytes_done=self.bytes_done,
            bytes_total=self.total,
        )

    def result(self, *, done: bool) -> BuildResult:
        figures = self.figures()
        self.jobs.update(self.job, progress=figures)
        return BuildResult(done=done, progress=figures)
