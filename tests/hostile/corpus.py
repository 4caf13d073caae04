"""A corpus of malformed and malicious backup archives, built by code from one valid signed backup.

`build_valid_archive(signer)` writes a small generation the way `kluis.flows.backup.build` does (ZipWriter,
manifest.json deflated, manifest.sig stored, both last). `build_corpus(signer, valid)` derives from it
well over 200 hostile variants: zip bombs (David Fifield's overlapping and quoted-overlap constructions,
deflate bombs), unsafe and duplicate names, links, header disagreements, false sizes and checksums, ZIP64
inconsistencies, added or missing data, encryption, unknown methods, and manifests and signatures that
are missing, altered, signed by another key or of another format version.

Every case names the rejection codes it may end in (`None`: any ArchiveRejected will do). The bytes are
all made here; no binary test files are stored.
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import hmac
import io
import json
import random
import secrets
import stat
import struct
import tarfile
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kluis.archive.manifest import MANIFEST_NAME, SIGNATURE_NAME, Manifest, ManifestEntry
from kluis.archive.signature import ALGORITHM, ManifestSigner
from kluis.archive.zipreader import BytesSource
from kluis.archive.zipwriter import ZipWriter
from tests.archive_reading import entries

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
MAX_32 = 0xFFFFFFFF
UTF8 = 0x0800
UNIX_MADE_BY = (3 << 8) | 20
REGULAR = (stat.S_IFREG | 0o644) << 16
CREATED = datetime(2025, 1, 31, 12, 0, 0, tzinfo=UTC)
GENERATION = "20250131T120000Z-0a1b2c3d"
SCOPE = ("10234", "00017", "2025")


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expected_codes: set[str] | None
    description: str


# --- the valid archive ------------------------------------------------------------------------------


def generation_files() -> dict[str, bytes]:
    """A small generation: three record datasets and two documents, deterministic."""
    rng = random.Random(2025)
    journal = b"".join(
        json.dumps({"id": i, "date": f"2025-01-{i % 28 + 1:02d}", "amount": f"{rng.randint(1, 99999) / 100}"})
        .encode()
        .__add__(b"\n")
        for i in range(400)
    )
    accounts = b"".join(b'{"number": "%d", "name": "account %d"}\n' % (n, n) for n in range(1000, 1150))
    relations = b'{"id": "R1", "name": "De Vries B.V.", "city": "Utrecht"}\n' * 40
    pdf = b"%PDF-1.4\n" + rng.randbytes(3000) + b"\n%%EOF\n"
    return {
        "records/journal_entries.jsonl": journal,
        "records/ledger_accounts.jsonl": accounts,
        "records/relations.jsonl": relations,
        "documents/inv-0001.pdf": pdf,
        "documents/inv-0002.pdf": pdf[::-1],
    }


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes `Manifest.to_bytes` makes, for a manifest dict that may have been tampered with."""
    return (json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


def build_signed_archive(
    signer: ManifestSigner,
    files: dict[str, bytes] | None = None,
    *,
    edit: Callable[[dict[str, Any]], Any] | None = None,
    manifest_bytes: bytes | None = None,
    signature: bytes | None = None,
    include_documents: bool = True,
) -> bytes:
    """A backup as `BackupBuilder._finish` writes it; `edit`/`manifest_bytes`/`signature` tamper with it.

    `edit` changes the manifest dict before it is serialised and signed (so the result is *validly
    signed* by `signer`); `manifest_bytes` replaces the manifest outright (also signed); `signature`
    replaces manifest.sig (the manifest is then not signed at all).
    """
    files = generation_files() if files is None else files
    out = io.BytesIO()
    writer = ZipWriter(out)
    for name, content in files.items():
        writer.write_entry(name, [content], compress=name.endswith(".jsonl"), modified=CREATED)
    manifest = Manifest(
        customer=SCOPE[0],
        administration=SCOPE[1],
        fiscal_year=SCOPE[2],
        created_at=CREATED.isoformat(timespec="seconds"),
        source_generation=GENERATION,
        include_documents=include_documents,
        entries=tuple(ManifestEntry(e.name, e.size, e.sha256) for e in writer.entries),
    )
    if manifest_bytes is None:
        manifest_bytes = manifest.to_bytes()
        if edit is not None:
            document = json.loads(manifest_bytes)
            edit(document)  # changes the dict in place
            manifest_bytes = canonical(document)
    writer.write_entry(MANIFEST_NAME, [manifest_bytes], compress=True, modified=CREATED)
    if signature is None:
        signature = signer.sign(manifest_bytes)
    writer.write_entry(SIGNATURE_NAME, [signature], compress=False, modified=CREATED)
    writer.finish()
    return out.getvalue()


def build_valid_archive(signer: ManifestSigner) -> bytes:
    return build_signed_archive(signer)


class LocalHmacKms:
    """A stand-in for KMS's GenerateMac/VerifyMac (for computing case names without AWS)."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key or secrets.token_bytes(32)

    def create_key(self, **_: Any) -> dict[str, Any]:
        return {"KeyMetadata": {"KeyId": "local-" + secrets.token_hex(4)}}

    def generate_mac(self, Message: bytes, KeyId: str, MacAlgorithm: str) -> dict[str, Any]:
        return {"Mac": hmac.new(self.key + KeyId.encode(), Message, hashlib.sha256).digest()}

    def verify_mac(self, Message: bytes, KeyId: str, MacAlgorithm: str, Mac: bytes) -> dict[str, Any]:
        expected = self.generate_mac(Message, KeyId, MacAlgorithm)["Mac"]
        return {"MacValid": hmac.compare_digest(expected, Mac)}


def other_signer(signer: ManifestSigner) -> ManifestSigner:
    """A signer with a second HMAC key of the same KMS: another deployment's key."""
    key = signer.kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    return ManifestSigner(signer.kms, key)


# --- hand-made ZIP structures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One entry as the raw assembler writes it; every local/central field can be set independently."""

    name: bytes
    data: bytes  # the bytes as stored: compressed for method 8
    method: int
    crc: int
    size: int
    flags: int = UTF8
    made_by: int = UNIX_MADE_BY
    external: int = REGULAR
    csize: int | None = None  # declared compressed size (both headers) when not len(data)
    local_name: bytes | None = None
    local_method: int | None = None
    local_flags: int | None = None
    local_crc: int | None = None
    local_csize: int | None = None
    local_size: int | None = None
    local_extra: bytes = b""
    central_extra: bytes = b""
    central_size: int | None = None  # stored in the central record's 32-bit field instead of size
    central_csize: int | None = None
    local_size32: int | None = None
    local_csize32: int | None = None
    offset: int | None = None  # the central record's local-header offset instead of the real one
    gap: bytes = b""  # written after this member's data


def stored(name: str | bytes, content: bytes, **kwargs: Any) -> Member:
    raw = name.encode() if isinstance(name, str) else name
    return Member(raw, content, 0, zlib.crc32(content), len(content), **kwargs)


def deflated(name: str | bytes, content: bytes, **kwargs: Any) -> Member:
    raw = name.encode() if isinstance(name, str) else name
    return Member(raw, deflate(content), 8, zlib.crc32(content), len(content), **kwargs)


def deflate(content: bytes, level: int = 6) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


def local_header(member: Member) -> bytes:
    m = member
    name = m.name if m.local_name is None else m.local_name
    csize = len(m.data) if m.csize is None else m.csize
    local_csize = csize if m.local_csize is None else m.local_csize
    local_size = m.size if m.local_size is None else m.local_size
    return (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            m.flags if m.local_flags is None else m.local_flags,
            m.method if m.local_method is None else m.local_method,
            0,
            0x5A3F,
            m.crc if m.local_crc is None else m.local_crc,
            local_csize if m.local_csize32 is None else m.local_csize32,
            local_size if m.local_size32 is None else m.local_size32,
            len(name),
            len(m.local_extra),
        )
        + name
        + m.local_extra
    )


