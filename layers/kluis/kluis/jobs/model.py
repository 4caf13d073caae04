"""A job's state, typed: one model per kind, with the view its owner sees derived from it.

Stored in the jobs table by `kluis.storage.jobs` (one item per job, its fields as attributes); what
moves a job from one status to another is declared in `kluis.jobs.lifecycle`. Fields a customer must
never see (the task token, the staged generation) are simply not in `view()`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from kluis.books.summary import BooksPreview
from kluis.errors import Reason
from kluis.jobs.lifecycle import INITIAL, ItemStatus, Kind, Status, is_final
from kluis.retention import RetentionRequest
from kluis.scope import Scope

JOB_ID = re.compile(r"[0-9]{8}T[0-9]{6}-[0-9a-f]{12}")


def new_job_id() -> str:
    """Sorts by creation time; the execution that runs the job carries it as its name."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(6)}"


def is_job_id(value: str) -> bool:
    """The whole string is a job (or request) id: `fullmatch`, so no final newline gets through."""
    return JOB_ID.fullmatch(value) is not None


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


DownloadState = Literal["downloadable", "expired", "not-ready"]


def moment(iso: str) -> datetime:
    """A stored ISO 8601 time (with `Z`, an offset, or none: UTC) as an aware datetime."""
    value = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _download_state(ready: bool, until: Callable[[], datetime], now: datetime | None) -> DownloadState:
    """Not ready; or downloadable until the archives bucket expires the file, then expired."""
    if not ready:
        return "not-ready"
    return "downloadable" if (now or datetime.now(UTC)) < until() else "expired"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Failure(_Model):
    """Why a job ended without doing what it was for: a reason code and its parameters."""

    code: str
    params: dict[str, str | int] = Field(default_factory=dict)

    @classmethod
    def of(cls, reason: Reason) -> Failure:
        return cls(code=reason.code, params=dict(reason.params))

    @property
    def reason(self) -> Reason:
        return Reason(self.code, self.params)


class Progress(_Model):
    entries_done: int = 0
    entries_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0

    def view(self, finished: bool) -> dict[str, int]:
        shown = self.model_dump(exclude_defaults=True)
        if self.bytes_total:
            shown["percent"] = min(100, int(100 * self.bytes_done / self.bytes_total))
        elif finished:
            shown["percent"] = 100
        return shown


class JobBase(_Model):
    job_id: str
    customer: str
    kind: Kind
    status: Status
    administration: str | None = None
    year: str | None = None
    created_at: str = Field(default_factory=now_iso)
    updated_at: str = Field(default_factory=now_iso)
    progress: Progress = Field(default_factory=Progress)
    failure: Failure | None = None
    requested_by: str | None = None  # the subject of the token that asked for it (the audit log's actor)

    @property
    def is_final(self) -> bool:
        return is_final(self.kind, self.status)

    def seconds_since_created(self, now: datetime | None = None) -> float:
        """How long the job has taken so far (a metric of how long backups and restores take)."""
        return max(0.0, ((now or datetime.now(UTC)) - moment(self.created_at)).total_seconds())

    @property
    def scope(self) -> Scope:
        if not (self.administration and self.year):
            raise ValueError(f"job {self.job_id} does not know its administration and year yet")
        return Scope(self.customer, self.administration, self.year)

    def _view(self, finished: bool) -> dict[str, Any]:
        view: dict[str, Any] = {
            "jobId": self.job_id,
            "kind": str(self.kind),
            "status": str(self.status),
            "administration": self.administration,
            "year": self.year,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
            "progress": self.progress.view(finished),
            "final": self.is_final,
        }
        if self.failure:
            reason = self.failure.reason
            view |= {"reason": reason.message, "reasonCode": reason.code, "reasonParams": reason.params}
        return view


class BuiltArchive(_Model):
    """A ready backup's archive: where it is, and what the manifest says it holds."""

    key: str
    size: int
    manifest_sha256: str | None = None
    generation: str
    created_at: str
    records: int  # the records/ entries
    documents: int
    bytes: int  # of all entries, auditfile.xaf included
    auditfile: bool = False  # the archive holds auditfile.xaf (backups before it did not)


