"""Faults at every AWS call of a restore (staging to the HEAD flip) and of a backup build.

Faults are injected at the SDK boundary of the deployed functions (botocore hooks on the clients of
the handler module's `resources`; none of our code is mocked), on the k-th call of a clean run, for
every k:

- transient: the request is lost (EndpointConnectionError) -> the handler raises TransientError and
  the state machine's Retry runs the step again, which must finish the job;
- fatal: a non-transient ClientError -> the job fails with a readable reason, the clean-up runs;
- lost answer: the call took effect but its response is lost (then transient) -> the retried step
  must cope with its own half-done work.

In every run the administration/year is entirely the old data or entirely the new (HEAD, its bytes
and which generations exist), no upload or lock is left behind, and after a failure sending the same
file again succeeds. A Lambda timeout, which cannot be raised in-process, is produced for real with
the runtime's isolated mode (the function in a child process, killed at its Timeout).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

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


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
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


def test_a_clean_restore_makes_the_calls_the_fault_runs_enumerate(harness, backup):
    calls = clean_calls(harness, backup, RESTORE_STEPS)
    operations = [op for _, op in calls]
    assert "s3.PutObject" in operations and "kms.VerifyMac" in operations
    # the flip is the Apply step's only PutObject
    assert [c for c in calls if c == ("ApplyRestoreFunction", "s3.PutObject")] == [
        ("ApplyRestoreFunction", "s3.PutObject")
    ]


@pytest.mark.parametrize("kind", ["transient", "fatal"])
def test_a_fault_at_any_call_from_staging_to_the_flip_is_all_or_nothing(harness, backup, kind):
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
    assert not problems, "\n".join(problems)


def test_a_lost_answer_to_any_write_is_absorbed_by_the_retry(harness, backup):
    """The write happened, its answer was lost: the retried step must finish, not trip over it."""
    calls = clean_calls(harness, backup, RESTORE_STEPS)
    problems = []
    for k, (function, operation) in points(calls):
        if operation.split(".")[1] not in WRITES:
            continue
        before, job, fault = restore_with_fault(
            harness, backup, f"lost answer {k}", fail_at=k, error=transient_error(), when="after"
        )
        where = f"call {k} ({function} {operation})"
        assert fault.fired, where
        outcome = check_all_or_nothing(harness, before, backup, job)
        if outcome != "new":
            problems.append(f"{where}: the retry did not finish the restore: {job.get('reason')}")
    assert not problems, "\n".join(problems)


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


@pytest.mark.parametrize("kind", ["transient", "fatal"])
def test_a_fault_at_any_call_of_a_backup_build_leaves_no_half_archive(harness, backup, kind):
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
    assert not problems, "\n".join(problems)


# -- a real Lambda timeout (the runtime's isolated mode) ----------------------------------------------
@contextmanager
def isolated(harness: Harness, logical_id: str, timeout: int) -> Iterator[None]:
    """Run one function in a child process that is killed at `timeout` seconds, as Lambda does."""
    runtime = harness.stack.runtime
    local = runtime.by_logical_id(logical_id)
    saved = local.timeout
    local.timeout = timeout
    runtime.isolate.add(logical_id)
    try:
        yield
    finally:
        runtime.isolate.discard(logical_id)
        local.timeout = saved


@contextmanager
def slow_read(suffix: str, seconds: float) -> Iterator[list[str]]:
    """moto (not our code) answers the first GET of a key ending in `suffix` slowly: in flight at
    the timeout."""
    from moto.s3.models import S3Backend

    original = S3Backend.get_object
    seen: list[str] = []

    def slow(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        if not seen and str(key_name).endswith(suffix):
            seen.append(key_name)
            time.sleep(seconds)
        return original(self, bucket_name, key_name, *args, **kwargs)

    S3Backend.get_object = slow  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        S3Backend.get_object = original  # type: ignore[method-assign]


def test_apply_killed_by_its_timeout_before_the_flip_changes_nothing_and_can_be_sent_again(harness, backup):
    change_live_data(harness.store, SCOPE, "timeout")
    before = harness.snapshot(SCOPE)
    created = harness.start_restore(backup, customer=CUSTOMER)
    job = harness.wait_until(created["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    # The stage's inventory (what Apply verifies before the flip) is read past the function's Timeout.
    with (
        isolated(harness, "ApplyRestoreFunction", 3),
        slow_read("/stage-inventory.json", 6) as seen,
    ):
        assert confirm_code(harness, job, CUSTOMER).status_code == 202
        final = harness.wait_for(job["jobId"], CUSTOMER, timeout=60)
        time.sleep(max(0.0, 6.5 - 3))  # let the hung request finish, as a late request would
    assert seen, "the inventory's read was not slowed"
    assert [c.error for c in harness.stack.runtime.calls if c.logical_id == "ApplyRestoreFunction"][-1] == (
        "Sandbox.Timedout"
    )
    assert final["status"] == "failed"
    assert "took too long" in final["reason"] and "not changed" in final["reason"]
    assert check_all_or_nothing(harness, before, backup, final) == "old"
    again = run_restore(harness, backup)
    assert again["status"] == "restored", again
    assert check_all_or_nothing(harness, before, backup, again) == "new"


def test_zip_members_of_the_fixture_are_what_the_scope_holds(harness, backup):
    """Sanity of the fixture the fault runs compare against."""
    assert {n for n in archive_members(backup)} >= {"records/ledger_accounts.jsonl"}
    assert isinstance(open_zip(backup), zipfile.ZipFile)