def central_header(member: Member, offset: int) -> bytes:
    m = member
    csize = len(m.data) if m.csize is None else m.csize
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            m.made_by,
            20,
            m.flags,
            m.method,
            0,
            0x5A3F,
            m.crc,
            csize if m.central_csize is None else m.central_csize,
            m.size if m.central_size is None else m.central_size,
            len(m.name),
            len(m.central_extra),
            0,
            0,
            0,
            m.external,
            offset if m.offset is None else m.offset,
        )
        + m.name
        + m.central_extra
    )


@dataclass(frozen=True)
class End:
    """End-of-central-directory fields; None means the true value."""

    disk: int = 0
    directory_disk: int = 0
    disk_count: int | None = None
    count: int | None = None
    size: int | None = None
    offset: int | None = None
    comment: bytes = b""
    comment_length: int | None = None


@dataclass(frozen=True)
class Zip64End:
    """A ZIP64 end record + locator written before the end record; None means the true value."""

    signature: int = 0x06064B50
    record_size: int = 44
    disk: int = 0
    directory_disk: int = 0
    disk_count: int | None = None
    count: int | None = None
    size: int | None = None
    offset: int | None = None
    locator_disk: int = 0
    locator_offset: int | None = None
    locator_disks: int = 1


def assemble(
    members: list[Member],
    *,
    prefix: bytes = b"",
    offset_base: int = 0,
    between: bytes = b"",
    suffix: bytes = b"",
    end: End | None = None,
    zip64: Zip64End | None = None,
) -> bytes:
    """Local headers and data, the central directory, optional ZIP64 end records and the end record.

    `offset_base` is added to every recorded offset (a prefix that was accounted for, as `zip -A` does);
    `between` goes between the last entry and the central directory.
    """
    end = end or End()
    body = bytearray(prefix)
    central = bytearray()
    for member in members:
        offset = len(body) - len(prefix) + offset_base
        body += local_header(member) + member.data + member.gap
        central += central_header(member, offset)
    body += between
    directory_offset = len(body) - len(prefix) + offset_base
    count = len(members)
    tail = bytearray()
    if zip64 is not None:
        z = zip64
        zip64_offset = directory_offset + len(central)
        tail += struct.pack(
            "<IQHHIIQQQQ",
            z.signature,
            z.record_size,
            UNIX_MADE_BY,
            45,
            z.disk,
            z.directory_disk,
            count if z.disk_count is None else z.disk_count,
            count if z.count is None else z.count,
            len(central) if z.size is None else z.size,
            directory_offset if z.offset is None else z.offset,
        )
        tail += struct.pack(
            "<IIQI",
            0x07064B50,
            z.locator_disk,
            zip64_offset if z.locator_offset is None else z.locator_offset,
            z.locator_disks,
        )
    tail += struct.pack(
        "<IHHHHIIH",
        0x06054B50,
        end.disk,
        end.directory_disk,
        count if end.disk_count is None else end.disk_count,
        count if end.count is None else end.count,
        len(central) if end.size is None else end.size,
        directory_offset if end.offset is None else end.offset,
        len(end.comment) if end.comment_length is None else end.comment_length,
    )
    return bytes(body + central + tail + end.comment + suffix)


def members_of(archive: bytes) -> list[Member]:
    """The entries of a (trusted, valid) archive as raw members: sizes in the local headers."""
    source = BytesSource(archive)
    members = []
    for entry in entries(source):
        data = archive[entry.data_offset : entry.data_offset + entry.compressed_size]
        flags = entry.flags & ~0x0008
        members.append(Member(entry.name.encode(), data, entry.method, entry.crc32, entry.size, flags=flags))
    return members


def zip64_extra(*values: int) -> bytes:
    return struct.pack(f"<HH{len(values)}Q", 1, 8 * len(values), *values)


def stored_block(payload: bytes) -> bytes:
    """A non-final DEFLATE stored block: it "quotes" `payload` verbatim (Fifield's quoting)."""
    return b"\x00" + struct.pack("<HH", len(payload), len(payload) ^ 0xFFFF) + payload


@functools.cache
def zeros_kernel(size: int) -> tuple[bytes, int]:
    """A DEFLATE stream of `size` zero bytes (ratio about 1000:1) and its CRC-32."""
    content = bytes(size)
    return deflate(content, 9), zlib.crc32(content)


def quoted_overlap_bomb(count: int, kernel_size: int, *, zip64: bool = False) -> bytes:
    """Fifield's quoted-overlap bomb: file i's DEFLATE data quotes file i+1's local header, then shares
    its data, so every file inflates to the next files' headers plus the whole kernel."""
    kernel, kernel_crc = zeros_kernel(kernel_size)
    names = [f"records/bomb_{index:05d}.jsonl".encode() for index in range(count)]
    data, crc, size = kernel, kernel_crc, kernel_size
    quoted = b""  # the uncompressed headers that precede the kernel in the current file's content
    headers: list[bytes] = [b""] * count
    layout: list[tuple[bytes, int, int]] = [(b"", 0, 0)] * count
    for index in reversed(range(count)):
        layout[index] = (data, crc, size)
        extra = zip64_extra(size, len(data)) if zip64 else b""
        member = Member(
            names[index],
            b"",
            8,
            crc,
            size,
            csize=len(data),
            local_extra=extra,
            local_size32=MAX_32 if zip64 else None,
            local_csize32=MAX_32 if zip64 else None,
        )
        headers[index] = local_header(member)
        if index:
            quoted = headers[index] + quoted
            data = stored_block(headers[index]) + data
            size = len(quoted) + kernel_size
            crc = zlib.crc32(bytes(kernel_size), zlib.crc32(quoted))
    body = bytearray()
    central = bytearray()
    for index in range(count):
        offset = len(body)
        data, crc, size = layout[index]
        body += headers[index]
        if index == count - 1:
            body += data
        else:
            body += b"\x00" + struct.pack("<HH", len(headers[index + 1]), len(headers[index + 1]) ^ 0xFFFF)
        extra = zip64_extra(size, len(data)) if zip64 else b""
        member = Member(
            names[index],
            b"",
            8,
            crc,
            size,
            csize=len(data),
            central_extra=extra,
            central_size=MAX_32 if zip64 else None,
            central_csize=MAX_32 if zip64 else None,
        )
        central += central_header(member, offset)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def full_overlap_bomb(count: int, kernel_size: int, *, declared: int | None = None) -> bytes:
    """Fifield's first construction: many central records, one shared local header and kernel."""
    kernel, kernel_crc = zeros_kernel(kernel_size)
    size = kernel_size if declared is None else declared
    first = Member(b"records/bomb_00000.jsonl", kernel, 8, kernel_crc, size)
    central = bytearray()
    extra = zip64_extra(size) if size >= MAX_32 else b""
    for index in range(count):
        member = replace(
            first,
            name=f"records/bomb_{index:05d}.jsonl".encode(),
            central_extra=extra,
            central_size=MAX_32 if extra else None,
        )
        central += central_header(member, 0)
    head = local_header(replace(first, local_extra=extra, local_size32=MAX_32 if extra else None))
    body = head + kernel
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


