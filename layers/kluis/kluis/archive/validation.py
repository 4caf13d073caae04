"""The backup archive (format version 1, docs/archive-format.md): opening one and proving it ours.

Writing happens in `kluis.flows.backup.build` with `kluis.archive.zipwriter`; this module reads. An
archive is accepted only if, on top of `kluis.archive.zipreader`'s ZIP safety checks:

- its entry names are exactly the manifest's entries plus manifest.json and manifest.sig (the
  entries: records, documents and, in backups since the XAF, auditfile.xaf);
- manifest.sig is our KMS key's MAC of manifest.json's exact bytes;
- every entry's size equals the manifest's, and its SHA-256 too (checked as it streams).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kluis.archive.entry_index import EntryIndex
from kluis.archive.manifest import (
    MANIFEST_NAME,
    MAX_MANIFEST_BYTES,
    SIGNATURE_NAME,
    ManifestEntry,
    ManifestSummary,
    index_manifest,
)
from kluis.archive.names import is_archive_member
from kluis.archive.signature import MAX_SIGNATURE_BYTES, ManifestSigner
from kluis.archive.zipreader import (
    DEFAULT_LIMITS,
    ArchiveRejected,
    CentralDirectory,
    Layout,
    Limits,
    RandomAccess,
    iter_content,
    locate,
    read_central_directory,
)
from kluis.reasons import shown

RECORDS_PREFIX = "records/"
CONTROL_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})
CONTROLS = (MANIFEST_NAME, SIGNATURE_NAME)


@dataclass
class BackupArchive:
    """An archive whose directory, signature and manifest have been checked; content streams on demand.

    The entries' local headers and the tiling of the file are checked as the members stream
    (`kluis.archive.zipreader.Layout`), so the archive is read once, in order. The directory and
    the manifest's entries are indexed on disk (`kluis.archive.entry_index`): `close` removes it.
    """

    src: RandomAccess
    manifest: ManifestSummary
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
        index = self.directory.index
        first = 0 if start == 0 else index.position_of_member(start, CONTROLS)
        walk = Layout(self.src, self.directory, first)
        for position in range(first, len(self.directory)):
            entry = walk.open(position)
            if entry.name in CONTROL_NAMES:
                walk.close(position)
                continue
            listed = index.manifest_entry(entry.name)
            assert listed is not None  # every name was matched with the manifest on opening
            expected = ManifestEntry(entry.name, listed[0], listed[1])
            content = _checked(iter_content(self.src, entry, self.limits), expected)
            yield expected, _then(content, walk.close, position)
        walk.finish()

    def member(self, name: str) -> Iterator[bytes] | None:
        """One member's content by name, out of archive order (None: the manifest does not list it).

        Checked as `members` checks each: its local header against the central directory, its size
        and CRC-32, and at its end its SHA-256 against the signed manifest (ArchiveRejected naming
        it). Consume it fully before trusting anything made from it. It does not prove that the
        whole file tiles: for reading a few members (an auditfile made from the records), not for
        accepting an archive.
        """
        index = self.directory.index
        listed = index.manifest_entry(name)
        position = index.position_of(name)
        if listed is None or position is None or name in CONTROL_NAMES:
            return None
        entry = locate(self.src, self.directory, position)
        return _checked(iter_content(self.src, entry, self.limits), ManifestEntry(name, *listed))

    def datasets(self) -> tuple[str, ...]:
        """Which record datasets the archive holds (journal_entries, relations, ...)."""
        paths = self.directory.index.manifest_paths_under(RECORDS_PREFIX)
        return tuple(path.removeprefix(RECORDS_PREFIX).removesuffix(".jsonl") for path in paths)

    def bytes_before(self, member: int) -> int:
        """Bytes of the first `member` members (archive order): progress of a resumed staging."""
        return self.directory.index.manifest_bytes_before(member, CONTROLS)

    def verify(self) -> None:
        """Stream every member once and check its checksum; raises ArchiveRejected on the first fault."""
        for _, content in self.members():
            for _ in content:
                pass

    def close(self) -> None:
        self.directory.close()


def _then(chunks: Iterator[bytes], after: Callable[[int], None], index: int) -> Iterator[bytes]:
    yield from chunks
    after(index)


def open_archive(src: RandomAccess, signer: ManifestSigner, limits: Limits = DEFAULT_LIMITS) -> BackupArchive:
    """Check an archive's directory, names, signature and manifest, without reading the members."""
    directory = read_central_directory(src, limits)
    try:
        return _open(src, signer, limits, directory)
    except BaseException:
        directory.close()
        raise


def _open(
    src: RandomAccess, signer: ManifestSigner, limits: Limits, directory: CentralDirectory
) -> BackupArchive:
    index = directory.index
    for name in index.names():
        if name not in CONTROL_NAMES and not is_archive_member(name):
            raise ArchiveRejected("archive.unexpected_entry", name=shown(name))
    manifest_bytes = _small_member(src, directory, MANIFEST_NAME, MAX_MANIFEST_BYTES, limits)
    signature = _small_member(src, directory, SIGNATURE_NAME, MAX_SIGNATURE_BYTES, limits)
    signer.verify(manifest_bytes, signature)
    manifest = index_manifest(manifest_bytes, lambda e: index.add_manifest(e.path, e.size, e.sha256))
    _check_against_manifest(index)
    return BackupArchive(
        src=src, manifest=manifest, directory=directory, limits=limits, manifest_bytes=manifest_bytes
    )


def _small_member(
    src: RandomAccess, directory: CentralDirectory, name: str, cap: int, limits: Limits
) -> bytes:
    position = directory.index.position_of(name)
    if position is None:
        raise ArchiveRejected("archive.not_a_backup", name=name)
    if directory.central(position).entry.size > cap:
        raise ArchiveRejected("archive.too_large.control", name=name)
    return b"".join(iter_content(src, locate(src, directory, position), limits))


def _check_against_manifest(index: EntryIndex) -> None:
    missing = index.first_missing(CONTROLS)
    if missing is not None:
        raise ArchiveRejected("archive.manifest_mismatch.missing", name=shown(missing))
    extra = index.first_extra(CONTROLS)
    if extra is not None:
        raise ArchiveRejected("archive.manifest_mismatch.extra", name=shown(extra))
    mismatch = index.first_size_mismatch()
    if mismatch is not None:
        raise ArchiveRejected("archive.manifest_mismatch.size", name=shown(mismatch))


def _checked(chunks: Iterator[bytes], expected: ManifestEntry) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != expected.sha256:
        raise ArchiveRejected("archive.checksum_mismatch", name=shown(expected.path))
