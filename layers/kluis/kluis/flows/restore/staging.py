"""Step `Validate`: prove the upload safe and ours while streaming it into a staged generation.

The staged generation is written beside the live one; nothing reads it until Apply flips `HEAD`.
A large upload takes several invocations: each continues at the member the job records.

`auditfile.xaf` is verified like every member (its size and SHA-256 against the signed manifest)
but never staged: the records are the books, the auditfile only their exchange form. Archives
made before it existed have none and restore as ever.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kluis.archive.manifest import ManifestEntry, ManifestSummary
from kluis.archive.names import is_auditfile
from kluis.archive.signature import ManifestSigner
from kluis.archive.validation import BackupArchive, open_archive
from kluis.archive.zipreader import ArchiveRejected, Limits
from kluis.flows.limits import StartLimits
from kluis.flows.restore.books import books_preview
from kluis.flows.restore.cleanup import Cleanup
from kluis.flows.restore.uploads import upload_key
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Progress, Replaced, RestoreJob, RestoreSummary, Stage, StageInventory
from kluis.scope import Scope
from kluis.storage.data import DataStore, new_generation_id
from kluis.storage.inventory import StageContents, StageInventories
from kluis.storage.jobs import JobStore
from kluis.storage.limits import LimitReached
from kluis.storage.member_writes import MemberWrites
from kluis.storage.ranged import S3RangeReader

PROVENANCE_NOTE = "restored-from-manifest.json"
# Writes in flight: S3 waits tens of ms per request, whatever its size, so 66,000 small documents are
# paced by this count (32 at 50 ms: 640 PUTs a second). Bounded in bytes by WRITE_BYTES.
STAGE_WORKERS = 32
WHOLE_MEMBER_BYTES = 8 * 1024 * 1024  # members up to this (and the part size) are one PUT
BLOCK_BYTES = 8 * 1024 * 1024
BLOCKS_AHEAD = 8  # ranged GETs in flight ahead of the parser: 64 MiB
# Member bytes held for writes in flight: 24 documents of 2 MiB. With 32 MiB (16 of them) a 1 GB
# restore at 50 ms reached 0.74-0.82 of the floor, with 48 MiB 0.81-0.93, at the same peak (~205 MiB).
WRITE_BYTES = 48 * 1024 * 1024


@dataclass(frozen=True)
class StageResult:
    done: bool
    accepted: bool


class Staging:
    def __init__(
        self,
        jobs: JobStore,
        store: DataStore,
        s3: Any,
        signer: ManifestSigner,
        cleanup: Cleanup,
        *,
        uploads_bucket: str,
        limits: StartLimits | None = None,
        max_upload_bytes: int,
        part_size: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = jobs
        self.store = store
        self.s3 = s3
        self.signer = signer
        self.cleanup = cleanup
        self.uploads_bucket = uploads_bucket
        self.limits = limits
        self.max_upload_bytes = max_upload_bytes
        self.part_size = part_size
        self.clock = clock

    def stage(self, job: RestoreJob, budget_seconds: float) -> StageResult:
        """Prove the upload safe and ours while streaming it into a staged generation.

        Continues where a previous invocation stopped (the members staged so far are in the job).
        """
        deadline = self.clock() + budget_seconds
        source = S3RangeReader(
            self.s3,
            self.uploads_bucket,
            upload_key(job.customer, job.job_id),
            block_size=BLOCK_BYTES,
            cache_blocks=1,
            read_ahead=BLOCKS_AHEAD,
        )
        try:
            return self._stage(job, source, deadline)
        finally:
            source.close()

    def _stage(self, job: RestoreJob, source: S3RangeReader, deadline: float) -> StageResult:
        try:
            archive = self._open(source)
        except ArchiveRejected as rejected:
            self.cleanup.reject(job, rejected.reason)
            return StageResult(done=True, accepted=False)
        try:
            return self._stage_archive(job, archive, deadline)
        finally:
            archive.close()

    def _stage_archive(self, job: RestoreJob, archive: BackupArchive, deadline: float) -> StageResult:
        manifest = archive.manifest
        manifest_sha256 = hashlib.sha256(archive.manifest_bytes).hexdigest()
        scope = Scope(job.customer, manifest.administration, manifest.fiscal_year)
        if job.stage is None:
            try:
                if self.limits is not None:
                    self.limits.restore_of(scope)
            except LimitReached as limited:
                self.cleanup.reject(job, limited.reason)
                return StageResult(done=True, accepted=False)
            job = self._begin(job, scope, manifest)
        assert job.stage is not None
        if job.stage.position == 0:
            # Written here, not with the stage's id: an attempt that died between recording the id
            # and writing the note is retried with the id already recorded (found by test_faults).
            # The signed bytes themselves: verifiable provenance, and no re-serialisation of a
            # manifest of maybe 100,000 entries (tens of MB of transient objects).
            self.store.write_note(scope, job.stage.generation, PROVENANCE_NOTE, archive.manifest_bytes)
        archive.manifest_bytes = b""  # tens of MB at 250,000 entries: not kept while members stream
        try:
            position = self._stage_members(job, scope, archive, deadline)
        except ArchiveRejected as rejected:
            self.cleanup.reject(self.jobs.get_restore(job.customer, job.job_id), rejected.reason)
            return StageResult(done=True, accepted=False)
        if position < manifest.entry_count:
            return StageResult(done=False, accepted=False)
        # Last, once every member is written: what Apply checks instead of listing the stage. Before
        # it, the books preview: the staged records against the live ones (kluis.flows.restore.books).
        key, etag = StageInventories(self.s3, self.store.bucket).write(
            scope,
            StageContents(
                generation=job.stage.generation,
                job=job.job_id,
                entries=manifest.staged_count,
                bytes=manifest.staged_bytes,
                manifest_sha256=manifest_sha256,
            ),
        )
        head = self.store.head(scope)
        books = books_preview(
            self.store,
            scope,
            job.stage.generation,
            head.generation if head else None,
            documents=manifest.document_count,
            job_id=job.job_id,
        )
        self.jobs.update(
            job,
            books=books,
            stage=job.stage.model_copy(update={"position": position}),
            inventory=StageInventory(key=key, etag=etag),
            summary=_summary(
                archive,
                manifest_sha256,
                head.flipped_at if head else None,
                replaces_existing=head is not None,
            ),
            # What the user is shown as replaced; Apply refuses if another restore changed it since.
            replaces=Replaced(generation=head.generation if head else None),
            progress=_progress(manifest, position, manifest.total_bytes),
        )
        return StageResult(done=True, accepted=True)

    def _open(self, source: S3RangeReader) -> BackupArchive:
        # Read once, in order, with BLOCKS_AHEAD ranged GETs of BLOCK_BYTES in flight ahead of the
        # parser (the directory and manifest at the end are read first); 1 block of cache behind it.
        if source.size > self.max_upload_bytes:
            raise ArchiveRejected("archive.too_large")
        return open_archive(source, self.signer, Limits(max_archive_size=self.max_upload_bytes))

    def _begin(self, job: RestoreJob, scope: Scope, manifest: ManifestSummary) -> RestoreJob:
        # Recorded before the first byte is staged, so any clean-up knows what to remove.
        return self.jobs.move(
            job,
            Status.VALIDATING,
            administration=scope.administration,
            year=scope.year,
            include_documents=manifest.include_documents,
            stage=Stage(generation=new_generation_id()),
        )

    def _stage_members(self, job: RestoreJob, scope: Scope, archive: BackupArchive, deadline: float) -> int:
        """Stage members from the job's position until done or out of time; returns the new position."""
        assert job.stage is not None
        position, total = job.stage.position, archive.manifest.entry_count
        with _Stager(self.store, scope, job.stage.generation, self.part_size) as stager:
            for index, (entry, content) in enumerate(archive.members(position), start=position):
                stager.add(entry, content)
                position = index + 1
                if position < total and self.clock() >= deadline:
                    stager.flush()  # the checkpoint must only count members that are written
                    self.jobs.update(
                        job,
                        stage=job.stage.model_copy(update={"position": position}),
                        progress=_progress(archive.manifest, position, archive.bytes_before(position)),
                    )
                    return position
        return position


