"""Per-administration/year locks with leases, and verification codes."""

from __future__ import annotations

import pytest

from kluis.flows.restore import confirmation as verification
from kluis.scope import Scope
from kluis.storage.locks import LockBusy
from tests.unit.conftest import world

SCOPE = Scope("10234", "00017", "2025")


def test_a_lock_is_exclusive_renewable_and_released_by_its_owner_only():
    with world() as w:
        w.locks.acquire(SCOPE, "job-a", 60)
        w.locks.acquire(SCOPE, "job-a", 60)  # renewing is fine
        with pytest.raises(LockBusy):
            w.locks.acquire(SCOPE, "job-b", 60)
        w.locks.acquire(Scope("10234", "00017", "2024"), "job-b", 60)  # another year is independent
        w.locks.release(SCOPE, "job-b")  # not the owner: no effect
        assert w.locks.holder(SCOPE) == "job-a"
        w.locks.release(SCOPE, "job-a")
        assert w.locks.holder(SCOPE) is None
        w.locks.acquire(SCOPE, "job-b", 60)


def test_a_lock_whose_lease_ran_out_can_be_taken_over():
    with world() as w:
        w.locks.acquire(SCOPE, "dead-job", -1)
        assert w.locks.holder(SCOPE) is None
        w.locks.acquire(SCOPE, "job-b", 60)
        assert w.locks.holder(SCOPE) == "job-b"


def test_codes_are_six_digits_and_compare_forgivingly_on_spacing():
    codes = {verification.new_code() for _ in range(200)}
    assert all(verification.CODE_PATTERN.fullmatch(code) for code in codes)
    assert len(codes) > 150
    assert verification.matches("482913", "482 913")
    assert verification.matches("482913", "482-913")
    assert not verification.matches("482913", "482914")
    assert not verification.matches("482913", "")
