"""manifest.json: the archive's identity and the size and SHA-256 of every entry (format version 1).

The manifest is the part of a backup that counts: a renamed file still restores to the
administration and fiscal year named here. It is parsed strictly, since on restore it comes from a
file off the internet: unknown formats, missing fields or odd values are refused with a reason.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any, BinaryIO

import ijson

from kluis.archive.names import is_archive_member, is_auditfile, is_generation_id
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
class ManifestHeader:
    """The manifest's own fields: the archive's identity, whatever its entries."""

    customer: str
    administration: str
    fiscal_year: str
    created_at: str
    source_generation: str
    include_documents: bool


@dataclass(frozen=True)
class Manifest(ManifestHeader):
    """A manifest with its entries, as the build writes it (restores read it with `index_manifest`)."""

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

    def chunks(self, identity: ManifestHeader, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """The manifest's bytes: `identity`'s fields and the entries added here."""
        header = {field.name: getattr(identity, field.name) for field in fields(ManifestHeader)}
        head = {
            **Manifest(**header).to_dict(),
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


@dataclass(frozen=True)
class ManifestSummary(ManifestHeader):
    """A checked manifest without its entries, which went into an index (`index_manifest`)."""

    record_count: int  # the entries that are not documents: the records, and the auditfiles if any
    document_count: int
    total_bytes: int
    auditfile_bytes: int | None = None  # the size of the auditfiles; None: the archive has none
    auditfile_count: int = 0  # auditfile.xaf (XAF 4.0) and auditfile-3.2.xaf, in backups since 2026-12

    @property
    def entry_count(self) -> int:
        return self.record_count + self.document_count

    @property
    def dataset_count(self) -> int:
        """The `records/` entries: what a restore stages besides the documents."""
        return self.record_count - self.auditfile_count

    @property
    def staged_count(self) -> int:
        """The entries a restore writes into the staged generation (all but the auditfiles)."""
        return self.dataset_count + self.document_count

    @property
    def staged_bytes(self) -> int:
        return self.total_bytes - (self.auditfile_bytes or 0)


class _EntriesNotAList:
    """What `entries` was when it was not an array (checked after the manifest's own fields)."""


def index_manifest(data: bytes, add: Callable[[ManifestEntry], bool]) -> ManifestSummary:
    """Check manifest.json strictly, without holding its entries: each goes to `add`.

    An incremental parser (ijson) reads the entries one by one; `add` returns False for a path
    it has already (a duplicate). The first faulty entry is reported only after the manifest's own
    fields are found right, so the reason names the most basic fault.
    """
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestInvalid("too_large")
    events = _json_events(data)
    first = next(events, None)
    if first is None:
        raise ManifestInvalid("not_json")
    if first[0] != "start_map":
        _rest_of_value(events, first)
        for _ in events:  # anything after the value is not JSON either
            pass
        raise ManifestInvalid("not_object")
    raw: dict[str, Any] = {}
    counts = {"records": 0, "documents": 0, "bytes": 0, "auditfiles": 0, "auditfile_bytes": 0}
    entry_error: ManifestInvalid | None = None
    for event, key in events:  # at the top level: a key, or the end of the object
        if event == "end_map":
            break
        if key == "entries":
            entry_error = _index_entries(events, add, counts, raw)
        else:
            raw[key] = _rest_of_value(events, next(events))
    for _ in events:
        pass
    header = _header(raw)  # the manifest's own fields first
    if isinstance(raw.get("entries"), _EntriesNotAList) or "entries" not in raw:
        raise ManifestInvalid("field", field="entries")
    if entry_error is not None:
        raise entry_error
    summary = ManifestSummary(
        **header,
        record_count=counts["records"],
        document_count=counts["documents"],
        total_bytes=counts["bytes"],
        auditfile_bytes=counts["auditfile_bytes"] if counts["auditfiles"] else None,
        auditfile_count=counts["auditfiles"],
    )
    _check_counts(raw, summary)
    return summary


MAX_DEPTH = 512  # deeper nesting is no manifest; json.loads would give up at ~1,000 too


def _json_events(data: bytes) -> Iterator[tuple[str, Any]]:
    """ijson's basic parse events of `data` (no prefixes: those grow with the depth); any JSON or
    UTF-8 fault, or nesting deeper than MAX_DEPTH, is the manifest's `not_json`."""
    depth = 0
    try:
        for event, value in ijson.basic_parse(io.BytesIO(data), use_float=True):
            depth += event in ("start_map", "start_array")
            depth -= event in ("end_map", "end_array")
            if depth > MAX_DEPTH:
                raise ManifestInvalid("not_json")
            yield event, value
    except (ijson.JSONError, ValueError, UnicodeDecodeError) as error:
        raise ManifestInvalid("not_json") from error


def _rest_of_value(events: Iterator[tuple[str, Any]], first: tuple[str, Any]) -> Any:
    """The value whose first event is `first`, built from the events (no recursion)."""
    builder = ijson.ObjectBuilder()
    depth = 0
    event: tuple[str, Any] | None = first
    while event is not None:
        kind, value = event
        builder.event(kind, value)
        depth += kind in ("start_map", "start_array")
        depth -= kind in ("end_map", "end_array")
        if depth == 0:
            return builder.value
        event = next(events, None)
    raise ManifestInvalid("not_json")


def _index_entries(
    events: Iterator[tuple[str, Any]],
    add: Callable[[ManifestEntry], bool],
    counts: dict[str, int],
    raw: dict[str, Any],
) -> ManifestInvalid | None:
    """Read the `entries` array entry by entry into `add`; returns the first entry's fault, if any."""
    first = next(events)
    if first[0] != "start_array":
        _rest_of_value(events, first)
        raw["entries"] = _EntriesNotAList()
        return None
    raw["entries"] = True
    fault: ManifestInvalid | None = None
    for event in events:
        if event[0] == "end_array":
            break
        item = _rest_of_value(events, event)
        if fault is not None:
            continue
        try:
            entry = _parse_entry(item)
        except ManifestInvalid as invalid:
            fault = invalid
            continue
        if not add(entry):
            fault = ManifestInvalid("entry_twice", name=shown(entry.path))
            continue
        counts["documents" if entry.is_document else "records"] += 1
        counts["bytes"] += entry.size
        if is_auditfile(entry.path):
            counts["auditfiles"] += 1
            counts["auditfile_bytes"] += entry.size
    return fault


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


def _parse_entry(raw: Any) -> ManifestEntry:
    if not isinstance(raw, dict):
        raise ManifestInvalid("entry_not_object")
    path = _require(raw, "path", str)
    size = _require(raw, "size", int)
    sha256 = _require(raw, "sha256", str)
    if not is_archive_member(path):
        raise ManifestInvalid("entry_name", name=shown(path))
    if size < 0 or not SHA256_PATTERN.fullmatch(sha256):
        raise ManifestInvalid("entry_values", name=shown(path))
    return ManifestEntry(path=path, size=size, sha256=sha256)


def _header(raw: dict[str, Any]) -> dict[str, Any]:
    """The manifest's own fields, checked; everything of it but the entries."""
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
    return {
        "customer": customer,
        "administration": administration,
        "fiscal_year": fiscal_year,
        "created_at": created_at,
        "source_generation": source_generation,
        "include_documents": include_documents,
    }


def _check_counts(raw: dict[str, Any], manifest: ManifestSummary) -> None:
    """The manifest's own counts and totals agree with its entries."""
    if not manifest.include_documents and manifest.document_count:
        raise ManifestInvalid("documents")
    if raw.get("counts") != {"records": manifest.record_count, "documents": manifest.document_count}:
        raise ManifestInvalid("counts")
    if raw.get("totals") != {"bytes": manifest.total_bytes}:
        raise ManifestInvalid("totals")