def _summary(
    archive: BackupArchive, manifest_sha256: str, live_since: str | None, *, replaces_existing: bool
) -> RestoreSummary:
    manifest = archive.manifest
    return RestoreSummary(
        backup_created_at=manifest.created_at,
        source_customer=manifest.customer,
        manifest_sha256=manifest_sha256,
        datasets=archive.datasets(),
        records=manifest.dataset_count,
        documents=manifest.document_count,
        includes_documents=manifest.include_documents,
        bytes=manifest.staged_bytes,
        auditfile=manifest.auditfile_bytes is not None,
        replaces_existing=replaces_existing,
        current_live_since=live_since,
    )


def _progress(manifest: ManifestSummary, position: int, bytes_done: int) -> Progress:
    return Progress(
        entries_done=position,
        entries_total=manifest.entry_count,
        bytes_done=bytes_done,
        bytes_total=manifest.total_bytes,
    )


class _Stager:
    """Writes verified members into the staged generation, many at a time.

    A member up to WHOLE_MEMBER_BYTES is read whole (its SHA-256 is checked when its content ends,
    before any write) and PUT in the background; a larger one goes out as multipart parts while it
    is read, and its upload is completed only once its content checked out (aborted otherwise).
    `flush` waits until everything added so far is written, and raises what a write raised.
    """

    def __init__(self, store: DataStore, scope: Scope, generation: str, part_size: int) -> None:
        self.writes = MemberWrites(
            store, scope, generation, part_size=part_size, workers=STAGE_WORKERS, max_bytes=WRITE_BYTES
        )
        self.whole_bytes = min(WHOLE_MEMBER_BYTES, part_size)

    def add(self, entry: ManifestEntry, content: Iterator[bytes]) -> None:
        if is_auditfile(entry.path):
            for _ in content:  # verified (raises at its end if the SHA-256 is not the manifest's), not staged
                pass
            return
        if entry.size <= self.whole_bytes:
            data = b"".join(content)  # raises at its end if the SHA-256 is not the manifest's
            self.writes.put(entry.path, data, sha256=entry.sha256)
            return
        member = self.writes.large(entry.path, entry.sha256)
        try:
            for chunk in content:
                member.write(chunk)
        except BaseException:
            member.abort()
            raise
        member.complete()

    def flush(self) -> None:
        self.writes.flush()

    def __enter__(self) -> _Stager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.writes.__exit__(*exc_info)
