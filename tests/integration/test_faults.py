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

The fatal runs are in test_faults_fatal.py and the runs themselves in fault_runs.py: two modules,
which pytest-xdist runs side by side.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.integration.fault_runs import (
    CUSTOMER,
    RESTORE_STEPS,
    SCOPE,
    WRITES,
    a_fault_at_every_build_call,
    a_fault_at_every_restore_call,
    backed_up,
    check_all_or_nothing,
    clean_calls,
    points,
    restore_with_fault,
    run_restore,
)
from tests.integration.harness import (
    Harness,
    archive_members,
    change_live_data,
    confirm_code,
    open_zip,
    transient_error,
)

pytestmark = pytest.mark.minutes(2)


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    return backed_up(harness)


def test_a_clean_restore_makes_the_calls_the_fault_runs_enumerate(harness, backup):
    calls = clean_calls(harness, backup, RESTORE_STEPS)
    operations = [op for _, op in calls]
    assert "s3.PutObject" in operations and "kms.VerifyMac" in operations
    # the flip is the Apply step's only PutObject
    assert [c for c in calls if c == ("ApplyRestoreFunction", "s3.PutObject")] == [
        ("ApplyRestoreFunction", "s3.PutObject")
    ]


def test_a_transient_fault_at_any_call_from_staging_to_the_flip_is_retried_to_the_end(harness, backup):
    problems = a_fault_at_every_restore_call(harness, backup, "transient")
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


def test_a_transient_fault_at_any_call_of_a_backup_build_is_retried_to_a_whole_archive(harness, backup):
    problems = a_fault_at_every_build_call(harness, "transient")
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
