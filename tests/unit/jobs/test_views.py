"""What a job's view tells its owner: a ready backup says until when it can be downloaded."""

from __future__ import annotations

from datetime import UTC, datetime

from kluis.jobs.lifecycle import Status
from kluis.jobs.model import AuditfileSource, BuiltArchive, MadeAuditfile, new_auditfile, new_backup
from kluis.scope import Scope

SCOPE = Scope("10234", "00017", "2025")
ARCHIVE = BuiltArchive(
    key="archives/x.zip",
    size=8_499_200,
    generation="g1",
    created_at="2026-11-20T14:02:00+00:00",
    records=6,
    documents=4,
    bytes=9_000_000,
)


def test_a_ready_backup_is_downloadable_for_the_retention_days_after_it_was_made():
    job = new_backup(SCOPE, include_documents=True).model_copy(
        update={"status": Status.READY, "archive": ARCHIVE}
    )
    view = job.view(7)
    assert view["downloadableUntil"] == "2026-11-27T14:02:00+00:00"
    assert job.is_downloadable(7, now=datetime(2026, 11, 27, 14, 1, tzinfo=UTC))
    assert not job.is_downloadable(7, now=datetime(2026, 11, 27, 14, 2, tzinfo=UTC))
    assert job.download_state(7, now=datetime(2026, 11, 27, 14, 2, tzinfo=UTC)) == "expired"
    assert "downloadableUntil" not in job.view()  # without the retention, no promise


def test_a_backup_without_an_archive_or_not_ready_is_not_downloadable():
    job = new_backup(SCOPE, include_documents=False)
    assert not job.is_downloadable(7)
    failed = job.model_copy(update={"status": Status.FAILED, "archive": ARCHIVE})
    assert not failed.is_downloadable(7, now=datetime(2026, 11, 21, tzinfo=UTC))
    assert job.download_state(7) == failed.download_state(7) == "not-ready"
    assert "downloadableUntil" not in job.view(7)


def test_an_auditfile_names_its_source_and_once_made_its_checksum_and_how_long_it_can_be_fetched():
    source = AuditfileSource(kind="retained", id="20261120T140200-0123456789ab", key="retained/x.zip")
    job = new_auditfile(SCOPE, source, requested_by="user-1")
    assert job.view()["source"] == {"kind": "retained", "id": "20261120T140200-0123456789ab"}
    assert job.download_state(7) == "not-ready" and "details" not in job.view(7)
    made = MadeAuditfile(
        key="auditfiles/10234/x.xaf",
        size=1234,
        sha256="ab" * 32,
        version="4.0",
        created_at="2026-11-20T14:02:00+00:00",
    )
    ready = job.model_copy(update={"status": Status.READY, "auditfile": made})
    assert ready.view(7)["details"] == {"version": "4.0", "size": 1234, "sha256": "ab" * 32}
    assert ready.view(7)["downloadableUntil"] == "2026-11-27T14:02:00+00:00"
    assert ready.download_state(7, now=datetime(2026, 11, 27, 14, 1, tzinfo=UTC)) == "downloadable"
    assert ready.download_state(7, now=datetime(2026, 11, 27, 14, 2, tzinfo=UTC)) == "expired"
    assert ready.filename() == "10234 - 00017 - 2025 - Auditfile XAF 4.0.xaf"
