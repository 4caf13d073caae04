"""Reading archives in tests the way production reads them.

A ZIP: the checked central directory
(`read_central_directory`), then the walk in archive order that checks each local header and data
descriptor and proves the entries tile the file (`Layout`), each entry's content streamed between
its `open` and `close` (as `kluis.archive.validation.BackupArchive.members` does). Production has no
other reading path, so neither do the tests. A manifest: `index_manifest`, as a restore reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

from kluis.archive.manifest import Manifest, ManifestEntry, ManifestHeader, index_manifest
from kluis.archive.zipreader import (
    DEFAULT_LIMITS,
    Entry,
    Layout,
    Limits,
    RandomAccess,
    iter_content,
    read_central_directory,
)


def walk(
    src: RandomAccess, limits: Limits = DEFAULT_LIMITS, chunk_size: int = 1024 * 1024
) -> Iterator[tuple[Entry, bytes]]:
    """Each entry, in archive order, with its content (checked against its CRC and sizes)."""
    directory = read_central_directory(src, limits)
    try:
        layout = Layout(src, directory)
        for position in range(len(directory)):
            entry = layout.open(position)
            content = b"".join(iter_content(src, entry, limits, chunk_size=chunk_size))
            layout.close(position)
            yield entry, content
        layout.finish()
    finally:
        directory.close()


def entries(src: RandomAccess, limits: Limits = DEFAULT_LIMITS) -> list[Entry]:
    """Every entry with its data offset, in archive order, after the whole structure is checked
    (no content is read)."""
    directory = read_central_directory(src, limits)
    try:
        layout = Layout(src, directory)
        found = [layout.open(position) for position in range(len(directory))]  # each closes the last
        layout.finish()
        return found
    finally:
        directory.close()


def read_manifest(data: bytes) -> Manifest:
    """manifest.json checked and read as a restore reads it (`index_manifest`), its entries kept."""
    entries: dict[str, ManifestEntry] = {}

    def add(entry: ManifestEntry) -> bool:
        if entry.path in entries:
            return False  # a duplicate: index_manifest refuses the manifest
        entries[entry.path] = entry
        return True

    summary = index_manifest(data, add)
    header = {field.name: getattr(summary, field.name) for field in fields(ManifestHeader)}
    return Manifest(**header, entries=tuple(entries.values()))
