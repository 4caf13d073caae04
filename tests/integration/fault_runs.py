"""The fault runs of tests/integration/test_faults.py and test_faults_fatal.py: a fault at the k-th
AWS call of a clean restore (staging to the HEAD flip) or backup build, for every k, and the checks
that each run left the administration/year entirely old or entirely new. Two modules, so that
pytest-xdist can run the fatal and the transient runs side by side."""

from __future__ import annotations

from typing import Any

from kluis.scope import Scope
from tests.integration.harness import (
    CallFault,
    Harness,
    archive_members,
    archive_state,
    change_live_data,
    confirm_code,
    fatal_error,
    open_zip,
    seed_scope,
    transient_error,
    wait_for_execution,
)

CUSTOMER = "31001"
SCOPE = Scope(CUSTOMER, "00042", "2025")
BACKUP_SCOPE = Scope(CUSTOMER, "00043", "2025")
RESTORE_STEPS = ("ValidateRestoreFunction", "ApplyRestoreFunction")
WRITES = ("PutObject", "UpdateItem", "PutItem", "DeleteItem", "DeleteObject")


def backed_up(harness: Harness) -> bytes:
    """The archive every restore run restores (each module's `backup` fixture), and the scope every
    build run backs up."""
    seed_scope(harness, SCOPE, documents=1)
    seed_scope(harness, BACKUP_SCOPE, documents=1)
    job = harness.backup(SCOPE.administration, SCOPE.year, documents=True, customer=CUSTOMER)
    return harness.download(job).content


