"""manifest.json is parsed strictly: it arrives in files from the internet."""

from __future__ import annotations

import json

import pytest

from kluis.archive.manifest import Manifest, ManifestEntry, ManifestInvalid
from tests.archive_reading import read_manifest

SHA = "ab" * 32
MANIFEST = Manifest(
    customer="10234",
    administration="00017",
    fiscal_year="2025",
    created_at="2026-11-25T10:00:00+00:00",
    source_generation="20261125T100000Z-0a1b2c3d",
    include_documents=True,
    entries=(
        ManifestEntry("records/journal_entries.jsonl", 1200, SHA),
        ManifestEntry("documents/doc-2025-000001.pdf", 5000, SHA),
    ),
)


def edited(**changes) -> bytes:
    raw = json.loads(MANIFEST.to_bytes())
    raw.update(changes)
    return json.dumps(raw).encode()


def test_a_manifest_round_trips_through_its_canonical_bytes():
    data = MANIFEST.to_bytes()
    assert read_manifest(data) == MANIFEST
    assert read_manifest(data).to_bytes() == data
    raw = json.loads(data)
    assert raw["counts"] == {"records": 1, "documents": 1}
    assert raw["totals"] == {"bytes": 6200}
    assert (raw["format"], raw["version"]) == ("kluis-backup", 1)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"format": "zip"}, "not a Kluis backup"),
        ({"version": 2}, "format version 2"),
        ({"customer": "../1"}, "identity is invalid"),
        ({"administration": "17"}, "identity is invalid"),
        ({"fiscal_year": "twenty"}, "identity is invalid"),
        ({"created_at": "yesterday"}, "ISO 8601"),
        ({"source_generation": "HEAD"}, "source generation"),
        ({"include_documents": "yes"}, "wrong type"),
        ({"include_documents": False}, "holds no documents"),
        ({"counts": {"records": 2, "documents": 1}}, "counts"),
        ({"totals": {"bytes": 1}}, "totals"),
        ({"entries": [{"path": "evil.sh", "size": 1, "sha256": SHA}]}, "does not write"),
        ({"entries": [{"path": "records/a.jsonl", "size": -1, "sha256": SHA}]}, "invalid size"),
        ({"entries": [{"path": "records/a.jsonl", "size": 1, "sha256": "xyz"}]}, "invalid size or checksum"),
        ({"entries": [{"path": "records/a.jsonl", "size": 1, "sha256": SHA}] * 2}, "twice"),
        ({"entries": "all of them"}, "wrong type"),
    ],
)
def test_a_manifest_that_kluis_did_not_write_is_refused_with_a_reason(changes, words):
    with pytest.raises(ManifestInvalid, match=words):
        read_manifest(edited(**changes))


@pytest.mark.parametrize("data", [b"", b"not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000, b"9" * 5000])
def test_garbage_is_not_a_manifest(data):
    with pytest.raises(ManifestInvalid):
        read_manifest(data)
