"""Races on one administration/year: two restores, and a restore with a backup, started together with
random timing, many times (bounded in time). Exactly one restore wins (its generation is live), the
other ends cleanly with a message, and no backup ever holds a mix of generations."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from kluis.scope import Scope
from tests.archive_reading import read_manifest
from tests.integration.harness import (
    Harness,
    archive_members,
    change_live_data,
    confirm_code,
    open_zip,
    seed_scope,
    wait_for_execution,
)

pytestmark = pytest.mark.minutes(2)

CUSTOMER = "31002"
SCOPE = Scope(CUSTOMER, "00042", "2025")
ROUNDS = 6
BUDGET_SECONDS = 80


@pytest.fixture(scope="module")
def backups(harness: Harness) -> list[bytes]:
    """Two different backups of the scope (different generations and contents)."""
    seed_scope(harness, SCOPE, documents=1)
    first = harness.download(harness.backup("00042", "2025", documents=True, customer=CUSTOMER)).content
    change_live_data(harness.store, SCOPE, "second backup")
    second = harness.download(harness.backup("00042", "2025", documents=True, customer=CUSTOMER)).content
    return [first, second]


def validated(harness: Harness, data: bytes) -> dict[str, Any]:
    job = harness.start_restore(data, customer=CUSTOMER)
    job = harness.wait_until(job["jobId"], {"awaiting-confirmation"}, CUSTOMER)
    assert job["status"] == "awaiting-confirmation", job
    return job


def together(*actions: Any, jitter: float) -> None:
    """Start the actions at (nearly) the same moment, each after a random delay up to `jitter`."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Any) -> None:
        barrier.wait()
        time.sleep(random.uniform(0, jitter))
        try:
            action()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors


def settle(harness: Harness, job_id: str, machine: str) -> dict[str, Any]:
    harness.wait_for(job_id, CUSTOMER, timeout=60)
    wait_for_execution(harness, job_id, machine, timeout=60)
    return harness.wait_for(job_id, CUSTOMER)


def check_backup_is_one_generation(
    harness: Harness, job: dict[str, Any], generations: dict[str, bytes]
) -> None:
    """The archive's manifest names one source generation and its entries are that generation's bytes."""
    data = harness.download(job).content
    manifest = read_manifest(open_zip(data).read("manifest.json"))
    source = manifest.source_generation
    store = harness.store
    objects = {obj.name: store.open(obj.key).read() for obj in store.generation_objects(SCOPE, source)}
    assert objects, f"the backup's source generation {source} is gone"
    assert archive_members(data) == objects, f"backup {job['jobId']} mixes generations"


def test_two_restores_confirmed_together_one_wins_the_other_fails_cleanly(harness, backups):
    rng = random.Random(20251)
    started = time.monotonic()
    rounds = 0
    while rounds < ROUNDS and time.monotonic() - started < BUDGET_SECONDS / 2:
        rounds += 1
        order = backups if rng.random() < 0.5 else backups[::-1]
        before = harness.snapshot(SCOPE)
        jobs = [validated(harness, data) for data in order]
        together(*(lambda j=j: confirm_code(harness, j, CUSTOMER) for j in jobs), jitter=rng.uniform(0, 0.3))
        finals = [settle(harness, j["jobId"], "RestoreStateMachine") for j in jobs]
        generation, live, _ = harness.snapshot(SCOPE)
        winners = [(f, data) for f, data in zip(finals, order, strict=True) if f["status"] == "restored"]
        assert len(winners) == 1, [(f["status"], f.get("reason")) for f in finals]
        winner, data = winners[0]
        assert generation == winner["details"]["generation"] and live == archive_members(data)
        (loser,) = [f for f in finals if f is not winner]
        assert loser["status"] == "failed", loser
        # It was checked before the winner flipped: Apply, under the lock, sees the winner's HEAD and
        # says what happened and when (not "at the same moment").
        assert loser["reasonCode"] == "restore.superseded", loser
        assert loser["reasonParams"]["changedAt"] == winner["details"]["restoredAt"], loser
        assert len(harness.generations(SCOPE) - before[2]) == 1, "the loser's staged generation is left"


def test_a_restore_and_a_backup_started_together_never_give_a_mixed_backup(harness, backups):
    rng = random.Random(20252)
    started = time.monotonic()
    rounds = 0
    generations: dict[str, bytes] = {}
    while rounds < ROUNDS and time.monotonic() - started < BUDGET_SECONDS / 2:
        rounds += 1
        data = backups[rounds % 2]
        restore = validated(harness, data)
        before = harness.snapshot(SCOPE)
        backup_ids: list[str] = []

        def start_backup(backup_ids: list[str] = backup_ids) -> None:
            response = harness.call(
                "POST", "/administrations/00042/years/2025/backups", CUSTOMER, json={"includeDocuments": True}
            )
            assert response.status_code == 202, response.text
            backup_ids.append(response.json()["jobId"])

        together(
            lambda restore=restore: confirm_code(harness, restore, CUSTOMER),
            start_backup,
            jitter=rng.uniform(0, 0.4),
        )
        restored = settle(harness, restore["jobId"], "RestoreStateMachine")
        backed_up = settle(harness, backup_ids[0], "BackupStateMachine")
        generation, live, _ = harness.snapshot(SCOPE)
        if restored["status"] == "restored":
            assert generation == restored["details"]["generation"] and live == archive_members(data)
        else:
            assert restored["status"] == "failed" and restored.get("reason"), restored
            assert (generation, live) == before[:2]
        if backed_up["status"] == "ready":
            check_backup_is_one_generation(harness, backed_up, generations)
        else:
            assert backed_up["status"] == "failed" and backed_up.get("reason"), backed_up


