"""The backup archive (format version 1, docs/archive-format.md): opening one and proving it ours.

Writing happens in `kluis.backup` with `kluis.zipwriter`; this module reads. An archive is accepted
only if, on top of `kluis.zipreader`'s ZIP safety checks:

- its entry names are exactly the manifest's entries plus manifest.json and manifest.sig;
- manifest.sig is our KMS key's MAC of manifest.json's exact bytes;
- every entry's size equals the manifest's, and its SHA-256 too (checked as it streams).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kluis.archive.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    SIGNATURE_NAME,
    Manifest,
    ManifestEntry,
)
from kluis.archive.names import is_generation_member
from kluis.archive.signature import MAX_SIGNATURE_BYTES, ManifestSigner
from kluis.archive.zipreader import (
    DEFAULT_LIMITS,
    ArchiveRejected,
    CentralDirectory,
    Entry,
    Layout,
    Limits,
    RandomAccess,
    iter_content,
    locate,
    read_central_directory,
)
from kluis.reasons import shown

CONTROL_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})


@dataclass
class BackupArchive:
    """An archive whose directory, signature and manifest have been checked; content streams on demand.

    The entries' local headers and the tiling of the file are checked as the members stream
    (`kluis.archive.zipreader.Layout`), so the archive is read once, in order.
    """

    src: RandomAccess
    manifest: Manifest
    entries: dict[str, Entry]
    directory: CentralDirectory
    limits: Limits = DEFAULT_LIMITS
    manifest_bytes: bytes = b""  # exactly as signed: a provenance record anyone can verify again

    def members(self, start: int = 0) -> Iterator[tuple[ManifestEntry, Iterator[bytes]]]:
        """Each manifest entry with its content, in archive order, from the `start`-th member on.

        A member's content raises ArchiveRejected at its end if its SHA-256 is not the manifest's,
        and the walk raises it for a local header, a gap, an overlap or a descriptor that is wrong:
        consume each content fully before trusting anything written from it. The walk ends by
        proving that the entries tile the file up to the central directory.
        """
        by_path = self.manifest.entry_map()
        ordered = self.directory.ordered
        first = self._archive_index(start)
        walk = Layout(self.src, self.directory, first)
        for index in range(first, len(ordered)):
            entry = walk.open(index)
            if entry.name in CONTROL_NAMES:
                walk.close(index)
                continue
            expected = by_path[entry.name]
            content = _checked(iter_content(self.src, entry, self.limits), expected)
            yield expected, _then(content, walk.close, index)
        walk.finish()

    def _archive_index(self, member: int) -> int:
        """Archive index of the `member`-th entry that is not manifest.json or manifest.sig."""
        if member == 0:
            return 0
        seen = 0
        for index, central in enumerate(self.directory.ordered):
            if central.entry.name not in CONTROL_NAMES:
                if seen == member:
                    return index
                seen += 1
        return len(self.directory.ordered)

    def verify(self) -> None:
        """Stream every member once and check its checksum; raises ArchiveRejected on the first fault."""
        for _, content in self.members():
            for _ in content:
                pass


def _then(chunks: Iterator[bytes], after: Callable[[int], None], index: int) -> Iterator[bytes]:
    yield from chunks
    after(index)


def open_archive(src: RandomAccess, signer: ManifestSigner, limits: Limits = DEFAULT_LIMITS) -> BackupArchive:
    """Check an archive's directory, names, signature and manifest, without reading the members."""
    directory = read_central_directory(src, limits)
    entries = {entry.name: entry for entry in directory.entries}
    for name in entries:
        if name not in CONTROL_NAMES and not is_generation_member(name):
            raise ArchiveRejected("archive.unexpected_entry", name=shown(name))
    manifest_bytes = _small_member(src, directory, MANIFEST_NAME, MAX_MANIFEST_BYTES, limits)
    signature = _small_member(src, directory, SIGNATURE_NAME, MAX_SIGNATURE_BYTES, limits)
    signer.verify(manifest_bytes, signature)
    manifest = Manifest.from_bytes(manifest_bytes)
    _check_against_manifest(entries, manifest)
    return BackupArchive(
        src=src,
        manifest=manifest,
        entries=entries,
        directory=directory,
        limits=limits,
        manifest_bytes=manifest_bytes,
    )


def _small_member(
    src: RandomAccess, directory: CentralDirectory, name: str, cap: int, limits: Limits
) -> bytes:
    index = next((i for i, c in enumerate(directory.ordered) if c.entry.name == name), None)
    if index is None:
        raise ArchiveRejected("archive.not_a_backup", name=name)
    if directory.ordered[index].entry.size > cap:
        raise ArchiveRejected("archive.too_large.control", name=name)
    return b"".join(iter_content(src, locate(src, directory, index), limits))


def _check_against_manifest(entries: dict[str, Entry], manifest: Manifest) -> None:
    listed = manifest.entry_map()
    present = set(entries) - CONTROL_NAMES
    missing = sorted(set(listed) - present)
    if missing:
        raise ArchiveRejected("archive.manifest_mismatch.missing", name=shown(missing[0]))
    extra = sorted(present - set(listed))
    if extra:
        raise ArchiveRejected("archive.manifest_mismatch.extra", name=shown(extra[0]))
    for path, expected in listed.items():
        if entries[path].size != expected.size:
            raise ArchiveRejected("archive.manifest_mismatch.size", name=shown(path))


def _checked(chunks: Iterator[bytes], expected: ManifestEntry) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != expected.sha256:
        raise ArchiveRejected("archive.checksum_mismatch", name=shown(expected.path))
