"""The audit log: who did what to a customer's books, when, and with what outcome; tamper-evident.

Every record names its actor (the token's subject, `kluis` for the product's own steps acting on a
job, or an operator), the action, the administration/year, the job, the backup's manifest SHA-256
where there is one, and the outcome. Records of a customer form a chain: each carries the hash of the
one before it and a hash of itself, so changing, removing or inserting a record breaks the chain
from there on (`verify`), and an export to an Object Lock bucket keeps a copy nobody can rewrite.

Pure: storing and exporting the chain is `kluis.storage.audit`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

GENESIS = "0" * 64  # the "previous hash" of a customer's first record
SYSTEM = "kluis"  # the actor of what the product's own steps do for a job


class Action(StrEnum):
    BACKUP_REQUESTED = "backup.requested"
    BACKUP_READY = "backup.ready"
    BACKUP_FAILED = "backup.failed"
    DOWNLOAD_ISSUED = "download.issued"
    RESTORE_REQUESTED = "restore.requested"
    RESTORE_UPLOADED = "restore.uploaded"
    RESTORE_CODE_WRONG = "restore.code_wrong"
    RESTORE_CONFIRMED = "restore.confirmed"
    RESTORE_CANCEL = "restore.cancel"
    RESTORE_RESTORED = "restore.restored"
    RESTORE_REJECTED = "restore.rejected"
    RESTORE_EXPIRED = "restore.expired"
    RESTORE_CANCELLED = "restore.cancelled"
    RESTORE_FAILED = "restore.failed"
    RESTORE_UNDO_REQUESTED = "restore.undo_requested"
    SYSTEM_RESTORE_REQUESTED = "system_restore.requested"
    RETENTION_REQUESTED = "retention.requested"
    RETENTION_ARCHIVED = "retention.archived"
    RETENTION_DOWNLOAD_ISSUED = "retention.download_issued"
    AUDITFILE_REQUESTED = "auditfile.requested"
    AUDITFILE_READY = "auditfile.ready"
    AUDITFILE_FAILED = "auditfile.failed"
    OPERATOR_ACTION = "operator.action"


class Outcome(StrEnum):
    DONE = "done"  # the action took effect
    REFUSED = "refused"  # the action was not allowed (a wrong code, a refused file, a limit)
    FAILED = "failed"  # it could not be carried out


class Entry(BaseModel):
    """What a caller records; the log adds the sequence number, the time and the chain."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer: str
    actor: str
    action: Action
    outcome: Outcome = Outcome.DONE
    administration: str | None = None
    year: str | None = None
    job_id: str | None = None
    manifest_sha256: str | None = None
    reason_code: str | None = None
    detail: str | None = None


class Record(Entry):
    seq: int
    at: str
    previous: str
    hash: str

    def view(self) -> dict[str, object]:
        """What the customer sees in their Logboek (everything: it is their own log)."""
        shown = self.model_dump(mode="json", exclude_none=True, exclude={"customer"})
        return {_camel(name): value for name, value in shown.items()}


def seal(entry: Entry, seq: int, at: str, previous: str) -> Record:
    """The entry as the `seq`-th record of its customer's chain, after the one hashed `previous`."""
    fields = entry.model_dump(mode="json") | {"seq": seq, "at": at, "previous": previous}
    return Record(**fields, hash=digest(fields))


def digest(fields: dict[str, object]) -> str:
    """SHA-256 of a record's fields (without its own hash), canonically serialised."""
    canonical = json.dumps(
        {k: v for k, v in fields.items() if k != "hash"}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify(records: Iterable[Record]) -> list[str]:
    """Problems in a customer's chain, oldest first; an empty list means it is whole and unaltered."""
    problems: list[str] = []
    expected_seq, previous = 1, GENESIS
    for record in records:
        if record.seq != expected_seq:
            problems.append(f"record {expected_seq} is missing (found {record.seq} instead)")
        if record.previous != previous:
            problems.append(f"record {record.seq} does not follow the record before it")
        if digest(record.model_dump(mode="json")) != record.hash:
            problems.append(f"record {record.seq} was changed after it was written")
        expected_seq, previous = record.seq + 1, record.hash
    return problems


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
