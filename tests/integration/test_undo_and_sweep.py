"""Undo a restore within its window, and the sweeper that removes what nothing needs any more, through
the local stack: an undo gives back byte for byte what was live before the restore; it is refused
after a later restore and after the window; after the window the sweeper removes the replaced
generation, and never one that is live, staged, or about to be made live again."""

from __future__ import annotations

import time

import pytest

from kluis.scope import Scope
from tests.integration.harness import (
    CallFault,
    Harness,
    archive_members,
    change_live_data,
    confirm_code,
    seed_scope,
)

pytestmark = pytest.mark.own_stack  # the sweeper walks the whole fleet: only this module's

CUSTOMER = "31014"
WAITING = {"awaiting-confirmation"}


def restored(harness: Harness, scope: Scope, data: bytes) -> dict:
    job = harness.wait_until(harness.start_restore(data, customer=CUSTOMER)["jobId"], WAITING, CUSTOMER)
    assert confirm_code(harness, job, CUSTOMER).status_code == 202
    done = harness.wait_for(job["jobId"], CUSTOMER)
    assert done["status"] == "restored", done
    return done


def undo(harness: Harness, job_id: str) -> dict:
    """Ask to undo, type the code, and wait for the outcome."""
    asked = harness.call("POST", f"/restores/{job_id}/undo", CUSTOMER)
    assert asked.status_code == 201, asked.text
    waiting = harness.wait_until(asked.json()["jobId"], WAITING, CUSTOMER)
    assert waiting["details"]["undoOf"] == job_id and waiting["details"]["summary"]["records"] > 0
    assert confirm_code(harness, waiting, CUSTOMER).status_code == 202
    return harness.wait_for(waiting["jobId"], CUSTOMER)


@pytest.fixture
def prepared(harness: Harness):
    """A scope whose live data changed after a backup: a restore of the backup changes it back."""

    def make(administration: str) -> tuple[Scope, bytes]:
        scope = Scope(CUSTOMER, administration, "2025")
        seed_scope(harness, scope, documents=1)
        data = harness.download(harness.backup(administration, "2025", customer=CUSTOMER)).content
        change_live_data(harness.store, scope, "after the backup")
        return scope, data

    return make


def test_an_undo_within_the_window_gives_back_exactly_what_was_live_before(harness, prepared):
    scope, data = prepared("00061")
    before = harness.snapshot(scope)
    job = restored(harness, scope, data)
    assert harness.snapshot(scope)[1] == archive_members(data)
    assert job["undo"]["possible"] and job["undo"]["windowDays"] == 30
    outcome = undo(harness, job["jobId"])
    assert outcome["status"] == "restored", outcome
    generation, live, _ = harness.snapshot(scope)
    assert (generation, live) == before[:2], "byte-identical to before the restore"
    again = harness.call("GET", f"/jobs/{job['jobId']}", CUSTOMER).json()
    assert again["undo"]["possible"] is False, "undone once: the restore is no longer live"


def test_the_code_step_says_how_long_the_restore_can_be_undone(harness, prepared):
    _, data = prepared("00067")
    job = harness.wait_until(harness.start_restore(data, customer=CUSTOMER)["jobId"], WAITING, CUSTOMER)
    assert job["details"]["undoWindowDays"] == 30, "the page tells it before the code is typed"
    assert confirm_code(harness, job, CUSTOMER).status_code == 202
    done = harness.wait_for(job["jobId"], CUSTOMER)
    undo = harness.wait_until(
        harness.call("POST", f"/restores/{done['jobId']}/undo", CUSTOMER).json()["jobId"], WAITING, CUSTOMER
    )
    assert "undoWindowDays" not in undo["details"], "an undo itself cannot be undone"
    harness.call("POST", f"/restores/{undo['jobId']}/cancel", CUSTOMER)


def test_an_undo_is_refused_after_a_later_restore(harness, prepared):
    scope, data = prepared("00062")
    first = restored(harness, scope, data)
    restored(harness, scope, data)
    refused = harness.call("POST", f"/restores/{first['jobId']}/undo", CUSTOMER)
    assert refused.status_code == 409 and refused.json()["reasonCode"] == "restore.undo_changed_since"