class RetainedCopy(_Model):
    """Where a retention archive's locked copy is, and until when nobody can remove it."""

    key: str
    version_id: str
    retain_until: str


class BackupJob(JobBase):
    kind: Literal[Kind.BACKUP] = Kind.BACKUP
    include_documents: bool = False
    archive: BuiltArchive | None = None
    # A retention archive (kluis.flows.retention): what it is kept for, and, once copied, where.
    retention: RetentionRequest | None = None
    retained: RetainedCopy | None = None

    def view(self, retention_days: int | None = None) -> dict[str, Any]:
        """With `retention_days` (the archives bucket's expiry), a ready backup says until when it can
        be downloaded (`downloadableUntil`)."""
        view = self._view(self.status is Status.READY) | {"includeDocuments": self.include_documents}
        if self.archive:
            view["archiveSize"] = self.archive.size
            view["details"] = self.archive.model_dump(include={"generation", "created_at", "records"})
            view["details"] |= {"documents": self.archive.documents, "bytes": self.archive.bytes}
            view["details"]["auditfile"] = self.archive.auditfile
            if retention_days is not None:
                until = self.downloadable_until(retention_days)
                view["downloadableUntil"] = until.isoformat(timespec="seconds")
        if self.retention:
            view["retention"] = {"years": self.retention.years, "why": str(self.retention.why)}
            if self.retained:
                view["retention"]["retainUntil"] = self.retained.retain_until
        return view

    def downloadable_until(self, retention_days: int) -> datetime:
        """Until when the archive is certainly there: S3 expires an object at the first midnight (UTC)
        `retention_days` after its creation, and the archive was completed after its `created_at`."""
        if self.archive is None:
            raise ValueError(f"backup {self.job_id} has no archive")
        return moment(self.archive.created_at) + timedelta(days=retention_days)

    def download_state(self, retention_days: int, now: datetime | None = None) -> DownloadState:
        """Whether the archive can be downloaded: the one rule the job's view, the job lists and the
        download link go by. "expired": ready, but the archives bucket has expired its archive."""
        ready = self.status is Status.READY and self.archive is not None
        return _download_state(ready, lambda: self.downloadable_until(retention_days), now)

    def is_downloadable(self, retention_days: int, now: datetime | None = None) -> bool:
        return self.download_state(retention_days, now) == "downloadable"


class RestoreSummary(_Model):
    """What the bookkeeper is shown before typing the code: what the file holds and what it replaces."""

    backup_created_at: str
    source_customer: str
    manifest_sha256: str | None = None
    datasets: tuple[str, ...] = ()  # which records the file holds (journal_entries, relations, ...)
    records: int  # the records/ entries, staged
    documents: int
    includes_documents: bool
    bytes: int  # of the staged entries (auditfile.xaf is verified, not staged)
    replaces_existing: bool
    current_live_since: str | None = None
    auditfile: bool = False  # the file holds auditfile.xaf (verified like every entry)

    def view(self, scope: Scope) -> dict[str, Any]:
        return {
            "administration": scope.administration,
            "year": scope.year,
            "backupCreatedAt": self.backup_created_at,
            "sourceCustomer": self.source_customer,
            "transfer": self.source_customer != scope.customer,
            "datasets": list(self.datasets),
            "records": self.records,
            "documents": self.documents,
            "includesDocuments": self.includes_documents,
            "bytes": self.bytes,
            "replacesExisting": self.replaces_existing,
            "currentLiveSince": self.current_live_since,
            "auditfile": self.auditfile,
        }


class Stage(_Model):
    """The generation a restore makes live, and how far writing it has got (for a next invocation).

    A restore writes its stage from the upload and owns it (a clean-up removes it); an undo's stage
    is the generation the restore replaced, which is not the undo's to remove.
    """

    generation: str
    position: int = 0
    owned: bool = True


