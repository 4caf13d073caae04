"""Every identifier check matches the whole string: no final newline, NUL, leading space or
non-ASCII digit gets through (`re.match` with `$` let `2025\\n` pass as a fiscal year)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kluis.archive.names import is_generation_id, is_generation_member
from kluis.flows.restore import confirmation as verification
from kluis.flows.restore.uploads import UPLOAD_KEY
from kluis.jobs.model import is_job_id, new_job_id
from kluis.scope import InvalidScope, check_administration, check_customer, check_year
from kluis.settings import Settings, SettingsError
from kluis.storage.data import new_generation_id

FLAWS = ["{}\n", "{}\r\n", "{}\x00", " {}", "{} "]
FULLWIDTH = str.maketrans("0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")


def refuses(check: Callable[[str], object]) -> Callable[[str], bool]:
    def refused(value: str) -> bool:
        try:
            return not check(value)
        except (InvalidScope, SettingsError):
            return True

    return refused


CHECKS = {
    "customer": ("10234", refuses(check_customer)),
    "administration": ("00017", refuses(check_administration)),
    "year": ("2025", refuses(check_year)),
    "job id": (new_job_id(), refuses(is_job_id)),
    "generation id": (new_generation_id(), refuses(is_generation_id)),
    "record name": ("records/journal_entries.jsonl", refuses(is_generation_member)),
    "document name": ("documents/doc-2025-000001.pdf", refuses(is_generation_member)),
    "upload key": (f"uploads/10234/{new_job_id()}.zip", refuses(UPLOAD_KEY.fullmatch)),
    "verification code": ("123456", refuses(verification.CODE_PATTERN.fullmatch)),
    "bucket setting": ("kluis-data", refuses(lambda v: Settings.from_env({"DATA_BUCKET": v}))),
}


@pytest.mark.parametrize("what", sorted(CHECKS))
def test_a_valid_identifier_passes_and_any_flaw_is_refused(what):
    valid, refused = CHECKS[what]
    assert not refused(valid), valid
    for flaw in FLAWS:
        assert refused(flaw.format(valid)), (what, flaw)
    if any(char.isdigit() for char in valid):
        assert refused(valid.translate(FULLWIDTH)), (what, "fullwidth digits")
