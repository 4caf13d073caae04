"""An auditfile made on request reads only records the signed manifest vouches for: each record member
is verified in full before any of it is used, also one its reader stops early in (the fiscal year's
one record), and a member out of the manifest's sight is never handed out."""

from __future__ import annotations

import hashlib
from contextlib import ExitStack
from typing import Any

import pytest

from kluis.archive.validation import open_archive
from kluis.archive.zipreader import ArchiveRejected, BytesSource
from kluis.books import records
from kluis.flows.auditfiles import VerifiedRecords
from tests.hostile.corpus import build_signed_archive, generation_files

FISCAL_YEAR = b'{"year": "2025", "start": "2025-01-01", "end": "2025-12-31"}\n'


class AcceptingSigner:
    """The signature is not what these tests are about (tests/unit/archive covers it)."""

    def sign(self, manifest_bytes: bytes) -> bytes:
        return b'{"algorithm": "HMAC_SHA_256", "mac": "AAAA"}\n'

    def verify(self, manifest_bytes: bytes, signature: bytes) -> None:
        return None


def archive(edit: Any = None) -> bytes:
    files = generation_files() | {"records/fiscal_year.jsonl": FISCAL_YEAR}
    return build_signed_archive(AcceptingSigner(), files, edit=edit)  # type: ignore[arg-type]


def misstate(path: str) -> Any:
    """A manifest edit: `path`'s SHA-256 no longer that of its content (the file was changed)."""

    def edit(document: dict[str, Any]) -> None:
        entry = next(e for e in document["entries"] if e["path"] == path)
        entry["sha256"] = hashlib.sha256(b"something else").hexdigest()

    return edit


def test_a_member_is_read_whole_and_checked_and_what_the_manifest_does_not_list_is_none():
    opened = open_archive(BytesSource(archive()), AcceptingSigner())  # type: ignore[arg-type]
    try:
        assert b"".join(opened.member("records/fiscal_year.jsonl") or []) == FISCAL_YEAR
        assert opened.member("records/vat_returns.jsonl") is None
        assert opened.member("manifest.json") is None and opened.member("manifest.sig") is None
    finally:
        opened.close()


def test_a_changed_member_is_refused_at_its_end_naming_it():
    opened = open_archive(BytesSource(archive(misstate("records/relations.jsonl"))), AcceptingSigner())  # type: ignore[arg-type]
    try:
        with pytest.raises(ArchiveRejected) as refused:
            b"".join(opened.member("records/relations.jsonl") or [])
        assert refused.value.reason.code == "archive.checksum_mismatch"
        assert refused.value.reason.params["name"] == "records/relations.jsonl"
    finally:
        opened.close()


def test_a_record_read_only_in_part_is_still_verified_in_full_first():
    """`records.fiscal_year` takes the first record and stops: without the whole member read first,
    a changed fiscal year would never reach its checksum."""
    opened = open_archive(BytesSource(archive(misstate("records/fiscal_year.jsonl"))), AcceptingSigner())  # type: ignore[arg-type]
    try:
        with ExitStack() as stack, pytest.raises(ArchiveRejected, match="fiscal_year"):
            records.fiscal_year(VerifiedRecords(opened, stack))
    finally:
        opened.close()


def test_verified_records_read_as_the_archive_holds_them():
    opened = open_archive(BytesSource(archive()), AcceptingSigner())  # type: ignore[arg-type]
    try:
        with ExitStack() as stack:
            source = VerifiedRecords(opened, stack)
            year = records.fiscal_year(source)
            assert year is not None and year.year == "2025"
            relations = b"".join(source.open("relations") or [])
            assert relations == generation_files()["records/relations.jsonl"]
            assert source.open("opening_balance") is None
    finally:
        opened.close()