def test_after_the_window_the_sweeper_removes_the_replaced_generation_and_undo_is_gone(
    harness, prepared, configure
):
    scope, data = prepared("00063")
    replaced = harness.snapshot(scope)[0]
    job = restored(harness, scope, data)
    configure(UNDO_WINDOW_DAYS="0.00003", SWEEP_GRACE_DAYS="0")  # 2.6 seconds
    time.sleep(3)
    assert replaced in harness.generations(scope)
    report = harness.stack.run_scheduled("SweepGenerationsFunction")
    assert replaced in report["retired"].get(str(scope), []), report
    assert replaced not in harness.generations(scope)
    assert harness.snapshot(scope)[1] == archive_members(data), "the live data is untouched"
    view = harness.call("GET", f"/jobs/{job['jobId']}", CUSTOMER).json()
    assert view["undo"]["possible"] is False
    refused = harness.call("POST", f"/restores/{job['jobId']}/undo", CUSTOMER)
    assert refused.status_code == 409 and refused.json()["reasonCode"] == "restore.undo_window_passed"


def test_the_sweeper_keeps_what_an_undo_waiting_for_its_code_would_make_live(harness, prepared, configure):
    scope, data = prepared("00064")
    before = harness.snapshot(scope)
    job = restored(harness, scope, data)
    asked = harness.call("POST", f"/restores/{job['jobId']}/undo", CUSTOMER).json()
    waiting = harness.wait_until(asked["jobId"], WAITING, CUSTOMER)
    configure(UNDO_WINDOW_DAYS="0.00003", SWEEP_GRACE_DAYS="0")  # the window passes while it waits
    time.sleep(3)
    harness.stack.run_scheduled("SweepGenerationsFunction")
    assert before[0] in harness.generations(scope), "an unfinished undo's stage is kept"
    assert confirm_code(harness, waiting, CUSTOMER).status_code == 202
    assert harness.wait_for(waiting["jobId"], CUSTOMER)["status"] == "restored"
    assert harness.snapshot(scope)[:2] == before[:2]


def test_a_sweep_that_dies_half_way_is_finished_by_the_next_and_never_touches_head(
    harness, prepared, configure
):
    scope, data = prepared("00065")
    head_versions_before = len(
        harness.stack.client("s3").list_object_versions(
            Bucket=harness.stack.name_of("DataBucket"), Prefix=f"{scope.prefix}HEAD"
        )["Versions"]
    )
    replaced = harness.snapshot(scope)[0]
    restored(harness, scope, data)
    configure(UNDO_WINDOW_DAYS="0.00003", SWEEP_GRACE_DAYS="0")
    time.sleep(3)
    from botocore.exceptions import EndpointConnectionError

    dies = EndpointConnectionError(endpoint_url="https://injected.fault/DeleteObjects")
    with (
        CallFault(
            harness,
            ("SweepGenerationsFunction",),
            fail_at=1,
            error=dies,
            match=lambda f, op: op == "s3.DeleteObjects",
        ),
        pytest.raises(RuntimeError),
    ):
        harness.stack.run_scheduled("SweepGenerationsFunction")
    assert replaced in harness.generations(scope), "the retired mark is written before anything is deleted"
    harness.stack.run_scheduled("SweepGenerationsFunction")
    assert replaced not in harness.generations(scope)
    versions = harness.stack.client("s3").list_object_versions(
        Bucket=harness.stack.name_of("DataBucket"), Prefix=f"{scope.prefix}HEAD"
    )["Versions"]
    assert len(versions) == head_versions_before + 1, "only the restore wrote HEAD"


def test_the_sweeper_keeps_a_stage_in_flight(harness, prepared, configure):
    scope, data = prepared("00066")
    configure(SWEEP_GRACE_DAYS="0", UNDO_WINDOW_DAYS="0.00003")
    existing = harness.generations(scope)
    job = harness.wait_until(harness.start_restore(data, customer=CUSTOMER)["jobId"], WAITING, CUSTOMER)
    staged = harness.generations(scope) - existing
    assert len(staged) == 1
    time.sleep(3)
    harness.stack.run_scheduled("SweepGenerationsFunction")
    assert staged <= harness.generations(scope), "a restore waiting for its code keeps its stage"
    assert confirm_code(harness, job, CUSTOMER).status_code == 202
    assert harness.wait_for(job["jobId"], CUSTOMER)["status"] == "restored"