def run_restore(harness: Harness, data: bytes) -> dict[str, Any]:
    created = harness.start_restore(data, customer=CUSTOMER)
    job = harness.wait_until(created["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    if job["status"] == "awaiting-confirmation":
        assert confirm_code(harness, job, CUSTOMER).status_code == 202
    harness.wait_for(job["jobId"], CUSTOMER)
    wait_for_execution(harness, job["jobId"], "RestoreStateMachine")
    return harness.wait_for(job["jobId"], CUSTOMER)


def run_backup(harness: Harness) -> dict[str, Any]:
    job = harness.backup(BACKUP_SCOPE.administration, BACKUP_SCOPE.year, documents=True, customer=CUSTOMER)
    wait_for_execution(harness, job["jobId"], "BackupStateMachine")
    return harness.wait_for(job["jobId"], CUSTOMER)


def lock_holder(harness: Harness, scope: Scope) -> str | None:
    from kluis.storage.locks import Locks

    return Locks(harness.stack.resource("dynamodb"), harness.stack.name_of("JobsTable")).holder(scope)


def check_all_or_nothing(harness: Harness, before: tuple, data: bytes, job: dict[str, Any]) -> str:
    """Old or new, never a mix; nothing left behind. Returns "old" or "new"."""
    generation, live, generations = harness.snapshot(SCOPE)
    assert not harness.upload_exists(job["jobId"], CUSTOMER), job
    assert lock_holder(harness, SCOPE) is None, job
    if generation == before[0]:
        assert live == before[1], job
        assert generations == before[2], f"a staged generation was left behind: {job}"
        return "old"
    assert live == archive_members(data), job
    assert generations == before[2] | {generation}, job
    assert job["status"] == "restored" and job["details"]["generation"] == generation, job
    return "new"


# The API records "restore confirmed" in the customer's audit log while Apply records the outcome:
# when the two appends meet, one is retried (kluis.storage.audit), and that run makes two calls more
# than the clean run. A fault point that such a run did not reach is tried again.
REACH_ATTEMPTS = 3


def restore_with_fault(
    harness: Harness, data: bytes, label: str, **fault: Any
) -> tuple[tuple[Any, ...], dict[str, Any], CallFault]:
    """Change the live data, then restore `data` with a CallFault of `fault` in the restore steps,
    until the fault is reached (REACH_ATTEMPTS at most): the snapshot before, the job, the fault."""
    for attempt in range(REACH_ATTEMPTS):
        change_live_data(harness.store, SCOPE, f"{label}.{attempt}")
        before = harness.snapshot(SCOPE)
        with CallFault(harness, RESTORE_STEPS, **fault) as injected:
            job = run_restore(harness, data)
        if injected.fired is not None:
            break
    return before, job, injected


def points(calls: list[tuple[str, str]]) -> list[tuple[int, tuple[str, str]]]:
    """Every call point, except the middle of a run of identical calls (the same code path)."""
    return [
        (k, call)
        for k, call in enumerate(calls, start=1)
        if k in (1, len(calls)) or calls[k - 2] != call or calls[k] != call
    ]


def clean_calls(harness: Harness, data: bytes, steps: tuple[str, ...]) -> list[tuple[str, str]]:
    change_live_data(harness.store, SCOPE, "clean run")
    with CallFault(harness, steps) as counter:
        assert run_restore(harness, data)["status"] == "restored"
    return counter.calls


def a_fault_at_every_restore_call(harness: Harness, backup: bytes, kind: str) -> list[str]:
    """A fault of `kind` at each call from staging to the flip, one restore each: what went wrong."""
    calls = clean_calls(harness, backup, RESTORE_STEPS)
    problems = []
    for k, (function, operation) in points(calls):
        error = transient_error(operation) if kind == "transient" else fatal_error(operation)
        before, job, fault = restore_with_fault(harness, backup, f"{kind} {k}", fail_at=k, error=error)
        where = f"call {k} ({function} {operation})"
        if fault.fired is None:
            problems.append(f"{where}: the fault was not reached")
            continue
        outcome = check_all_or_nothing(harness, before, backup, job)
        if kind == "transient" and job["status"] != "restored":
            problems.append(f"{where}: a retried transient fault did not finish the job: {job.get('reason')}")
        if kind == "fatal":
            if outcome == "old":
                if job["status"] not in ("failed", "rejected") or "not changed" not in (
                    job.get("reason") or ""
                ):
                    problems.append(f"{where}: no readable reason: {job}")
                again = run_restore(harness, backup)  # sending the file again succeeds
                if again["status"] != "restored":
                    problems.append(f"{where}: sending the file again failed: {again.get('reason')}")
                check_all_or_nothing(harness, before, backup, again)
            elif job["status"] != "restored":
                problems.append(f"{where}: the data was restored but the job says {job['status']}")
    return problems


# -- the backup build ---------------------------------------------------------------------------------
def backup_calls(harness: Harness) -> list[tuple[str, str]]:
    with CallFault(harness, ("BuildBackupFunction",)) as counter:
        job = harness.backup(
            BACKUP_SCOPE.administration, BACKUP_SCOPE.year, documents=True, customer=CUSTOMER
        )
    assert job["status"] == "ready"
    return counter.calls


def check_archive(harness: Harness, job: dict[str, Any]) -> None:
    data = harness.download(job).content
    assert open_zip(data).testzip() is None
    head = harness.store.head(BACKUP_SCOPE)
    live = {
        obj.name: harness.store.open(obj.key).read()
        for obj in harness.store.generation_objects(BACKUP_SCOPE, head.generation)
    }
    assert archive_members(data) == live


def a_fault_at_every_build_call(harness: Harness, kind: str) -> list[str]:
    """A fault of `kind` at each call of a backup build, one build each: what went wrong."""
    calls = backup_calls(harness)
    problems = []
    for k, (_, operation) in points(calls):
        error = transient_error(operation) if kind == "transient" else fatal_error(operation)
        with CallFault(harness, ("BuildBackupFunction",), fail_at=k, error=error) as fault:
            job = run_backup(harness)
        where = f"call {k} ({operation})"
        assert fault.fired, where
        exists, uploads = archive_state(harness, CUSTOMER, job["jobId"])
        if uploads:
            problems.append(f"{where}: multipart uploads left open: {uploads}")
        if lock_holder(harness, BACKUP_SCOPE) is not None:
            problems.append(f"{where}: the lock was left held")
        if kind == "transient":
            if job["status"] != "ready":
                problems.append(f"{where}: a retried transient fault did not finish: {job.get('reason')}")
            else:
                check_archive(harness, job)
            continue
        if job["status"] == "ready":  # the fault came after the archive was complete and recorded
            check_archive(harness, job)
            continue
        if job["status"] != "failed" or "Nothing was changed" not in (job.get("reason") or ""):
            problems.append(f"{where}: not failed with a readable reason: {job}")
        if exists or job.get("downloadable"):
            problems.append(f"{where}: a failed build left an archive that can be downloaded")
    return problems
