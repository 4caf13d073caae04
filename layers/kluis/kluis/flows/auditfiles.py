"""XAF 4.0 auditfiles on request, made from an archive's own records.

From 1 January 2027 the Belastingdienst accepts only XAF 4.0, whatever year it examines. Backups
and retention archives made before December 2026 hold XAF 3.2 only (or no auditfile), and retained
archives are under Object Lock: they are never rewritten. So any ready backup or retained archive
can be turned into a 4.0 auditfile on request:

- `request_for_backup` / `request_for_retained` (the API) queue an `AuditfileJob` naming its source
  archive and start its execution (the auditfile state machine);
- `make` (its MakeAuditfile step) opens the source with ranged reads, checks its signature and
  manifest (`open_archive`), and reads only the records the auditfile needs from it, each checked
  against the signed manifest as it streams (`BackupArchive.member`): the journal entries are
  surveyed (and so verified) before the first byte is written; a member found changed later stops
  the file, and the upload is aborted. XAF 4.0 is written into the archives bucket as a multipart
  upload, hashed as it goes; its SHA-256 goes on the job and, when the job is ready, into the audit
  log (`kluis.storage.jobs.outcome_of`).

Memory stays bounded whatever the size: a few blocks of ranged reads, the survey's spool on disk, a
few parts in flight. The file is written in one invocation of at most 15 minutes (its totals come
first, so it cannot stop half-way and resume as a backup can).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any

from kluis.archive.signature import ManifestSigner
from kluis.archive.validation import BackupArchive, open_archive
from kluis.archive.zipreader import ArchiveRejected, Limits
from kluis.books.records import RecordError
from kluis.books.xaf import XAF_40, AuditfileOptions, SurveyedBooks
from kluis.errors import KluisError
from kluis.flows.limits import StartLimits
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import AuditfileJob, AuditfileSource, BackupJob, MadeAuditfile, new_auditfile
from kluis.storage.jobs import JobStore
from kluis.storage.multipart import MultipartSink, choose_part_size
from kluis.storage.ranged import S3RangeReader
from kluis.storage.retained import RetainedArchive, RetainedArchives

SOFTWARE_VERSION = "0.1.0"  # header/softwareVersion (pyproject.toml's version)
BLOCK_BYTES = 8 * 1024 * 1024  # ranged reads of the source archive
READ_CHUNK = 1024 * 1024
XAF_PER_RECORD_BYTE = 4  # an auditfile is at most about this many times the records' JSON Lines


class AuditfileNotMade(KluisError):
    """The auditfile could not be made from this archive (the job fails with this reason)."""

    default_code = "auditfile.not_possible"
    http_status = 409


def auditfile_key(customer: str, job_id: str) -> str:
    """Where the auditfile job `job_id` of `customer` writes its file in the archives bucket."""
    return f"auditfiles/{customer}/{job_id}.xaf"


class VerifiedRecords:
    """A `kluis.books.records.RecordSource` over an archive's `records/` members, each verified in
    full against the signed manifest before a byte of it is read.

    A member is copied to a temporary file as it streams from the archive (its SHA-256 checked at
    its end, ArchiveRejected naming it otherwise), then read from that file. A reader that stops
    early (the fiscal year's one record) would otherwise never reach the check; so nothing in the
    auditfile comes from a record the manifest does not vouch for. The files go with `stack`.
    """

    def __init__(self, archive: BackupArchive, stack: ExitStack) -> None:
        self.archive = archive
        self.stack = stack

    def open(self, dataset: str) -> Iterable[bytes] | None:
        content = self.archive.member(f"records/{dataset}.jsonl")
        if content is None:
            return None
        copy = self.stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - the stack closes it
        for chunk in content:  # raises ArchiveRejected at the end if the member was changed
            copy.write(chunk)
        copy.seek(0)
        return iter(lambda: copy.read(READ_CHUNK), b"")


class Auditfiles:
    def __init__(
        self,
        s3: Any,
        jobs: JobStore,
        retained: RetainedArchives,
        signer: ManifestSigner,
        stepfunctions: Any,
        *,
        archives_bucket: str,
        state_machine_arn: str,
        part_size: int,
        limits: StartLimits,
    ) -> None:
        self.s3 = s3
        self.jobs = jobs
        self.retained = retained
        self.signer = signer
        self.stepfunctions = stepfunctions
        self.archives_bucket = archives_bucket
        self.state_machine_arn = state_machine_arn
        self.part_size = part_size
        self.limits = limits

    # -- the API's side ---------------------------------------------------------------------------
    def request_for_backup(self, backup: BackupJob, requested_by: str | None) -> AuditfileJob:
        """Queue the auditfile of a ready backup (the caller checked that it can be downloaded)."""
        if backup.archive is None:
            raise ValueError(f"backup {backup.job_id} has no archive")
        source = AuditfileSource(
            kind="backup",
            id=backup.job_id,
            key=backup.archive.key,
            manifest_sha256=backup.archive.manifest_sha256,
        )
        return self._start(new_auditfile(backup.scope, source, requested_by))

    def request_for_retained(self, archive: RetainedArchive, requested_by: str | None) -> AuditfileJob:
        source = AuditfileSource(
            kind="retained",
            id=archive.archive_id,
            key=archive.key,
            version_id=archive.version_id,
            manifest_sha256=archive.manifest_sha256,
        )
        return self._start(new_auditfile(archive.scope, source, requested_by))

    def _start(self, job: AuditfileJob) -> AuditfileJob:
        self.limits.auditfile_requested(job.customer)  # LimitReached (429): nothing is queued
        job = self.jobs.create(job)
        self.stepfunctions.start_execution(
            stateMachineArn=self.state_machine_arn,
            name=job.job_id,
            input=json.dumps({"jobId": job.job_id, "customer": job.customer}),
        )
        return job

    def download_url(self, job: AuditfileJob, expires_seconds: int) -> str:
        if job.auditfile is None:
            raise ValueError(f"auditfile {job.job_id} is not made yet")
        url: str = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.archives_bucket,
                "Key": job.auditfile.key,
                "ResponseContentDisposition": f'attachment; filename="{job.filename()}"',
                "ResponseContentType": "application/xml",
            },
            ExpiresIn=expires_seconds,
        )
        return url

    # -- the MakeAuditfile step -------------------------------------------------------------------
    def make(self, job: AuditfileJob) -> AuditfileJob:
        """Make the job's auditfile and move it to ready; a retry of a made one does nothing."""
        if job.status is Status.READY:
            return job
        job = self.jobs.move(job, Status.BUILDING)
        source = self._source(job.source)
        try:
            archive = open_archive(source, self.signer, Limits(max_archive_size=max(source.size, 1)))
        except ArchiveRejected as rejected:
            raise AuditfileNotMade("auditfile.archive_unverified", job=job.job_id) from rejected
        try:
            made = self._write(job, archive)
        finally:
            archive.close()
        return self.jobs.move(job, Status.READY, auditfile=made)

    def _source(self, source: AuditfileSource) -> S3RangeReader:
        bucket = self.archives_bucket if source.kind == "backup" else self.retained.bucket
        return S3RangeReader(
            self.s3, bucket, source.key, version_id=source.version_id, block_size=BLOCK_BYTES, read_ahead=2
        )

    def _write(self, job: AuditfileJob, archive: BackupArchive) -> MadeAuditfile:
        created = datetime.now(UTC)
        options = AuditfileOptions(
            created=created.date(),
            software_version=SOFTWARE_VERSION,
            include_documents=archive.manifest.include_documents,
        )
        expected = XAF_PER_RECORD_BYTE * archive.manifest.staged_bytes
        key = auditfile_key(job.customer, job.job_id)
        sink = MultipartSink(
            self.s3,
            self.archives_bucket,
            key,
            part_size=choose_part_size(expected, self.part_size),
            extra_args={"ContentType": "application/xml"},
        )
        digest = hashlib.sha256()
        try:
            with ExitStack() as stack:
                books = stack.enter_context(SurveyedBooks.read(VerifiedRecords(archive, stack), options))
                for chunk in books.chunks(XAF_40):
                    digest.update(chunk)
                    sink.write(chunk)
                transactions = books.survey.entries
            sink.complete()
        except ArchiveRejected as rejected:
            sink.abort()
            name = str(rejected.reason.params.get("name", ""))
            raise AuditfileNotMade("auditfile.archive_damaged", name=name, job=job.job_id) from rejected
        except RecordError as error:
            sink.abort()
            raise AuditfileNotMade("auditfile.not_possible", job=job.job_id) from error
        except BaseException:
            sink.abort()
            raise
        return MadeAuditfile(
            key=key,
            size=sink.written,
            sha256=digest.hexdigest(),
            version=XAF_40.name,
            created_at=created.isoformat(timespec="seconds"),
            transactions=transactions,
        )