# --- the corpus ---------------------------------------------------------------------------------------

STRUCTURE = {"truncated", "not-zip", "bad-directory", "trailing-data", "prepended-data", "multi-disk"}
CONTENT = {"corrupt", "crc-mismatch", "size-mismatch", "zip-bomb", "checksum-mismatch", "header-mismatch"}


class _Corpus:
    def __init__(self) -> None:
        self.cases: list[Case] = []
        self.names: set[str] = set()

    def add(self, name: str, data: bytes, codes: set[str] | None, description: str) -> None:
        assert name not in self.names, name
        self.names.add(name)
        self.cases.append(Case(name, data, set(codes) if codes is not None else None, description))


def build_corpus(signer: ManifestSigner, valid: bytes) -> list[Case]:
    """Every hostile case, derived from `valid` (a backup signed by `signer`)."""
    corpus = _Corpus()
    members = members_of(valid)
    _not_zip(corpus)
    _truncated(corpus, valid)
    _added_data(corpus, valid, members)
    _bombs(corpus, members)
    _names(corpus, members)
    _duplicates(corpus, members)
    _file_types(corpus, members)
    _header_mismatches(corpus, valid, members)
    _false_sizes_and_checksums(corpus, members)
    _zip64(corpus, members)
    _end_records(corpus, members)
    _flags_and_methods(corpus, members)
    _membership(corpus, members)
    _manifests(corpus, signer, members)
    _signatures(corpus, signer, members)
    _auditfile(corpus, signer)
    return corpus.cases


def _index(members: list[Member], name: str) -> int:
    return next(i for i, member in enumerate(members) if member.name == name.encode())


def _swap(members: list[Member], index: int, member: Member) -> list[Member]:
    return [*members[:index], member, *members[index + 1 :]]