class StageInventory(_Model):
    """Where validation's inventory of the stage is, and its ETag: Apply reads exactly that version."""

    key: str
    etag: str


class Replaced(_Model):
    """The live generation when validation ended: what the user was shown as replaced (None: nothing)."""

    generation: str | None = None


class Confirmation(_Model):
    code: str
    attempts_left: int
    expires_at: str
    task_token: str


class FlipTicket(_Model):
    """Apply's claim to flip HEAD: its write lands or fails before `deadline` (epoch seconds)."""

    deadline: float


class MultipartUpload(_Model):
    """A large restore's upload in parts (kluis.flows.restore.uploads): the S3 upload it goes into, the
    size the client stated, and the part size every part but the last has."""

    upload_id: str
    size: int
    part_size: int

    @property
    def part_count(self) -> int:
        return -(-self.size // self.part_size)

    def part_bytes(self, number: int) -> int:
        """The size part `number` (1-based) must have: `part_size`, the last one the rest."""
        return min(self.part_size, self.size - (number - 1) * self.part_size)

    def view(self) -> dict[str, int]:
        return {"size": self.size, "partSize": self.part_size, "partCount": self.part_count}


class Restored(_Model):
    generation: str
    restored_at: str | None = None


class RestoreJob(JobBase):
    kind: Literal[Kind.RESTORE] = Kind.RESTORE
    include_documents: bool = False
    undo_of: str | None = None  # an undo: the restore whose replaced generation it makes live again
    stage: Stage | None = None
    inventory: StageInventory | None = None
    replaces: Replaced | None = None
    summary: RestoreSummary | None = None
    # What the restore does to the books (kluis.flows.restore.books); None: none could be made.
    books: BooksPreview | None = None
    confirmation: Confirmation | None = None
    # The fence between a flip and the clean-up of the stage it would make live (kluis.flows.restore
    # apply and cleanup): an open ticket holds the clean-up back; once fenced, no ticket is given.
    flip: FlipTicket | None = None
    fenced_at: str | None = None
    restored: Restored | None = None
    multipart: MultipartUpload | None = None  # a large file's upload in parts (None: one POST)

    def view(self) -> dict[str, Any]:
        view = self._view(self.status is Status.RESTORED) | {"includeDocuments": self.include_documents}
        if self.multipart and self.status is Status.AWAITING_UPLOAD:  # a reloaded page resumes with it
            view["multipart"] = self.multipart.view()
        details: dict[str, Any] = {}
        if self.summary:
            details["summary"] = self.summary.view(self.scope)
        if self.books:
            details["books"] = self.books.view()
        if self.confirmation:
            details |= {
                "verificationCode": self.confirmation.code,
                "attemptsLeft": self.confirmation.attempts_left,
                "expiresAt": self.confirmation.expires_at,
            }
        if self.restored:
            details |= {"generation": self.restored.generation, "restoredAt": self.restored.restored_at}
        if self.undo_of:
            details["undoOf"] = self.undo_of
        if details:
            view["details"] = details
        return view


class AuditfileSource(_Model):
    """The archive an auditfile is made from: a ready backup's (archives bucket) or a retained one
    (retention bucket, one locked version)."""

    kind: Literal["backup", "retained"]
    id: str  # the backup's job id, or the retained archive's id
    key: str
    version_id: str | None = None
    manifest_sha256: str | None = None


class MadeAuditfile(_Model):
    """The auditfile made: where it is, its size and its own SHA-256 (recorded in the audit log)."""

    key: str
    size: int
    sha256: str
    version: str  # the XAF version, "4.0"
    created_at: str
    transactions: int = 0


class AuditfileJob(JobBase):
    kind: Literal[Kind.AUDITFILE] = Kind.AUDITFILE
    source: AuditfileSource
    auditfile: MadeAuditfile | None = None

    def view(self, retention_days: int | None = None) -> dict[str, Any]:
        view = self._view(self.status is Status.READY)
        view["source"] = {"kind": self.source.kind, "id": self.source.id}
        if self.auditfile:
            made = self.auditfile
            view["details"] = {"version": made.version, "size": made.size, "sha256": made.sha256}
            if retention_days is not None:
                until = self.downloadable_until(retention_days)
                view["downloadableUntil"] = until.isoformat(timespec="seconds")
        return view

    def filename(self) -> str:
        return self.scope.auditfile_filename()

    def downloadable_until(self, retention_days: int) -> datetime:
        """The archives bucket expires the file with the backups (ARCHIVE_RETENTION_DAYS)."""
        made = self.auditfile.created_at if self.auditfile else self.created_at
        return moment(made) + timedelta(days=retention_days)

    def download_state(self, retention_days: int, now: datetime | None = None) -> DownloadState:
        ready = self.status is Status.READY and self.auditfile is not None
        return _download_state(ready, lambda: self.downloadable_until(retention_days), now)


AnyJob = BackupJob | RestoreJob | AuditfileJob
Job = Annotated[AnyJob, Field(discriminator="kind")]
JOB_ADAPTER: TypeAdapter[AnyJob] = TypeAdapter(Job)


def new_backup(
    scope: Scope,
    include_documents: bool,
    requested_by: str | None = None,
    retention: RetentionRequest | None = None,
    job_id: str | None = None,
) -> BackupJob:
    return BackupJob(
        job_id=job_id or new_job_id(),
        customer=scope.customer,
        status=INITIAL[Kind.BACKUP],
        administration=scope.administration,
        year=scope.year,
        include_documents=include_documents,
        requested_by=requested_by,
        retention=retention,
    )


def new_auditfile(scope: Scope, source: AuditfileSource, requested_by: str | None = None) -> AuditfileJob:
    return AuditfileJob(
        job_id=new_job_id(),
        customer=scope.customer,
        status=INITIAL[Kind.AUDITFILE],
        administration=scope.administration,
        year=scope.year,
        source=source,
        requested_by=requested_by,
    )


def new_restore(customer: str, requested_by: str | None = None) -> RestoreJob:
    return RestoreJob(
        job_id=new_job_id(), customer=customer, status=INITIAL[Kind.RESTORE], requested_by=requested_by
    )


# -- requests for a restore from the system backups ----------------------------------------------------
class RequestItem(_Model):
    """One administration/year of a request, and what became of it (operators see all of it)."""

    administration: str
    year: str
    status: ItemStatus = ItemStatus.PENDING
    generation: str | None = None
    source: str | None = None
    restore_point: dict[str, Any] | None = None
    objects: int | None = None
    bytes: int | None = None
    restored_at: str | None = None
    error: str | None = None
    cause: str | None = None

    def view(self) -> dict[str, Any]:
        """What the customer sees: no version ids, generations or errors."""
        shown: dict[str, Any] = {"administration": self.administration, "year": self.year}
        shown["status"] = str(self.status)
        if self.restored_at:
            shown["restoredAt"] = self.restored_at
        if self.status is ItemStatus.FAILED:
            reason = Reason("system_restore.item_failed")
            shown |= {"reason": reason.message, "reasonCode": reason.code, "reasonParams": {}}
        return shown


class FulfilmentRun(_Model):
    """One execution that fulfils a request (kluis.flows.system_restore.fulfilment.Fulfilment runs
    it): which execution, from which source, since when."""

    execution: str
    source: str
    started_at: str


class SystemRestoreRequest(_Model):
    request_id: str
    customer: str
    point_in_time: str
    items: tuple[RequestItem, ...]
    note: str = ""
    status: Status = INITIAL[Kind.SYSTEM_RESTORE]
    price_cents: int = 0
    currency: str = "EUR"
    created_at: str = Field(default_factory=now_iso)
    updated_at: str = Field(default_factory=now_iso)
    fulfilments: tuple[FulfilmentRun, ...] = ()
    kind: Literal[Kind.SYSTEM_RESTORE] = Kind.SYSTEM_RESTORE

    @property
    def moment(self) -> datetime:
        return datetime.fromisoformat(self.point_in_time.replace("Z", "+00:00"))
