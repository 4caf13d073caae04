"""The manifest written entry by entry (backup) is the one `Manifest.to_bytes` writes, and read entry
by entry (restore, `index_manifest`) gives back what was written, in bounded memory."""

from __future__ import annotations

import hashlib
import io
import json
import random

import pytest

from kluis.archive.manifest import (
    Manifest,
    ManifestEntry,
    ManifestInvalid,
    ManifestStream,
    index_manifest,
)


def manifest(count: int, seed: int = 1) -> Manifest:
    rng = random.Random(seed)
    entries = tuple(
        ManifestEntry(
            f"documents/d{i}.pdf" if rng.random() < 0.7 else f"records/r{i}.jsonl",
            rng.randrange(10**10),
            hashlib.sha256(str(i).encode()).hexdigest(),
        )
        for i in range(count)
    )
    return Manifest(
        "10234", "00017", "2025", "2025-01-31T12:00:00+00:00", "20250131T120000Z-0a1b2c3d", True, entries
    )


@pytest.mark.parametrize("count", [0, 1, 2, 1000])
def test_the_streamed_manifest_is_byte_for_byte_the_canonical_one(count):
    whole = manifest(count)
    stream = ManifestStream(io.BytesIO())
    for entry in whole.entries:
        stream.add(entry.path, entry.size, entry.sha256)
    assert b"".join(stream.chunks(whole, chunk_size=97)) == whole.to_bytes()


@pytest.mark.parametrize("count", [0, 1, 1000])
def test_indexing_reads_back_what_was_written(count):
    whole = manifest(count)
    added: list[ManifestEntry] = []
    summary = index_manifest(whole.to_bytes(), lambda entry: added.append(entry) or True)
    assert tuple(added) == whole.entries
    assert (summary.record_count, summary.document_count, summary.total_bytes) == (
        whole.record_count,
        whole.document_count,
        whole.total_bytes,
    )
    assert summary.customer == whole.customer and summary.source_generation == whole.source_generation


def edited(change) -> bytes:
    document = json.loads(manifest(5).to_bytes())
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[1, 2]",
        b"{" * 5000,
        b"[" * 100_000 + b"]" * 100_000,
        edited(lambda d: d.update(format="other")),
        edited(lambda d: d.update(entries={"not": "a list"})),
        edited(lambda d: d["entries"].append(d["entries"][0])),
        edited(lambda d: d["entries"][1].update(size=-1)),
        edited(lambda d: d["entries"][2].update(path="../../etc/passwd")),
        edited(lambda d: d.update(counts={"records": 0, "documents": 0})),
        edited(lambda d: d.update(totals={"bytes": 1})),
        edited(lambda d: d.update(include_documents=False)),
    ],
)
def test_indexing_refuses_what_kluis_did_not_write(data):
    with pytest.raises(ManifestInvalid):
        index_manifest(data, lambda entry: True)
