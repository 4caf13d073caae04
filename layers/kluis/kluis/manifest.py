"""manifest.json: the archive's identity and the size and SHA-256 of every entry (format version 1).

The manifest is the part of a backup that counts: a renamed file still restores to the
administration and fiscal year named here. It is parsed strictly, since on restore it comes from a
file off the internet: unknown formats, missing fields or odd values are refused with a reason.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from kluis.scope import InvalidScope, check_administration, check_customer, check_year
from kluis.store import GENERATION_PATTERN, is_generation_member

FORMAT = "kluis-backup"
VERSION = 1
MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
TIMESTAMP_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})$")


class ManifestInvalid(ValueError):
    """The manifest is not one this version of Kluis wrote: the reason says what is wrong."""


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
            raise ManifestInvalid("The manifest is larger than any backup of Kluis can have.")
        try:
            raw = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:  # bad UTF-8 or JSON, too long integers, deep nesting
            raise ManifestInvalid("The manifest is not valid JSON.") from error
        if not isinstance(raw, dict):
            raise ManifestInvalid("The manifest is not a JSON object.")
        return _parse(raw)


def _require(raw: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = raw.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestInvalid(f"The manifest field {name!r} is missing or has the wrong type.")
    return value


def _parse_entry(raw: Any, seen: set[str]) -> ManifestEntry:
    if not isinstance(raw, dict):
        raise ManifestInvalid("A manifest entry is not a JSON object.")
    path = _require(raw, "path", str)
    size = _require(raw, "size", int)
    sha256 = _require(raw, "sha256", str)
    if not is_generation_member(path):
        raise ManifestInvalid(f"The manifest names an entry Kluis does not write: {path!r}.")
    if path in seen:
        raise ManifestInvalid(f"The manifest names {path!r} twice.")
    if size < 0 or not SHA256_PATTERN.match(sha256):
        raise ManifestInvalid(f"The manifest entry {path!r} has an invalid size or checksum.")
    seen.add(path)
    return ManifestEntry(path=path, size=size, sha256=sha256)


def _parse(raw: dict[str, Any]) -> Manifest:
    if raw.get("format") != FORMAT:
        raise ManifestInvalid("The file is not a Kluis backup (its manifest has another format).")
    if raw.get("version") != VERSION:
        raise ManifestInvalid(
            f"The backup has format version {raw.get('version')!r}; this Kluis reads version {VERSION}."
        )
    try:
        customer = check_customer(raw.get("customer"))
        administration = check_administration(raw.get("administration"))
        fiscal_year = check_year(raw.get("fiscal_year"))
    except InvalidScope as error:
        raise ManifestInvalid(f"The manifest's identity is invalid: {error}.") from error
    created_at = _require(raw, "created_at", str)
    if not TIMESTAMP_PATTERN.match(created_at):
        raise ManifestInvalid("The manifest's creation time is not an ISO 8601 timestamp.")
    source_generation = _require(raw, "source_generation", str)
    if not GENERATION_PATTERN.match(source_generation):
        raise ManifestInvalid("The manifest's source generation is invalid.")
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
        raise ManifestInvalid("The manifest says it holds no documents, yet lists some.")
    if raw.get("counts") != {"records": manifest.record_count, "documents": manifest.document_count}:
        raise ManifestInvalid("The manifest's counts do not match its entries.")
    if raw.get("totals") != {"bytes": manifest.total_bytes}:
        raise ManifestInvalid("The manifest's totals do not match its entries.")
    return manifest
