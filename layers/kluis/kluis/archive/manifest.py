"""manifest.json: the archive's identity and the size and SHA-256 of every entry (format version 1).

The manifest is the part of a backup that counts: a renamed file still restores to the
administration and fiscal year named here. It is parsed strictly, since on restore it comes from a
file off the internet: unknown formats, missing fields or odd values are refused with a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from kluis.archive.names import is_generation_id, is_generation_member
from kluis.archive.zipreader import ArchiveRejected
from kluis.reasons import shown
from kluis.scope import InvalidScope, check_administration, check_customer, check_year

FORMAT = "kluis-backup"
VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
TIMESTAMP_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})")


class ManifestInvalid(ArchiveRejected):
    """The manifest is not one this version of Kluis wrote: the reason (`archive.bad_manifest.*`) says why."""

    def __init__(self, variant: str, /, **params: str | int) -> None:
        super().__init__(f"archive.bad_manifest.{variant}", **params)


@dataclass(frozen=True, slots=True)  # one per entry of the manifest
class ManifestEntry:
    path: str
    size: int
    sha256: str

    @property
    def is_document(self) -> bool:
        return self.path.startswith("documents/")


@dataclass(frozen=True)
class Manifest:
    customer: str
    administration: str
    fiscal_year: str
    created_at: str
    source_generation: str
    include_documents: bool
    entries: tuple[ManifestEntry, ...] = field(default_factory=tuple)

    @property
    def record_count(self) -> int:
        return sum(1 for entry in self.entries if not entry.is_document)

    @property
    def document_count(self) -> int:
        return sum(1 for entry in self.entries if entry.is_document)

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.entries)

    def entry_map(self) -> dict[str, ManifestEntry]:
        return {entry.path: entry for entry in self.entries}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "customer": self.customer,
            "administration": self.administration,
            "fiscal_year": self.fiscal_year,
            "created_at": self.created_at,
            "source_generation": self.source_generation,
            "include_documents": self.include_documents,
            "counts": {"records": self.record_count, "documents": self.document_count},
            "totals": {"bytes": self.total_bytes},
            "entries": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.entries],
        }

    def to_bytes(self) -> bytes:
        """Canonical bytes (sorted keys, fixed separators): what the MAC covers."""
        return (json.dumps(self.to_dict(), sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        if len(data) > MAX_MANIFEST_BYTES:
            raise ManifestInvalid("too_large")
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too long integers, deep nesting
            raise ManifestInvalid("not_json") from error
        if not isinstance(raw, dict):
            raise ManifestInvalid("not_object")
        return _parse(raw)


class ManifestStream:
    """manifest.json built entry by entry in a file, read back as exactly `Manifest.to_bytes()`.

    A backup's manifest lists every entry; kept as objects and serialised at the end it cost ~1 KiB per
    entry (250 MB at 250,000 entries). Here each entry is appended to `lines` (the function's
    ephemeral storage) in its final form as it is written, the counts are kept as numbers, and
    `chunks` streams the canonical bytes (sorted keys, indent 1, as the MAC covers them).
    """

    def __init__(
        self, lines: BinaryIO, *, records: int = 0, documents: int = 0, total_bytes: int = 0
    ) -> None:
        self.lines = lines
        self.records, self.documents, self.total_bytes = records, documents, total_bytes

    @property
    def count(self) -> int:
        return self.records + self.documents

    def add(self, path: str, size: int, sha256: str) -> None:
        fragment = (
            f'{"," if self.count else ""}\n  {{\n   "path": {json.dumps(path, ensure_ascii=False)},'
            f'\n   "sha256": "{sha256}",\n   "size": {size}\n  }}'
        )
        self.lines.write(fragment.encode())
        if path.startswith("documents/"):
            self.documents += 1
        else:
            self.records += 1
        self.total_bytes += size

    def state(self) -> dict[str, int]:
        """The counts, for a checkpoint (the lines file goes with it)."""
        return {"records": self.records, "documents": self.documents, "total_bytes": self.total_bytes}

    def chunks(self, identity: Manifest, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """The manifest's bytes: `identity`'s fields (its entries ignored) and the entries added here."""
        head = {
            **Manifest(
                customer=identity.customer,
                administration=identity.administration,
                fiscal_year=identity.fiscal_year,
                created_at=identity.created_at,
                source_generation=identity.source_generation,
                include_documents=identity.include_documents,
            ).to_dict(),
            "counts": {"records": self.records, "documents": self.documents},
            "totals": {"bytes": self.total_bytes},
        }
        text = json.dumps(head, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
        before, after = text.split('"entries": []', 1)
        if not self.count:
            yield text.encode()
            return
        yield (before + '"entries": [').encode()
        self.lines.flush()
        self.lines.seek(0)
        while chunk := self.lines.read(chunk_size):
            yield chunk
        self.lines.seek(0, 2)
        yield ("\n ]" + after).encode()


def _require(raw: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestInvalid("field", field=name)
    return value


def _identity(raw: dict[str, Any], name: str, check: Callable[[object], str]) -> str:
    try:
        return check(raw.get(name))
    except InvalidScope as error:
        raise ManifestInvalid("identity", field=name, value=shown(str(raw.get(name)))) from error


def _parse_entry(raw: Any, seen: set[str]) -> ManifestEntry:
    if not isinstance(raw, dict):
        raise ManifestInvalid("entry_not_object")
    path = _require(raw, "path", str)
    size = _require(raw, "size", int)
    sha256 = _require(raw, "sha256", str)
    if not is_generation_member(path):
        raise ManifestInvalid("entry_name", name=shown(path))
    if path in seen:
        raise ManifestInvalid("entry_twice", name=shown(path))
    if size < 0 or not SHA256_PATTERN.fullmatch(sha256):
        raise ManifestInvalid("entry_values", name=shown(path))
    seen.add(path)
    return ManifestEntry(path=path, size=size, sha256=sha256)


def _parse(raw: dict[str, Any]) -> Manifest:
    if raw.get("format") != FORMAT:
        raise ManifestInvalid("format")
    if raw.get("version") != VERSION:
        raise ManifestInvalid("version", version=shown(repr(raw.get("version"))), supported=VERSION)
    customer = _identity(raw, "customer", check_customer)
    administration = _identity(raw, "administration", check_administration)
    fiscal_year = _identity(raw, "fiscal_year", check_year)
    created_at = _require(raw, "created_at", str)
    if not TIMESTAMP_PATTERN.fullmatch(created_at):
        raise ManifestInvalid("created_at")
    source_generation = _require(raw, "source_generation", str)
    if not is_generation_id(source_generation):
        raise ManifestInvalid("source_generation")
    include_documents = _require(raw, "include_documents", bool)
    seen: set[str] = set()
    entries = tuple(_parse_entry(item, seen) for item in _require(raw, "entries", list))
    manifest = Manifest(
        customer=customer,
        administration=administration,
        fiscal_year=fiscal_year,
        created_at=created_at,
        source_generation=source_generation,
        include_documents=include_documents,
        entries=entries,
    )
    if not include_documents and manifest.document_count:
        raise ManifestInvalid("documents")
    if raw.get("counts") != {"records": manifest.record_count, "documents": manifest.document_count}:
        raise ManifestInvalid("counts")
    if raw.get("totals") != {"bytes": manifest.total_bytes}:
        raise ManifestInvalid("totals")
    return manifest