# -- only a confirmed apply ever writes HEAD ---------------------------------------------------------
FENCE_ROUNDS = 5
FENCE_TIMEOUT = 8  # seconds a restore of the fence test waits for its code
FENCE_MARGIN = 2.5  # seconds before a round's time-out that its other restores are acted on
FENCE_CUSTOMER = "31009"
FENCE_SCOPE = Scope(FENCE_CUSTOMER, "00042", "2025")


def head_versions(harness: Harness, scope: Scope) -> int:
    s3 = harness.stack.client("s3")
    listed = s3.list_object_versions(Bucket=harness.stack.name_of("DataBucket"), Prefix=f"{scope.prefix}HEAD")
    return len([v for v in listed.get("Versions", []) if v["Key"] == f"{scope.prefix}HEAD"])


def late_checksum_mismatch(data: bytes) -> bytes:
    """The backup with its last member's bytes changed (same size): rejected only once staging has
    written the members before it, so its clean-up has a stage to remove."""
    from tests.integration.test_backup_flow import rewrite

    last = open_zip(data).namelist()[-3]  # the last member before manifest.json and manifest.sig
    return rewrite(data, lambda name, content: bytes(reversed(content)) if name == last else content)


def test_a_genuine_restore_always_succeeds_against_concurrent_rejections_cancels_and_time_outs(
    harness, configure
):
    """An acceptance run saw a genuine restore fail 'at the same moment' in 2 of 12 rounds, because a
    rejected upload's clean-up rewrote ("fenced") the live HEAD. Clean-ups no longer write HEAD.

    Each round one restore's code times out while the others are confirmed, cancelled and rejected.
    The others are acted on FENCE_MARGIN seconds before that time-out, and reached their code after
    it began: so they act within their own time however slowly a loaded machine validates (with one
    short time-out for all, a restore validated early expired before its cancel came)."""
    seed_scope(harness, FENCE_SCOPE, documents=2)
    data = harness.download(harness.backup("00042", "2025", documents=True, customer=FENCE_CUSTOMER)).content
    hostile = late_checksum_mismatch(data)
    configure(CONFIRMATION_TIMEOUT_SECONDS=str(FENCE_TIMEOUT))
    rng = random.Random(20253)
    for _ in range(FENCE_ROUNDS):
        versions = head_versions(harness, FENCE_SCOPE)
        to_time_out = validated_for(harness, data)
        times_out = time.monotonic() + FENCE_TIMEOUT  # at the latest
        to_cancel, genuine = together_validated(harness, data, 2)
        time.sleep(max(0.0, times_out - FENCE_MARGIN - time.monotonic()))
        rejected: list[str] = []

        def upload_hostile(rejected: list[str] = rejected) -> None:
            rejected.append(harness.start_restore(hostile, customer=FENCE_CUSTOMER)["jobId"])

        together(
            lambda genuine=genuine: confirm_code(harness, genuine, FENCE_CUSTOMER),
            lambda job=to_cancel: harness.call("POST", f"/restores/{job['jobId']}/cancel", FENCE_CUSTOMER),
            upload_hostile,
            upload_hostile,
            jitter=rng.uniform(0, 0.5),
        )
        outcome = {
            "genuine": harness.wait_for(genuine["jobId"], FENCE_CUSTOMER, timeout=60)["status"],
            "cancelled": harness.wait_for(to_cancel["jobId"], FENCE_CUSTOMER, timeout=60)["status"],
            "timed out": harness.wait_for(to_time_out["jobId"], FENCE_CUSTOMER, timeout=60)["status"],
            "hostile": sorted(harness.wait_for(j, FENCE_CUSTOMER, timeout=60)["status"] for j in rejected),
        }
        assert outcome == {
            "genuine": "restored",
            "cancelled": "cancelled",
            "timed out": "expired",
            "hostile": ["rejected", "rejected"],
        }, outcome
        assert head_versions(harness, FENCE_SCOPE) == versions + 1


def together_validated(harness: Harness, data: bytes, count: int) -> list[dict[str, Any]]:
    """`count` restores of `data`, uploaded at once, each awaiting its code."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: validated_for(harness, data), range(count)))


def validated_for(harness: Harness, data: bytes) -> dict[str, Any]:
    job = harness.start_restore(data, customer=FENCE_CUSTOMER)
    job = harness.wait_until(job["jobId"], {"awaiting-confirmation"}, FENCE_CUSTOMER)
    assert job["status"] == "awaiting-confirmation", job
    return job
