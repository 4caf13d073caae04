"""Restore: an uploaded backup replaces an administration/year, definitively and atomically.

    POST /restores            job `awaiting-upload` + a presigned POST to uploads/{customer}/{job}.zip
    S3 ObjectCreated          starts restore.asl.json, execution named after the job (started once)
    Validate                  the archive proven safe and ours, and streamed into a staged generation
                              that nothing reads (rejected: reason on the job, upload and stage deleted)
    AwaitConfirmation         a verification code on the job; waits for POST /restores/{id}/confirm
    Apply                     lock, check the staged generation against the manifest, flip HEAD, release

The target is the manifest's administration and fiscal year in the *uploading user's* customer:
a renamed file changes nothing, and a backup from another licence moves the data over.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from kluis import verification
from kluis.archive import open_archive
from kluis.config import Settings
from kluis.jobs import Job, JobStateConflict, JobStore, Kind, Status, new_job_id
from kluis.locks import Locks
from kluis.manifest import Manifest, ManifestEntry
from kluis.s3reader import S3RangeReader
from kluis.scope import Scope
from kluis.signature import ManifestSigner
from kluis.store import DataStore, Head, HeadConflict, new_generation_id
from kluis.zipreader import ArchiveRejected, Limits

UPLOAD_KEY = re.compile(r"^uploads/(?P<customer>[0-9]{1,10})/(?P<job>[0-9]{8}T[0-9]{6}-[0-9a-f]{12})\.zip$")
PROVENANCE_NOTE = "restored-from-manifest.json"
APPLY_LEASE_SECONDS = 900
STAGE_WORKERS = 6
SMALL_MEMBER_BYTES = 1024 * 1024
UNDERWAY = frozenset({Status.VALIDATING, Status.AWAITING_CONFIRMATION, Status.APPLYING})

START_OVER = "Nothing was changed; send the backup file again to start over."
TOO_MANY_ATTEMPTS = f"Too many wrong verification codes were entered. {START_OVER}"
EXPIRED = f"The verification code was not confirmed in time. {START_OVER}"
CANCELLED = "The restore was cancelled. Nothing was changed."


def upload_key(customer: str, job_id: str) -> str:
    return f"uploads/{customer}/{job_id}.zip"


class WrongCode(Exception):
    def __init__(self, attempts_left: int) -> None:
        super().__init__(f"wrong verification code, {attempts_left} attempts left")
        self.attempts_left = attempts_left


@dataclass(frozen=True)
class StageResult:
    done: bool
    accepted: bool


class RestoreService:
    def __init__(
        self,
        settings: Settings,
        store: DataStore,
        jobs: JobStore,
        locks: Locks,
        s3: Any,
        stepfunctions: Any,
        signer: ManifestSigner,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.store = store
        self.jobs = jobs
        self.locks = locks
        self.s3 = s3
        self.stepfunctions = stepfunctions
        self.signer = signer
        self.clock = clock

    # -- API --------------------------------------------------------------------------------------
    def create(self, customer: str) -> tuple[Job, dict[str, Any]]:
        """A restore job waiting for its upload, and the presigned POST the browser uploads with."""
        job = self.jobs.create(Job(new_job_id(), customer, Kind.RESTORE, Status.AWAITING_UPLOAD))
        key = upload_key(customer, job.job_id)
        post = self.s3.generate_presigned_post(
            Bucket=self.settings.uploads_bucket,
            Key=key,
            Fields={"x-amz-server-side-encryption": "aws:kms"},
            Conditions=[
                {"bucket": self.settings.uploads_bucket},
                ["eq", "$key", key],
                ["content-length-range", 1, self.settings.max_upload_bytes],
                {"x-amz-server-side-encryption": "aws:kms"},
            ],
            ExpiresIn=self.settings.upload_url_seconds,
        )
        return job, post

    def confirm(self, customer: str, job_id: str, code: str) -> Job:
        """Send the task token on the right code; count a wrong one (and end the restore at the limit)."""
        job = self.jobs.get(customer, job_id)
        if job.status is not Status.AWAITING_CONFIRMATION:
            raise JobStateConflict(f"the restore is {job.status}, not awaiting confirmation")
        details = job.details
        if not verification.matches(details["verificationCode"], code):
            return self._wrong_code(job)
        job = self.jobs.update(customer, job_id, expect=Status.AWAITING_CONFIRMATION, status=Status.APPLYING)
        try:
            self.stepfunctions.send_task_success(
                taskToken=details["_task_token"], output=json.dumps({"confirmed": True})
            )
        except ClientError as error:  # the wait timed out at this very moment: the execution expires it
            raise JobStateConflict("the verification code has expired") from error
        return job

    def _wrong_code(self, job: Job) -> Job:
        left = int(job.details["attemptsLeft"]) - 1
        # Conditional on the count read, so two wrong codes sent at once both count.
        counted = Attr("details.attemptsLeft").eq(left + 1)
        if left > 0:
            self.jobs.update(
                job.customer,
                job.job_id,
                expect=Status.AWAITING_CONFIRMATION,
                condition=counted,
                details={**job.details, "attemptsLeft": left},
            )
            raise WrongCode(left)
        self.jobs.update(
            job.customer,
            job.job_id,
            expect=Status.AWAITING_CONFIRMATION,
            condition=counted,
            status=Status.REJECTED,
            reason=TOO_MANY_ATTEMPTS,
            details={**job.details, "attemptsLeft": 0},
        )
        self._fail_task(job, "TooManyAttempts", TOO_MANY_ATTEMPTS)
        raise WrongCode(0)

    def cancel(self, customer: str, job_id: str) -> Job:
        job = self.jobs.get(customer, job_id)
        if job.status is Status.AWAITING_UPLOAD:
            job = self.jobs.update(
                customer, job_id, expect=Status.AWAITING_UPLOAD, status=Status.CANCELLED, reason=CANCELLED
            )
            self._delete_upload(job)
            return job
        if job.status is Status.AWAITING_CONFIRMATION:
            job = self.jobs.update(
                customer,
                job_id,
                expect=Status.AWAITING_CONFIRMATION,
                status=Status.CANCELLED,
                reason=CANCELLED,
            )
            self._fail_task(job, "RestoreCancelled", CANCELLED)
            return job
        raise JobStateConflict(f"a restore that is {job.status} cannot be cancelled")

    def _fail_task(self, job: Job, error: str, cause: str) -> None:
        # A ClientError means the execution ended meanwhile (timeout); its own clean-up runs.
        with contextlib.suppress(ClientError):
            self.stepfunctions.send_task_failure(
                taskToken=job.details["_task_token"], error=error, cause=cause
            )

    # -- the upload event -------------------------------------------------------------------------
    def on_upload(self, bucket: str, key: str) -> str:
        """Start the restore of a finished upload, once; remove uploads that no waiting job expects."""
        match = UPLOAD_KEY.match(key)
        job = None
        if match and bucket == self.settings.uploads_bucket:
            try:
                job = self.jobs.get(match["customer"], match["job"])
            except LookupError:
                job = None
        if job is not None and job.status in UNDERWAY:
            return "ignored"  # a duplicated or late event of a restore that is already running
        if job is None or job.status is not Status.AWAITING_UPLOAD:
            self.s3.delete_object(Bucket=bucket, Key=key)
            return "deleted"
        try:
            self.stepfunctions.start_execution(
                stateMachineArn=self.settings.restore_state_machine_arn,
                name=job.job_id,
                input=json.dumps(
                    {
                        "jobId": job.job_id,
                        "customer": job.customer,
                        "confirmationTimeoutSeconds": self.settings.confirmation_timeout_seconds,
                    }
                ),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            return "ignored"
        return "started"

    # -- step: validate and stage -----------------------------------------------------------------
    def stage(self, job: Job, budget_seconds: float) -> StageResult:
        """Prove the upload safe and ours while streaming it into a staged generation.

        Continues where a previous invocation stopped (the members staged so far are in the job).
        """
        deadline = self.clock() + budget_seconds
        key = upload_key(job.customer, job.job_id)
        try:
            # 4 blocks of 4 MiB: members are read in order, the directory once; 16 MiB of cache.
            source = S3RangeReader(
                self.s3, self.settings.uploads_bucket, key, block_size=4 * 1024 * 1024, cache_blocks=4
            )
            if source.size > self.settings.max_upload_bytes:
                raise ArchiveRejected("The file is larger than a restore accepts.", "too-large")
            archive = open_archive(
                source, self.signer, Limits(max_archive_size=self.settings.max_upload_bytes)
            )
        except ArchiveRejected as rejected:
            self.reject(job, rejected.reason)
            return StageResult(done=True, accepted=False)
        manifest = archive.manifest
        scope = Scope(job.customer, manifest.administration, manifest.fiscal_year)
        if "_staged" not in job.details:
            job = self._begin_stage(job, scope, manifest)
        staged, position = job.details["_staged"], int(job.details.get("_position", 0))
        if position == 0:
            # Written here, not with the stage's id: an attempt that died between recording the id
            # and writing the note is retried with the id already recorded (found by test_faults).
            # The signed bytes themselves: verifiable provenance, and no re-serialisation of a
            # manifest of maybe 100,000 entries (tens of MB of transient objects).
            self.store.write_note(scope, staged, PROVENANCE_NOTE, archive.manifest_bytes)
        try:
            with _Stager(self.store, scope, staged, self.settings.multipart_part_size) as stager:
                for index, (entry, content) in enumerate(archive.members()):
                    if index < position:
                        continue
                    stager.add(entry, content)
                    position = index + 1
                    if position < len(manifest.entries) and self.clock() >= deadline:
                        stager.flush()  # the checkpoint must only count members that are written
                        self.jobs.update(
                            job.customer,
                            job.job_id,
                            details={**job.details, "_position": position},
                            progress=_stage_progress(manifest, position),
                        )
                        return StageResult(done=False, accepted=False)
        except ArchiveRejected as rejected:
            self.reject(self.jobs.get(job.customer, job.job_id), rejected.reason)
            return StageResult(done=True, accepted=False)
        self.jobs.update(
            job.customer,
            job.job_id,
            details={
                **job.details,
                "_position": position,
                "summary": self._summary(scope, manifest),
                # What the user is shown as replaced; apply refuses if another restore changed it since.
                "_replaces": head.generation if (head := self.store.head(scope)) else None,
            },
            progress=_stage_progress(manifest, position),
        )
        return StageResult(done=True, accepted=True)

    def _begin_stage(self, job: Job, scope: Scope, manifest: Manifest) -> Job:
        staged = new_generation_id()
        # Recorded before the first byte is staged, so any clean-up knows what to remove.
        job = self.jobs.update(
            job.customer,
            job.job_id,
            expect=Status.VALIDATING,
            administration=scope.administration,
            year=scope.year,
            include_documents=manifest.include_documents,
            details={**job.details, "_staged": staged},
        )
        return job

    def _summary(self, scope: Scope, manifest: Manifest) -> dict[str, Any]:
        head = self.store.head(scope)
        return {
            "administration": scope.administration,
            "year": scope.year,
            "backupCreatedAt": manifest.created_at,
            "sourceCustomer": manifest.customer,
            "transfer": manifest.customer != scope.customer,
            "records": manifest.record_count,
            "documents": manifest.document_count,
            "includesDocuments": manifest.include_documents,
            "bytes": manifest.total_bytes,
            "replacesExisting": head is not None,
            "currentLiveSince": head.flipped_at if head else None,
        }

    def reject(self, job: Job, reason: str) -> None:
        self._clean_up(job)
        self.jobs.update(
            job.customer,
            job.job_id,
            expect=UNDERWAY | {Status.AWAITING_UPLOAD},
            status=Status.REJECTED,
            reason=reason,
        )

    # -- step: await confirmation ------------------------------------------------------------------
    def await_confirmation(self, job: Job, task_token: str, timeout_seconds: int) -> None:
        expires = datetime.now(UTC) + timedelta(seconds=timeout_seconds)
        self.jobs.update(
            job.customer,
            job.job_id,
            expect=Status.VALIDATING,
            status=Status.AWAITING_CONFIRMATION,
            details={
                **job.details,
                "verificationCode": verification.new_code(),
                "attemptsLeft": self.settings.confirmation_attempts,
                "expiresAt": expires.isoformat(timespec="seconds"),
                "_task_token": task_token,
            },
        )

    # -- step: apply ---------------------------------------------------------------------------------
    def apply(self, job: Job) -> Job:
        """Lock, verify the staged generation, flip HEAD, release. Safe to run again after a crash."""
        scope = Scope(job.customer, job.administration or "", job.year or "")
        staged = job.details["_staged"]
        self.locks.acquire(scope, job.job_id, APPLY_LEASE_SECONDS)
        try:
            head = self.store.head(scope)
            if head is None or head.generation != staged:  # not flipped by an earlier attempt
                if (
                    "_replaces" in job.details
                    and (head.generation if head else None) != job.details["_replaces"]
                ):
                    raise HeadConflict(f"{scope} was restored by another job after this one was validated")
                self.verify_staged(scope, staged)
                head = self.store.flip_head(scope, staged, expected=head, source="restore", job=job.job_id)
        finally:
            self.locks.release(scope, job.job_id)
        self._delete_upload(job)
        return self.jobs.update(
            job.customer,
            job.job_id,
            expect={Status.APPLYING, Status.RESTORED},
            status=Status.RESTORED,
            details={**job.details, "generation": staged, "restoredAt": head.flipped_at},
        )

    def verify_staged(self, scope: Scope, staged: str) -> None:
        """The staged generation holds exactly the manifest's members, sizes and checked SHA-256s.

        Each member's bytes were hashed while staged; this costs a listing, not a second read.
        """
        manifest = Manifest.from_bytes(self.store.read_note(scope, staged, PROVENANCE_NOTE))
        expected = {entry.path: entry.size for entry in manifest.entries}
        present = {obj.name: obj.size for obj in self.store.generation_objects(scope, staged)}
        if present != expected:
            raise StagedGenerationInvalid(f"staged generation {staged} of {scope} differs from its manifest")

    # -- clean-up --------------------------------------------------------------------------------------
    def discard(self, job: Job, error: str) -> Job:
        """After a timeout, a cancel or too many wrong codes: remove the upload and the stage."""
        self._clean_up(job)
        if error == "States.Timeout":
            return self.jobs.update(
                job.customer, job.job_id, expect=UNDERWAY, status=Status.EXPIRED, reason=EXPIRED
            )
        return self.jobs.get(job.customer, job.job_id)

    def abandon(self, job: Job) -> Job | None:
        """After a failure: drop the stage unless it went live, release a lock we may hold.

        A step can fail after its HEAD flip took effect (a lost answer, a fault in the clean-up after
        it): then the restore *did* happen, and the job says so (returned) instead of "failed".
        """
        self._clean_up(job)  # under our lock, if we still hold it: the fence must not race a flip
        if job.administration and job.year:
            self.locks.release(Scope(job.customer, job.administration, job.year), job.job_id)
        staged = job.details.get("_staged")
        if not (staged and job.administration and job.year):
            return None
        head = self.store.head(Scope(job.customer, job.administration, job.year))
        if head is None or head.generation != staged or job.status is not Status.APPLYING:
            return None
        return self.jobs.update(
            job.customer,
            job.job_id,
            expect=Status.APPLYING,
            status=Status.RESTORED,
            details={**job.details, "generation": staged, "restoredAt": head.flipped_at},
        )

    def _clean_up(self, job: Job) -> None:
        self._delete_upload(job)
        staged = job.details.get("_staged")
        if staged and job.administration and job.year:
            scope = Scope(job.customer, job.administration, job.year)
            head = self._fenced_head(scope, staged)
            if head is None or head.generation != staged:
                self.store.delete_generation(scope, staged)

    def _fenced_head(self, scope: Scope, staged: str) -> Head | None:
        """The live HEAD, fenced against a late flip of `staged` (see DataStore.fence_head).

        Without a HEAD there is nothing to fence: a late first flip (If-None-Match) of a restore
        into an empty administration/year remains possible; docs/security.md names this.
        """
        for _ in range(3):
            head = self.store.head(scope)
            if head is None or head.generation == staged:
                return head
            try:
                return self.store.fence_head(scope, head)
            except HeadConflict:
                continue  # HEAD moved meanwhile (perhaps our late flip landed): look again
        return self.store.head(scope)

    def _delete_upload(self, job: Job) -> None:
        self.s3.delete_object(Bucket=self.settings.uploads_bucket, Key=upload_key(job.customer, job.job_id))


class _Stager:
    """Writes verified members into the staged generation.

    A restore of many small documents is bound by one PUT's latency per member; small members are
    read whole (their SHA-256 is checked when their content ends, before any write) and written a
    few at a time in parallel, with a bounded queue. Large members stream on their own. `flush`
    waits until everything added so far is written, and raises what a write raised.
    """

    def __init__(self, store: DataStore, scope: Scope, generation: str, part_size: int) -> None:
        self.store, self.scope, self.generation, self.part_size = store, scope, generation, part_size
        self.pool = ThreadPoolExecutor(max_workers=STAGE_WORKERS, thread_name_prefix="stage")
        self.pending: deque[Future[str]] = deque()

    def add(self, entry: ManifestEntry, content: Iterator[bytes]) -> None:
        if entry.size > SMALL_MEMBER_BYTES:
            self.store.put_stream(
                self.scope,
                self.generation,
                entry.path,
                content,
                sha256=entry.sha256,
                part_size=self.part_size,
            )
            return
        data = b"".join(content)
        self.pending.append(
            self.pool.submit(
                self.store.put, self.scope, self.generation, entry.path, data, sha256=entry.sha256
            )
        )
        while len(self.pending) > 2 * STAGE_WORKERS:
            self.pending.popleft().result()

    def flush(self) -> None:
        while self.pending:
            self.pending.popleft().result()

    def __enter__(self) -> _Stager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.flush()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


class StagedGenerationInvalid(Exception):
    """The staged generation does not match its manifest (it was changed or is incomplete)."""


def _stage_progress(manifest: Manifest, position: int) -> dict[str, int]:
    return {
        "entries_done": position,
        "entries_total": len(manifest.entries),
        "bytes_done": sum(entry.size for entry in manifest.entries[:position]),
        "bytes_total": manifest.total_bytes,
    }
