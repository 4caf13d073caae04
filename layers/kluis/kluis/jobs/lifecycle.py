"""The life of a job, declared once: its kinds, statuses, and the moves between them.

Every status change anywhere (the services, the failure step, the state machines' direct DynamoDB
writes) is one of the moves declared here: `kluis.storage.jobs.JobStore.move` writes a status only
with a condition that the job is in one of the move's sources, and a test checks the ASL files'
conditional writes against `sources()`. A move to the same status is a change of the job's fields
while it stays where it is (progress, a counted wrong code); it is declared like any other.

docs/architecture.md draws these as state diagrams.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Kind(StrEnum):
    BACKUP = "backup"
    RESTORE = "restore"
    SYSTEM_RESTORE = "system-restore"
    AUDITFILE = "auditfile"  # an XAF 4.0 auditfile made from an archive's records (kluis.flows.auditfiles)


class Status(StrEnum):
    # backup
    QUEUED = "queued"
    BUILDING = "building"
    RETAINING = "retaining"  # a retention archive: built, being copied under Object Lock
    READY = "ready"
    # restore
    AWAITING_UPLOAD = "awaiting-upload"
    VALIDATING = "validating"
    AWAITING_CONFIRMATION = "awaiting-confirmation"
    APPLYING = "applying"
    RESTORED = "restored"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    # a request for a restore from the system backups
    RECEIVED = "received"
    IN_PROGRESS = "in-progress"
    FULFILLED = "fulfilled"
    PARTLY_FULFILLED = "partly-fulfilled"
    # any kind
    FAILED = "failed"


class ItemStatus(StrEnum):
    """One administration/year of a system-restore request."""

    PENDING = "pending"
    RESTORING = "restoring"
    RESTORED = "restored"
    FAILED = "failed"


S = Status
MOVES: Mapping[Kind, Mapping[Status, frozenset[Status]]] = {
    Kind.BACKUP: {
        S.QUEUED: frozenset({S.BUILDING, S.FAILED}),
        S.BUILDING: frozenset({S.BUILDING, S.RETAINING, S.READY, S.FAILED}),
        # A retention archive (kluis.flows.retention) is ready once its copy is under Object Lock.
        S.RETAINING: frozenset({S.READY, S.FAILED}),
        S.READY: frozenset(),
        S.FAILED: frozenset(),
    },
    Kind.RESTORE: {
        # A restore whose file never arrived (or whose upload event was lost) expires: the sweeper
        # (kluis.flows.stale_restores) moves it once no upload can still start it.
        S.AWAITING_UPLOAD: frozenset({S.VALIDATING, S.CANCELLED, S.REJECTED, S.EXPIRED, S.FAILED}),
        S.VALIDATING: frozenset({S.VALIDATING, S.AWAITING_CONFIRMATION, S.REJECTED, S.FAILED}),
        # A wrong code is counted in place; a confirmation that meets the timeout at that very moment
        # leaves the job `applying` while the execution expires it.
        S.AWAITING_CONFIRMATION: frozenset(
            {S.AWAITING_CONFIRMATION, S.APPLYING, S.REJECTED, S.CANCELLED, S.EXPIRED, S.FAILED}
        ),
        S.APPLYING: frozenset({S.RESTORED, S.EXPIRED, S.FAILED}),
        S.RESTORED: frozenset({S.RESTORED}),  # a retried apply finds its flip done
        S.REJECTED: frozenset(),
        S.EXPIRED: frozenset(),
        S.CANCELLED: frozenset(),
        S.FAILED: frozenset(),
    },
    Kind.AUDITFILE: {
        S.QUEUED: frozenset({S.BUILDING, S.FAILED}),
        S.BUILDING: frozenset({S.BUILDING, S.READY, S.FAILED}),
        S.READY: frozenset(),
        S.FAILED: frozenset(),
    },
    Kind.SYSTEM_RESTORE: {
        S.RECEIVED: frozenset({S.IN_PROGRESS}),
        S.IN_PROGRESS: frozenset({S.FULFILLED, S.PARTLY_FULFILLED, S.FAILED}),
        # An operator may fulfil again what did not fully succeed; restored items are skipped.
        S.PARTLY_FULFILLED: frozenset({S.IN_PROGRESS}),
        S.FAILED: frozenset({S.IN_PROGRESS}),
        S.FULFILLED: frozenset({S.IN_PROGRESS}),
    },
}

ITEM_MOVES: Mapping[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.PENDING: frozenset({ItemStatus.RESTORING, ItemStatus.FAILED}),
    ItemStatus.RESTORING: frozenset({ItemStatus.RESTORING, ItemStatus.RESTORED, ItemStatus.FAILED}),
    ItemStatus.RESTORED: frozenset(),
    ItemStatus.FAILED: frozenset({ItemStatus.RESTORING, ItemStatus.FAILED}),
}

INITIAL: Mapping[Kind, Status] = {
    Kind.BACKUP: S.QUEUED,
    Kind.RESTORE: S.AWAITING_UPLOAD,
    Kind.SYSTEM_RESTORE: S.RECEIVED,
    Kind.AUDITFILE: S.QUEUED,
}


def statuses(kind: Kind) -> frozenset[Status]:
    return frozenset(MOVES[kind])


def is_final(kind: Kind, status: Status) -> bool:
    """A status nothing leaves (but by staying where it is)."""
    return MOVES[kind][status] <= {status}


def final(kind: Kind) -> frozenset[Status]:
    return frozenset(status for status in MOVES[kind] if is_final(kind, status))


def underway(kind: Kind) -> frozenset[Status]:
    """Neither waiting to start nor final: some step of the job's execution is working on it."""
    return frozenset(s for s in MOVES[kind] if not is_final(kind, s) and s != INITIAL[kind])


def allowed(kind: Kind, source: Status, target: Status) -> bool:
    return target in MOVES[kind].get(source, frozenset())


def sources(kind: Kind, target: Status) -> frozenset[Status]:
    """The statuses a job of `kind` may be in for a move to `target`: the condition of that write."""
    found = frozenset(source for source, targets in MOVES[kind].items() if target in targets)
    if not found:
        raise ValueError(f"no {kind} job ever moves to {target}")
    return found


def item_sources(target: ItemStatus) -> frozenset[ItemStatus]:
    found = frozenset(source for source, targets in ITEM_MOVES.items() if target in targets)
    if not found:
        raise ValueError(f"no request item ever moves to {target}")
    return found