def _not_zip(corpus: _Corpus) -> None:
    rng = random.Random(1)
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w") as tar:
        info = tarfile.TarInfo("records/journal_entries.jsonl")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    samples = {
        "empty": (b"", "an empty file"),
        "pdf": (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n" * 20, "a PDF"),
        "gzip": (gzip.compress(b'{"id": 1}\n' * 100, mtime=0), "a gzip file"),
        "tar": (tar_buffer.getvalue(), "a tar archive"),
        "text": (b"This is my backup, honestly.\n" * 30, "a text file"),
        "random-small": (rng.randbytes(100), "100 random bytes"),
        "random-large": (rng.randbytes(200_000), "200 KB of random bytes"),
        "zeros": (bytes(4096), "4 KB of zero bytes"),
        "single-byte": (b"P", "one byte"),
        "zip-signature-only": (b"PK\x03\x04", "only a local header signature"),
        "html": (b"<!doctype html><html><body>Not found</body></html>", "an HTML error page"),
        "end-record-garbage": (b"PK\x05\x06" + rng.randbytes(18), "an end record full of random values"),
    }
    for key, (data, what) in samples.items():
        corpus.add(f"not-zip/{key}", data, {"not-zip", "truncated", "multi-disk", "bad-directory"}, what)
    corpus.add("not-zip/empty-zip", assemble([]), {"not-a-backup"}, "a valid ZIP with no entries at all")


def _truncated(corpus: _Corpus, valid: bytes) -> None:
    length = len(valid)
    cuts = sorted({*range(1, length, length // 24), length - 1, length - 10, length - 21, length - 22, 4, 30})
    for cut in cuts:
        corpus.add(
            f"truncated/at-{cut:06d}",
            valid[:cut],
            STRUCTURE,
            f"the valid archive cut off after {cut} of {length} bytes",
        )


def _added_data(corpus: _Corpus, valid: bytes, members: list[Member]) -> None:
    prefixes = {
        "mz-stub": b"MZ\x90\x00" + bytes(60),
        "shebang": b'#!/bin/sh\nexec unzip "$0"\n',
        "one-byte": b"\x00",
        "4k": bytes(range(256)) * 16,
        "zip-signature": b"PK\x03\x04",
    }
    for key, prefix in prefixes.items():
        corpus.add(f"prepended/raw-{key}", prefix + valid, {"prepended-data"}, "data put before the archive")
        corpus.add(
            f"prepended/adjusted-{key}",
            assemble(members, prefix=prefix, offset_base=len(prefix)),
            {"prepended-data"},
            "data put before the archive with every offset adjusted (a self-extractor)",
        )
    suffixes = {
        "one-byte": b"\x00",
        "text": b"trailing text that hides something",
        "64k": bytes(70_000),
        "second-end-record": valid[-22:],
        "whole-archive": valid,
    }
    for key, suffix in suffixes.items():
        corpus.add(f"trailing/{key}", valid + suffix, STRUCTURE, "data after the end record")
    for index in (0, 2, 3, 5):
        gapped = _swap(members, index, replace(members[index], gap=b"hidden payload"))
        corpus.add(
            f"hidden/after-entry-{index}",
            assemble(gapped),
            {"hidden-data", "trailing-data"},
            f"bytes hidden between entry {index} and the next one",
        )
    corpus.add(
        "hidden/before-directory",
        assemble(members, between=b"x" * 100),
        {"trailing-data"},
        "bytes between the last entry and the central directory",
    )
    comment = assemble(members, end=End(comment=b"a comment on the archive"))
    corpus.add("trailing/in-comment-length", comment[:-4], STRUCTURE, "end-record comment cut off")


def _bombs(corpus: _Corpus, members: list[Member]) -> None:
    for count, kernel_size in ((2, 1 * MIB), (16, 4 * MIB), (64, 4 * MIB), (250, 1 * MIB)):
        corpus.add(
            f"bomb/quoted-overlap-{count}x{kernel_size // MIB}m",
            quoted_overlap_bomb(count, kernel_size),
            {"overlap", "zip-bomb"},
            f"Fifield quoted-overlap bomb: {count} files each inflating the same {kernel_size} byte kernel",
        )
    corpus.add(
        "bomb/quoted-overlap-zip64",
        quoted_overlap_bomb(32, 4 * MIB, zip64=True),
        {"overlap", "zip-bomb"},
        "Fifield quoted-overlap bomb with ZIP64 extra fields",
    )
    for count, declared in ((2, None), (100, None), (1000, None), (10, 5 * GIB), (40, 7 * GIB)):
        what = "its true size" if declared is None else f"{declared} bytes each"
        corpus.add(
            f"bomb/full-overlap-{count}-{'true' if declared is None else declared // GIB}",
            full_overlap_bomb(count, 4 * MIB, declared=declared),
            {"overlap", "zip-bomb", "too-large"},
            f"Fifield full-overlap bomb: {count} central records share one kernel, declaring {what}",
        )
    # Deflate bombs that declare a small size: the reader must stop once the output passes it.
    for real in (8 * MIB, 64 * MIB, 256 * MIB):
        kernel, _ = zeros_kernel(real)
        for name in ("records/journal_entries.jsonl", "records/relations.jsonl", MANIFEST_NAME):
            index = _index(members, name)
            original = members[index]
            bomb = replace(original, data=kernel)
            corpus.add(
                f"bomb/deflate-declared-small-{real // MIB}m-{name.split('/')[-1]}",
                assemble(_swap(members, index, bomb)),
                {"zip-bomb", "crc-mismatch", "corrupt"},
                f"{name} declares its real size but inflates to {real} bytes",
            )
    kernel, kernel_crc = zeros_kernel(64 * MIB)
    for name in ("records/journal_entries.jsonl", MANIFEST_NAME):
        index = _index(members, name)
        honest = replace(members[index], data=kernel, crc=kernel_crc, size=64 * MIB)
        corpus.add(
            f"bomb/deflate-ratio-{name.split('/')[-1]}",
            assemble(_swap(members, index, honest)),
            {"zip-bomb"},
            f"{name} honestly declares 64 MiB from a 64 KB stream: an implausible ratio",
        )
    # Huge declarations through ZIP64 extra fields.
    index = _index(members, "records/journal_entries.jsonl")
    original = members[index]
    for declared, codes in ((9 * GIB, {"too-large"}), (2**63, {"too-large"}), (5 * GIB, {"zip-bomb"})):
        huge = replace(
            original,
            central_size=MAX_32,
            central_extra=zip64_extra(declared),
            local_size32=MAX_32,
            local_extra=zip64_extra(declared),
            size=declared,
        )
        corpus.add(
            f"bomb/declared-{declared}",
            assemble(_swap(members, index, huge)),
            codes,
            f"an entry whose ZIP64 size declares {declared} bytes",
        )
    # Many entries that each look plausible but together exceed the total limit.
    filler = bytes(200_000)
    many = [
        replace(
            deflated(f"records/part_{index:02d}.jsonl", b""),
            data=filler,
            csize=40 * MIB,
            size=7 * GIB,
            central_size=MAX_32,
            central_extra=zip64_extra(7 * GIB),
            local_size32=MAX_32,
            local_extra=zip64_extra(7 * GIB),
        )
        for index in range(10)
    ]
    corpus.add("bomb/total-too-large", assemble(many), {"too-large"}, "ten entries of 7 GiB each")


UNSAFE_NAMES: dict[str, bytes] = {
    "dotdot": b"../x.jsonl",
    "records-dotdot": b"records/../x.jsonl",
    "records-dotdot-escape": b"records/../../../etc/passwd",
    "absolute": b"/etc/passwd",
    "absolute-records": b"/records/journal_entries.jsonl",
    "backslash": b"records\\journal_entries.jsonl",
    "backslash-dotdot": b"..\\..\\windows\\system32\\evil.dll",
    "drive-letter": b"C:/Windows/evil.jsonl",
    "drive-relative": b"c:records/x.jsonl",
    "double-slash": b"records//x.jsonl",
    "dot-segment": b"./records/x.jsonl",
    "inner-dot-segment": b"records/./x.jsonl",
    "nul": b"records/x.jsonl\x00.pdf",
    "newline": b"records/x\n.jsonl",
    "del": b"records/x\x7f.jsonl",
    "not-utf8": b"records/\xff\xfe.jsonl",
    "too-long": b"records/" + b"a" * 300 + b".jsonl",
}
NOT_ALLOWED_NAMES: dict[str, bytes] = {
    "upper-case-extension": b"records/X.JSONL",
    "upper-case-folder": b"RECORDS/x.jsonl",
    "exe-document": b"documents/a.exe",
    "top-level-script": b"evil.sh",
    "double-extension": b"records/x.jsonl.exe",
    "nested-record": b"records/sub/x.jsonl",
    "hidden-document": b"documents/.pdf",
    "trailing-space": b"records/x.jsonl ",
    "manifest-upper": b"MANIFEST.JSON",  # also a case-folded duplicate
    "manifest-elsewhere": b"records/manifest.json",
    "proposals": b"proposals/p1.json",
    "cyrillic-a": "records/\u0430ccounts.jsonl".encode(),
    "fullwidth-slash": "records\uff0fx.jsonl".encode(),
    "record-pdf": b"records/x.pdf",
    "document-jsonl": b"documents/x.jsonl",
    "dataset-leading-digit": b"records/1x.jsonl",
    "head-pointer": b"HEAD",
    "auditfile-upper": b"AUDITFILE.XAF",
    "auditfile-in-records": b"records/auditfile.xaf",
    "auditfile-as-document": b"documents/auditfile.xaf",
    "auditfile-double-extension": b"auditfile.xaf.exe",
    "auditfile-other-name": b"auditfile2.xaf",
    "auditfile-other-version": b"auditfile-3.1.xaf",
    "auditfile-32-in-records": b"records/auditfile-3.2.xaf",
}


def _names(corpus: _Corpus, members: list[Member]) -> None:
    target = _index(members, "records/ledger_accounts.jsonl")
    for family, names, codes in (
        ("unsafe", UNSAFE_NAMES, {"unsafe-name"}),
        ("not-allowed", NOT_ALLOWED_NAMES, {"unexpected-entry"}),
    ):
        for key, raw in names.items():
            expected = codes | ({"duplicate-name"} if key == "manifest-upper" else set())
            flags = UTF8 if key != "not-utf8" else 0
            extra = replace(stored(raw, b'{"x": 1}\n'), flags=flags)
            corpus.add(
                f"name/{family}-added-{key}",
                assemble([*members[:3], extra, *members[3:]]),
                expected,
                f"an added entry named {raw!r}",
            )
            renamed = replace(members[target], name=raw, flags=flags)
            corpus.add(
                f"name/{family}-renamed-{key}",
                assemble(_swap(members, target, renamed)),
                expected,
                f"a manifest-listed entry renamed to {raw!r}",
            )
    non_ascii = replace(stored("documents/é.pdf", b"%PDF"), flags=0)
    corpus.add(
        "name/non-ascii-without-utf8-flag",
        assemble([*members, non_ascii]),
        {"unsafe-name"},
        "a name with non-ASCII bytes but no UTF-8 flag (code page ambiguity)",
    )


def _duplicates(corpus: _Corpus, members: list[Member]) -> None:
    for index in range(len(members)):
        copy = members[index]
        short = copy.name.decode().split("/")[-1]
        corpus.add(
            f"duplicate/exact-{short}-at-end",
            assemble([*members, copy]),
            {"duplicate-name"},
            f"{copy.name!r} twice, the copy at the end",
        )
    journal = members[0]
    upper = replace(journal, name=b"records/JOURNAL_ENTRIES.jsonl")
    corpus.add(
        "duplicate/case-folded",
        assemble([*members, upper]),
        {"duplicate-name"},
        "two names that are the same on a case-insensitive file system",
    )
    corpus.add(
        "duplicate/case-folded-first",
        assemble([upper, *members]),
        {"duplicate-name"},
        "the case-folded copy comes first",
    )
    nfc = unicodedata.normalize("NFC", "documents/caf\u00e9.pdf").encode()
    nfd = unicodedata.normalize("NFD", "documents/caf\u00e9.pdf").encode()
    corpus.add(
        "duplicate/nfc-nfd",
        assemble([*members, stored(nfc, b"%PDF a"), stored(nfd, b"%PDF b")]),
        {"duplicate-name"},
        "NFC and NFD spellings of the same name",
    )
    corpus.add(
        "duplicate/sharp-s",
        assemble(
            [*members, stored("documents/stra\u00dfe.pdf", b"a"), stored("documents/strasse.pdf", b"b")]
        ),
        {"duplicate-name"},
        "names equal under Unicode case folding (ß and ss)",
    )
    corpus.add(
        "duplicate/same-offset",
        assemble([*members, replace(members[1], offset=0)]),
        {"duplicate-name", "overlap"},
        "a duplicate whose central record points at the first entry",
    )


def _file_types(corpus: _Corpus, members: list[Member]) -> None:
    link = (stat.S_IFLNK | 0o777) << 16
    for index in (0, 3, 5, 6):
        entry = members[index]
        target = b"/etc/passwd" if index else b"../../../../home/user/.bashrc"
        linked = replace(stored(entry.name, target), external=link)
        corpus.add(
            f"symlink/replaces-{entry.name.decode().split('/')[-1]}",
            assemble(_swap(members, index, linked)),
            {"symlink"},
            f"{entry.name!r} is a symbolic link",
        )
    corpus.add(
        "symlink/added",
        assemble([*members, replace(stored("records/link.jsonl", b"/etc"), external=link)]),
        {"symlink"},
        "an added symbolic link",
    )
    corpus.add(
        "symlink/deflated",
        assemble([*members, replace(deflated("documents/l.pdf", b"/etc/shadow"), external=link)]),
        {"symlink"},
        "a deflated symbolic link",
    )
    specials = {
        "fifo": stat.S_IFIFO,
        "char-device": stat.S_IFCHR,
        "block-device": stat.S_IFBLK,
        "socket": stat.S_IFSOCK,
    }
    for key, mode in specials.items():
        special = replace(stored("records/special.jsonl", b""), external=(mode | 0o644) << 16)
        corpus.add(f"special/{key}", assemble([*members, special]), {"special-file"}, f"a {key} entry")
    directories = {
        "records-slash": stored("records/", b""),
        "documents-slash": stored("documents/", b""),
        "nested-slash": stored("records/sub/", b""),
        "dos-attribute": replace(stored("records", b""), made_by=20, external=0x10),
        "unix-mode": replace(stored("records", b""), external=(stat.S_IFDIR | 0o755) << 16),
        "unix-mode-allowed-name": replace(
            stored("records/x.jsonl", b""), external=(stat.S_IFDIR | 0o755) << 16
        ),
    }
    for key, member in directories.items():
        corpus.add(f"directory/{key}", assemble([*members, member]), {"directory"}, "a directory entry")


def _descriptor_archive(valid: bytes, index: int, field: int, value: int) -> bytes:
    """The writer's archive with the `index`th data descriptor's field (0 crc, 1 csize, 2 size) changed."""
    data = bytearray(valid)
    entry = entries(BytesSource(valid))[index]
    at = entry.data_offset + entry.compressed_size
    assert struct.unpack_from("<I", data, at)[0] == 0x08074B50
    if field == 0:
        struct.pack_into("<I", data, at + 4, value)
    else:
        struct.pack_into("<Q", data, at + 8 + 8 * (field - 1), value)
    return bytes(data)


def _header_mismatches(corpus: _Corpus, valid: bytes, members: list[Member]) -> None:
    for index, member in enumerate(members):
        short = member.name.decode().split("/")[-1]
        variants = {
            "name": replace(member, local_name=member.name[:-1] + b"x"),
            "name-case": replace(member, local_name=member.name.upper()),
            "method": replace(member, local_method=8 if member.method == 0 else 0),
            "flags": replace(member, local_flags=member.flags ^ 0x0800),
            "crc": replace(member, local_crc=member.crc ^ 0x1),
            "csize": replace(member, local_csize=len(member.data) + 1),
            "size": replace(member, local_size=member.size + 7),
        }
        for key, variant in variants.items():
            corpus.add(
                f"header-mismatch/{key}-{short}",
                assemble(_swap(members, index, variant)),
                {"header-mismatch"},
                f"the local header of {member.name!r} disagrees with the central directory on its {key}",
            )
    for index in (0, 3, 5, 6):
        entry = entries(BytesSource(valid))[index]
        for field, label in enumerate(("crc", "csize", "size")):
            value = (entry.crc32, entry.compressed_size, entry.size)[field] ^ 0x10
            corpus.add(
                f"header-mismatch/descriptor-{label}-{index}",
                _descriptor_archive(valid, index, field, value),
                {"header-mismatch"},
                f"the data descriptor of entry {index} gives another {label}",
            )


def _false_sizes_and_checksums(corpus: _Corpus, members: list[Member]) -> None:
    for index, member in enumerate(members):
        short = member.name.decode().split("/")[-1]
        corpus.add(
            f"crc/both-headers-{short}",
            assemble(_swap(members, index, replace(member, crc=member.crc ^ 0xDEADBEEF))),
            {"crc-mismatch"},
            f"{member.name!r} declares (in both headers) a CRC-32 its content does not have",
        )
        bigger = replace(member, size=member.size + 100)
        corpus.add(
            f"size/declared-larger-{short}",
            assemble(_swap(members, index, bigger)),
            {"size-mismatch", "manifest-mismatch", "header-mismatch", "too-large"},
            f"{member.name!r} declares 100 bytes more than it holds",
        )
        if member.size > 10:
            smaller = replace(member, size=member.size - 10)
            corpus.add(
                f"size/declared-smaller-{short}",
                assemble(_swap(members, index, smaller)),
                {"zip-bomb", "manifest-mismatch", "header-mismatch"},
                f"{member.name!r} declares 10 bytes less than it holds",
            )
    for index in (0, 1, 5):
        member = members[index]
        short = member.name.decode().split("/")[-1]
        cut = replace(member, data=member.data[: len(member.data) // 2])
        corpus.add(
            f"size/deflate-stream-cut-{short}",
            assemble(_swap(members, index, cut)),
            {"corrupt", "size-mismatch"},
            f"the DEFLATE stream of {member.name!r} ends half way",
        )
        padded = replace(member, data=member.data + b"\x00junk")
        corpus.add(
            f"size/deflate-stream-padded-{short}",
            assemble(_swap(members, index, padded)),
            {"corrupt"},
            f"the DEFLATE stream of {member.name!r} is followed by junk inside the entry",
        )
        for position in (0, len(member.data) // 3, len(member.data) - 2):
            flipped = bytearray(member.data)
            flipped[position] ^= 0x55
            corpus.add(
                f"crc/deflate-flip-{short}-{position}",
                assemble(_swap(members, index, replace(member, data=bytes(flipped)))),
                {"corrupt", "crc-mismatch", "size-mismatch", "zip-bomb"},
                f"a byte of the compressed data of {member.name!r} changed",
            )
    for index in (3, 4, 6):
        member = members[index]
        for position in (0, len(member.data) // 2, len(member.data) - 1):
            flipped = bytearray(member.data)
            flipped[position] ^= 0x01
            corpus.add(
                f"crc/stored-flip-{index}-{position}",
                assemble(_swap(members, index, replace(member, data=bytes(flipped)))),
                {"crc-mismatch"},
                f"one bit of the stored entry {member.name!r} flipped",
            )


def _zip64(corpus: _Corpus, members: list[Member]) -> None:
    for index in (0, 3, 5):
        member = members[index]
        short = member.name.decode().split("/")[-1]
        variants = {
            "extra-wrong-size": (
                replace(member, central_size=MAX_32, central_extra=zip64_extra(member.size + 1)),
                {"header-mismatch", "manifest-mismatch"},
            ),
            "extra-wrong-both": (
                replace(
                    member,
                    central_size=MAX_32,
                    central_csize=MAX_32,
                    central_extra=zip64_extra(member.size, len(member.data) + 5),
                ),
                {"header-mismatch", "overlap", "truncated"},
            ),
            "extra-short": (
                replace(member, central_size=MAX_32, central_csize=MAX_32, central_extra=zip64_extra(1)),
                {"header-mismatch"},
            ),
            "extra-missing": (replace(member, central_size=MAX_32), {"header-mismatch"}),
            "extra-twice": (
                replace(member, central_extra=zip64_extra(member.size) * 2),
                {"header-mismatch"},
            ),
            "extra-truncated-field": (
                replace(member, central_extra=struct.pack("<HH", 1, 16) + b"\x00" * 4),
                {"header-mismatch"},
            ),
            "extra-odd-length": (replace(member, central_extra=b"\x01\x00\x08"), {"header-mismatch"}),
            "local-extra-wrong": (
                replace(
                    member, local_size32=MAX_32, local_extra=zip64_extra(member.size + 3, len(member.data))
                ),
                {"header-mismatch"},
            ),
            "offset-extra-wrong": (
                replace(member, offset=MAX_32, central_extra=zip64_extra(7)),
                {"overlap", "hidden-data", "header-mismatch", "prepended-data", "truncated"},
            ),
            "offset-extra-huge": (
                replace(member, offset=MAX_32, central_extra=zip64_extra(2**62)),
                {"truncated", "header-mismatch"},
            ),
        }
        for key, (variant, codes) in variants.items():
            corpus.add(
                f"zip64/{key}-{short}",
                assemble(_swap(members, index, variant)),
                codes,
                f"{member.name!r}: ZIP64 extra field inconsistent ({key})",
            )
    bad = "bad-directory"
    ends = {
        "count-wrong": (Zip64End(count=99, disk_count=99), End(count=0xFFFF, disk_count=0xFFFF), {bad}),
        "count-disagrees": (Zip64End(count=3, disk_count=3), None, {bad, "multi-disk"}),
        "size-wrong": (Zip64End(size=10), End(size=MAX_32), {bad, "trailing-data", "prepended-data"}),
        "size-huge": (Zip64End(size=2**60), End(size=MAX_32), {bad, "truncated"}),
        "offset-wrong": (Zip64End(offset=100), End(offset=MAX_32), {bad, "trailing-data", "prepended-data"}),
        "offset-huge": (Zip64End(offset=2**63), End(offset=MAX_32), {bad, "truncated"}),
        "signature-wrong": (Zip64End(signature=0x06064B51), None, {bad}),
        "record-size-wrong": (Zip64End(record_size=60), None, {bad}),
        "locator-points-before": (Zip64End(locator_offset=0), None, {bad}),
        "locator-points-outside": (Zip64End(locator_offset=2**40), None, {"truncated"}),
        "locator-multi-disk": (Zip64End(locator_disks=2), None, {"multi-disk"}),
        "locator-disk": (Zip64End(locator_disk=1), None, {"multi-disk"}),
        "record-disk": (Zip64End(disk=1), None, {"multi-disk"}),
        "disagrees-with-end": (Zip64End(count=len(members) - 1, disk_count=len(members) - 1), None, {bad}),
    }
    for key, (zip64_end, end, codes) in ends.items():
        corpus.add(
            f"zip64/end-{key}",
            assemble(members, zip64=zip64_end, end=end),
            codes,
            f"the ZIP64 end of central directory or its locator is wrong ({key})",
        )
    corpus.add(
        "zip64/end-missing",
        assemble(members, end=End(count=0xFFFF, disk_count=0xFFFF)),
        {"truncated"},
        "the end record asks for a ZIP64 end record that is not there",
    )
    corpus.add(
        "zip64/end-missing-offset",
        assemble(members, end=End(offset=MAX_32)),
        {"truncated"},
        "the end record's offset says ZIP64, but there is no ZIP64 end record",
    )


def _end_records(corpus: _Corpus, members: list[Member]) -> None:
    n = len(members)
    ends = {
        "count-plus-one": (End(count=n + 1, disk_count=n + 1), {"bad-directory"}),
        "count-minus-one": (End(count=n - 1, disk_count=n - 1), {"bad-directory"}),
        "count-zero": (End(count=0, disk_count=0), {"bad-directory"}),
        "disk-count-differs": (End(disk_count=n - 1), {"multi-disk"}),
        "disk-number": (End(disk=1), {"multi-disk"}),
        "directory-disk": (End(directory_disk=3), {"multi-disk"}),
        "size-short": (End(size=46), {"trailing-data", "bad-directory", "prepended-data"}),
        "size-long": (End(size=MAX_32 - 1), {"truncated"}),
        "offset-zero": (End(offset=0), {"prepended-data", "trailing-data", "bad-directory"}),
        "offset-plus-one": (End(offset=1), {"prepended-data", "trailing-data", "bad-directory"}),
        "comment-length-beyond": (End(comment_length=100), {"truncated"}),
        "comment-too-long": (End(comment=b"c" * 4000), {"not-zip"}),
        "comment-with-end-record": (End(comment=b"PK\x05\x06" + bytes(18)), {"trailing-data"}),
    }
    for key, (end, codes) in ends.items():
        corpus.add(f"end/{key}", assemble(members, end=end), codes, f"the end record is wrong ({key})")


def _flags_and_methods(corpus: _Corpus, members: list[Member]) -> None:
    for index in (0, 3, 5, 6):
        member = members[index]
        short = member.name.decode().split("/")[-1]
        for flag, label in ((0x0001, "traditional"), (0x0041, "strong"), (0x2000, "masked-directory")):
            corpus.add(
                f"encrypted/{label}-{short}",
                assemble(_swap(members, index, replace(member, flags=member.flags | flag))),
                {"encrypted"},
                f"{member.name!r} marked as encrypted ({label})",
            )
    for method in (1, 6, 9, 12, 14, 93, 95, 98, 99):
        for index in (0, 3):
            member = members[index]
            corpus.add(
                f"method/{method}-{index}",
                assemble(_swap(members, index, replace(member, method=method))),
                {"unsupported-method"},
                f"{member.name!r} compressed with method {method}",
            )


def _membership(corpus: _Corpus, members: list[Member]) -> None:
    extras = {
        "record": deflated("records/extra_dataset.jsonl", b'{"evil": true}\n'),
        "document": stored("documents/extra.pdf", b"%PDF-1.4 extra"),
        "empty-record": stored("records/empty.jsonl", b""),
    }
    for key, extra in extras.items():
        corpus.add(
            f"membership/not-in-manifest-{key}",
            assemble([*members[:-2], extra, *members[-2:]]),
            {"manifest-mismatch"},
            "an entry the signed manifest does not list",
        )
    for index in range(5):
        short = members[index].name.decode().split("/")[-1]
        corpus.add(
            f"membership/missing-{short}",
            assemble(members[:index] + members[index + 1 :]),
            {"manifest-mismatch"},
            f"{members[index].name!r} is listed in the manifest but absent",
        )
    corpus.add(
        "membership/no-manifest",
        assemble([m for m in members if m.name != MANIFEST_NAME.encode()]),
        {"not-a-backup"},
        "manifest.json is missing",
    )
    corpus.add(
        "membership/no-signature",
        assemble([m for m in members if m.name != SIGNATURE_NAME.encode()]),
        {"not-a-backup"},
        "manifest.sig is missing",
    )
    corpus.add(
        "membership/only-records",
        assemble(members[:3]),
        {"not-a-backup"},
        "records only, no manifest or signature",
    )
    swapped_content = [replace(members[3], data=members[4].data, crc=members[4].crc)]
    corpus.add(
        "membership/documents-swapped",
        assemble(
            [
                *members[:3],
                *swapped_content,
                replace(members[4], data=members[3].data, crc=members[3].crc),
                *members[5:],
            ]
        ),
        {"checksum-mismatch"},
        "two documents' contents swapped (each still a valid ZIP entry)",
    )


def _manifests(corpus: _Corpus, signer: ManifestSigner, members: list[Member]) -> None:
    files = generation_files()
    manifest = next(m for m in members if m.name == MANIFEST_NAME.encode())
    original = zlib.decompress(manifest.data, -15)
    document = json.loads(original)
    signature = next(m for m in members if m.name == SIGNATURE_NAME.encode())

    def unsigned(edit: Callable[[dict[str, Any]], None]) -> bytes:
        changed = json.loads(original)
        edit(changed)
        return build_signed_archive(
            signer, files, manifest_bytes=canonical(changed), signature=signature.data
        )

    def at(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda d: d.__setitem__(key, value)

    def entry_field(index: int, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda d: d["entries"][index].__setitem__(key, value)

    first_sha = document["entries"][0]["sha256"]
    edits: dict[str, Callable[[dict[str, Any]], None]] = {
        "customer": at("customer", "99999"),
        "administration": at("administration", "00018"),
        "fiscal-year": at("fiscal_year", "2024"),
        "created-at": at("created_at", "2025-02-01T12:00:00+00:00"),
        "source-generation": at("source_generation", "20250101T000000Z-00000000"),
        "include-documents": at("include_documents", False),
        "format": at("format", "other-backup"),
        "version": at("version", 2),
        "counts": at("counts", {"records": 3, "documents": 3}),
        "totals": at("totals", {"bytes": 1}),
        "entry-path": entry_field(0, "path", "records/other.jsonl"),
        "entry-size": entry_field(0, "size", 1),
        "entry-sha256": entry_field(0, "sha256", "0" * 64),
        "document-sha256": entry_field(3, "sha256", first_sha),
        "entry-removed": lambda d: d["entries"].pop(),
        "extra-field": at("note", "harmless?"),
    }
    for key, edit in edits.items():
        corpus.add(
            f"manifest/altered-{key}",
            unsigned(edit),
            {"bad-signature"},
            f"manifest.json edited by hand ({key}); manifest.sig is the original one",
        )
    corpus.add(
        "manifest/reformatted",
        build_signed_archive(
            signer, files, manifest_bytes=json.dumps(document).encode(), signature=signature.data
        ),
        {"bad-signature"},
        "the same manifest, serialised differently: the MAC covers the exact bytes",
    )
    corpus.add(
        "manifest/trailing-newline-removed",
        build_signed_archive(signer, files, manifest_bytes=original[:-1], signature=signature.data),
        {"bad-signature"},
        "one byte of the manifest removed",
    )

    # Properly signed with our key, but still not acceptable.
    def signed(edit: Callable[[dict[str, Any]], Any]) -> bytes:
        return build_signed_archive(signer, files, edit=edit)

    signed_edits: dict[str, tuple[Callable[[dict[str, Any]], Any], set[str]]] = {
        "version-2": (at("version", 2), {"bad-manifest"}),
        "version-string": (at("version", "1"), {"bad-manifest"}),
        "version-missing": (lambda d: d.pop("version"), {"bad-manifest"}),
        "format-other": (at("format", "zip"), {"bad-manifest"}),
        "customer-invalid": (at("customer", "10234/../1"), {"bad-manifest"}),
        "customer-number": (at("customer", 10234), {"bad-manifest"}),
        "administration-invalid": (at("administration", "17"), {"bad-manifest"}),
        "year-invalid": (at("fiscal_year", "1850"), {"bad-manifest"}),
        "created-at-invalid": (at("created_at", "yesterday"), {"bad-manifest"}),
        "generation-invalid": (at("source_generation", "../../gen"), {"bad-manifest"}),
        "include-documents-string": (at("include_documents", "yes"), {"bad-manifest"}),
        "documents-not-included": (at("include_documents", False), {"bad-manifest"}),
        "counts-wrong": (at("counts", {"records": 3, "documents": 9}), {"bad-manifest"}),
        "totals-wrong": (at("totals", {"bytes": 0}), {"bad-manifest"}),
        "entries-not-list": (at("entries", {"records/a.jsonl": 1}), {"bad-manifest"}),
        "entry-not-object": (lambda d: d["entries"].__setitem__(0, "records/x.jsonl"), {"bad-manifest"}),
        "entry-path-null": (entry_field(0, "path", None), {"bad-manifest"}),
        "entry-path-unsafe": (entry_field(0, "path", "records/../x.jsonl"), {"bad-manifest"}),
        "entry-sha-upper": (entry_field(0, "sha256", first_sha.upper()), {"bad-manifest"}),
        "entry-size-negative": (entry_field(0, "size", -1), {"bad-manifest"}),
        "entry-size-bool": (entry_field(0, "size", True), {"bad-manifest"}),
        "entry-duplicated": (
            lambda d: d["entries"].append(dict(d["entries"][0])),
            {"bad-manifest"},
        ),
        "entry-size-differs": (
            lambda d: _fix_totals(d, lambda entries: entries[0].__setitem__("size", entries[0]["size"] + 1)),
            {"manifest-mismatch"},
        ),
        "entry-sha256-differs": (entry_field(0, "sha256", "ab" * 32), {"checksum-mismatch"}),
        "document-sha256-differs": (entry_field(4, "sha256", first_sha), {"checksum-mismatch"}),
        "entry-listed-not-present": (
            lambda d: _fix_totals(
                d,
                lambda entries: entries.append(
                    {"path": "records/ghost.jsonl", "size": 0, "sha256": "0" * 64}
                ),
            ),
            {"manifest-mismatch"},
        ),
        "entry-present-not-listed": (
            lambda d: _fix_totals(d, lambda entries: entries.pop(1)),
            {"manifest-mismatch"},
        ),
    }
    for key, (edit, codes) in signed_edits.items():
        corpus.add(
            f"manifest/signed-{key}",
            signed(edit),
            codes,
            f"a manifest signed with our own key that is still wrong ({key})",
        )
    raw_manifests = {
        "not-json": (b"this is not JSON", {"bad-manifest"}),
        "not-utf8": (b'{"format": "\xff\xfe"}', {"bad-manifest"}),
        "json-array": (b"[1, 2, 3]", {"bad-manifest"}),
        "json-null": (b"null", {"bad-manifest"}),
        "empty": (b"", {"bad-manifest", "bad-signature"}),
        "nested-deeply": (b"[" * 100_000 + b"]" * 100_000, {"bad-manifest"}),
        "huge-number": (b'{"version": ' + b"9" * 10_000 + b"}", {"bad-manifest"}),
        "nan": (b'{"version": NaN}', {"bad-manifest"}),
    }
    for key, (raw, codes) in raw_manifests.items():
        if raw:
            corpus.add(
                f"manifest/signed-raw-{key}",
                build_signed_archive(signer, files, manifest_bytes=raw),
                codes,
                f"manifest.json is signed with our key but is {key}",
            )
        corpus.add(
            f"manifest/unsigned-raw-{key}",
            build_signed_archive(signer, files, manifest_bytes=raw, signature=signature.data),
            {"bad-signature"},
            f"manifest.json is {key}, and not signed",
        )
    # manifest.json declaring more than Kluis ever writes: refused before it is read.
    index = _index(members, MANIFEST_NAME)
    big = replace(members[index], data=random.Random(3).randbytes(400_000), size=65 * MIB)
    corpus.add(
        "manifest/too-large",
        assemble(_swap(members, index, big)),
        {"too-large"},
        "manifest.json declares 65 MiB",
    )
    # Signed by another deployment's key.
    other = other_signer(signer)
    corpus.add(
        "manifest/other-key",
        build_signed_archive(other, files),
        {"bad-signature"},
        "a well-formed backup signed by another KMS HMAC key",
    )
    corpus.add(
        "manifest/other-key-version-2",
        build_signed_archive(other, files, edit=at("version", 2)),
        {"bad-signature"},
        "a version 2 backup signed by another key",
    )
    corpus.add(
        "manifest/other-key-other-customer",
        build_signed_archive(other, files, edit=at("customer", "1")),
        {"bad-signature"},
        "another key's backup naming another customer",
    )


def _fix_totals(document: dict[str, Any], change: Callable[[list[dict[str, Any]]], Any]) -> None:
    """Apply `change` to the entries and keep counts and totals consistent, so only the change counts."""
    change(document["entries"])
    entries = document["entries"]
    documents = sum(1 for e in entries if e["path"].startswith("documents/"))
    document["counts"] = {"records": len(entries) - documents, "documents": documents}
    document["totals"] = {"bytes": sum(e["size"] for e in entries)}


def _signatures(corpus: _Corpus, signer: ManifestSigner, members: list[Member]) -> None:
    files = generation_files()
    good = json.loads(next(m for m in members if m.name == SIGNATURE_NAME.encode()).data)
    mac = base64.b64decode(good["mac"])

    def document(**fields: Any) -> bytes:
        return json.dumps({**good, **fields}).encode()

    signatures = {
        "empty": (b"", {"bad-signature"}),
        "not-json": (b"not a signature", {"bad-signature"}),
        "not-utf8": (b"\xff\xfe\xfd", {"bad-signature"}),
        "json-list": (b"[1, 2]", {"bad-signature"}),
        "json-string": (b'"mac"', {"bad-signature"}),
        "json-number": (b"42", {"bad-signature"}),
        "no-mac": (json.dumps({"algorithm": ALGORITHM}).encode(), {"bad-signature"}),
        "no-algorithm": (json.dumps({"mac": good["mac"]}).encode(), {"bad-signature"}),
        "other-algorithm": (document(algorithm="HMAC_SHA_512"), {"bad-signature"}),
        "algorithm-list": (document(algorithm=[ALGORITHM]), {"bad-signature"}),
        "mac-not-base64": (document(mac="!!!not base64!!!"), {"bad-signature"}),
        "mac-number": (document(mac=12345), {"bad-signature"}),
        "mac-short": (document(mac=base64.b64encode(mac[:16]).decode()), {"bad-signature"}),
        "mac-long": (document(mac=base64.b64encode(mac + mac).decode()), {"bad-signature"}),
        "mac-zeros": (document(mac=base64.b64encode(bytes(32)).decode()), {"bad-signature"}),
        "mac-bit-flipped": (
            document(mac=base64.b64encode(bytes([mac[0] ^ 1]) + mac[1:]).decode()),
            {"bad-signature"},
        ),
        "mac-hex": (document(mac=mac.hex()), {"bad-signature"}),
        "nested-deeply": (b"[" * 2000 + b"]" * 2000, {"bad-signature"}),
        "oversized": (document(padding="x" * 5000), {"too-large"}),
        "huge-number": (b'{"algorithm": ' + b"7" * 4000 + b"}", {"bad-signature"}),
    }
    for key, (raw, codes) in signatures.items():
        corpus.add(
            f"signature/{key}",
            build_signed_archive(signer, files, signature=raw),
            codes,
            f"manifest.sig is {key.replace('-', ' ')}",
        )


def _unlisted(index: int, size: int) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        document["entries"].pop(index)
        document["counts"]["records"] -= 1
        document["totals"]["bytes"] -= size

    return edit


def _auditfile(corpus: _Corpus, signer: ManifestSigner) -> None:
    """auditfile.xaf is verified like every entry: listed in the signed manifest, its SHA-256 right."""
    xaf = b'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"/>\n'
    files = generation_files() | {"auditfile.xaf": xaf}
    listed = build_signed_archive(signer, files)
    members = members_of(listed)
    index = _index(members, "auditfile.xaf")
    corpus.add(
        "auditfile/not-in-manifest",
        build_signed_archive(signer, files, edit=_unlisted(index, len(xaf))),
        {"manifest-mismatch"},
        "an auditfile.xaf the signed manifest does not list",
    )
    corpus.add(
        "auditfile/missing",
        assemble(members[:index] + members[index + 1 :]),
        {"manifest-mismatch"},
        "auditfile.xaf listed in the manifest but absent",
    )
    other = xaf.replace(b"3.2", b"4.0")
    corpus.add(
        "auditfile/content-changed",
        assemble(_swap(members, index, deflated("auditfile.xaf", other))),
        {"checksum-mismatch"},
        "auditfile.xaf replaced by another of the same size (a valid ZIP entry, not the manifest's SHA-256)",
    )
