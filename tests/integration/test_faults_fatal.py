"""Fatal faults (a non-transient ClientError) at every AWS call of a restore, from staging to the HEAD
flip, and of a backup build: the job fails with a readable reason, the clean-up runs, and the
administration/year is entirely the old data, or (a fault after the flip) entirely the new. After
a failure, sending the same file again succeeds. The transient faults are in test_faults.py; the
runs themselves in fault_runs.py."""

from __future__ import annotations

import pytest

from tests.integration.fault_runs import a_fault_at_every_build_call, a_fault_at_every_restore_call, backed_up
from tests.integration.harness import Harness

pytestmark = pytest.mark.minutes(4)


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    return backed_up(harness)


def test_a_fatal_fault_at_any_call_from_staging_to_the_flip_is_all_or_nothing(harness, backup):
    problems = a_fault_at_every_restore_call(harness, backup, "fatal")
    assert not problems, "\n".join(problems)


def test_a_fatal_fault_at_any_call_of_a_backup_build_leaves_no_half_archive(harness, backup):
    problems = a_fault_at_every_build_call(harness, "fatal")
    assert not problems, "\n".join(problems)
