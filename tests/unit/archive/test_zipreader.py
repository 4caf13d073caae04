"""The hostile-archive reader: good archives read back, each kind of attack is refused with its code."""

from __future__ import annotations

import io
import random
import stat
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from kluis.archive.zipreader import (
    DEFAULT_LIMITS,
    ArchiveRejected,
    BytesSource,
    Entry,
    Limits,
    iter_content,
)
from kluis.archive.zipwriter import ZipWriter
from tests.archive_reading import entries, walk

MOMENT = datetime(2025, 1, 31, 12, 0, 0)
JOURNAL = b'{"id": 1, "amount": "12.50", "text": "rent"}\n' * 2000
PDF = bytes(range(256)) * 64


def read_all(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    return {entry.name: content for entry, content in walk(BytesSource(data), limits, chunk_size=4096)}


def rejected(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ArchiveRejected:
    with pytest.raises(ArchiveRejected) as caught:
        read_all(data, limits)
    assert caught.value.reason.message.endswith((".", "...")), caught.value.reason.message
    return caught.value


def writer_archive(members: dict[str, tuple[bytes, bool]]) -> bytes:
    out = io.BytesIO()
    writer = ZipWriter(out)
    for name, (data, compress) in members.items():
        writer.write_entry(name, [data], compress=compress, modified=MOMENT)
    writer.finish()
    return out.getvalue()


def stdlib_archive(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


class Unseekable(io.RawIOBase):
    """A write-only stream, so zipfile uses data descriptors as a streaming writer would."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.buffer += data
        return len(data)


@dataclass
class Raw:
    """One hand-made entry; every field can be set to something hostile."""

    name: bytes
    payload: bytes
    method: int = 0
    flags: int = 0x800
    crc: int | None = None
    size: int | None = None
    external: int = 0o100644 << 16
    made_by: int = 0x031E
    offset: int | None = None
    local_name: bytes | None = None


def raw_archive(members: list[Raw], *, prefix: bytes = b"", gap: bytes = b"") -> bytes:
    """Local headers, central directory and end record written by hand with struct."""
    body = bytearray(prefix)
    central = bytearray()
    for member in members:
        offset = len(body)
        size = len(member.payload) if member.size is None else member.size
        crc = zlib.crc32(member.payload) if member.crc is None else member.crc
        local_name = member.name if member.local_name is None else member.local_name
        common = (member.flags, member.method, 0, 0x5A21, crc, len(member.payload), size)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, *common, len(local_name), 0)
        body += local_name + member.payload + gap
        offset = offset if member.offset is None else member.offset
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, member.made_by, 20, *common,
            len(member.name), 0, 0, 0, 0, member.external, offset,
        )  # fmt: skip
        central += member.name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    return bytes(body + central + end)


def deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


# --- archives that must be accepted --------------------------------------------------------------


def test_reads_writer_archive() -> None:
    members = {
        "records/journal.jsonl": (JOURNAL, True),
        "documents/a.pdf": (PDF, False),
        "empty": (b"", True),
    }
    data = writer_archive(members)
    assert read_all(data) == {name: content for name, (content, _) in members.items()}
    found = entries(BytesSource(data))
    assert [entry.method for entry in found] == [8, 0, 8]
    assert all(entry.flags & 0x0008 for entry in found)


def test_reads_stdlib_archives() -> None:
    members = {"records/journal.jsonl": JOURNAL, "documents/ü.pdf": PDF}
    assert read_all(stdlib_archive(members)) == members
    assert read_all(stdlib_archive(members, zipfile.ZIP_STORED)) == members


def test_reads_stdlib_streamed_zip64_archive() -> None:
    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {"a.jsonl": JOURNAL, "b.pdf": PDF}.items():
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(data)
    assert read_all(bytes(stream.buffer)) == {"a.jsonl": JOURNAL, "b.pdf": PDF}


def test_reads_many_entries_with_zip64_end() -> None:
    out = io.BytesIO()
    writer = ZipWriter(out)
    for index in range(65_536):
        writer.write_entry(f"r/{index}", [b""], compress=False, modified=MOMENT)
    writer.finish()
    found = entries(BytesSource(out.getvalue()))
    assert len(found) == 65_536
    assert found[-1].name == "r/65535"


def test_content_in_small_chunks_is_bounded() -> None:
    content = random.Random(7).randbytes(2_500_000).hex().encode()
    data = writer_archive({"hex": (content, True)})
    source = BytesSource(data)
    (entry,) = entries(source)
    chunks = list(iter_content(source, entry, chunk_size=65536))
    assert max(len(chunk) for chunk in chunks) <= 65536
    assert b"".join(chunks) == content


def test_raw_builder_makes_valid_archives() -> None:
    journal = Raw(b"b.txt", deflate(JOURNAL), method=8, size=len(JOURNAL), crc=zlib.crc32(JOURNAL))
    data = raw_archive([Raw(b"a.txt", b"hello"), journal])
    assert read_all(data) == {"a.txt": b"hello", "b.txt": JOURNAL}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None


def test_entry_fields() -> None:
    data = raw_archive([Raw(b"a.txt", b"hello")])
    assert entries(BytesSource(data)) == [
        Entry("a.txt", 0, 0x800, zlib.crc32(b"hello"), 5, 5, header_offset=0, data_offset=35)
    ]


# --- archives that must be refused ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "not-zip"),
        (b"%PDF-1.7 this is not a zip file at all" * 10, "not-zip"),
        (bytes(22), "not-zip"),
    ],
)
def test_not_a_zip(data: bytes, code: str) -> None:
    assert rejected(data).family == code


def test_empty_file_reason() -> None:
    assert "empty" in rejected(b"").reason.message


def test_truncated() -> None:
    data = writer_archive({"a": (JOURNAL, True)})
    assert rejected(data[: len(data) // 2]).family == "truncated"
    assert rejected(data[:-5]).family == "truncated"


@pytest.mark.parametrize(
    "name",
    [
        b"../x",
        b"records/../../x",
        b"/etc/passwd",
        b"a\\b",
        b"C:x",
        b"c:/x",
        b"a//b",
        b"./a",
        b"a\x00b",
        b"a\nb",
    ],
)
def test_unsafe_names(name: bytes) -> None:
    assert rejected(raw_archive([Raw(name, b"x")])).family == "unsafe-name"


def test_unsafe_name_reason_is_readable() -> None:
    reason = rejected(raw_archive([Raw(b"../x", b"x")])).reason.message
    assert reason == "The archive contains an entry with a path outside the archive: '../x'."


def test_name_not_utf8() -> None:
    assert rejected(raw_archive([Raw(b"\xff\xfe.txt", b"x")])).family == "unsafe-name"
    assert rejected(raw_archive([Raw("é".encode(), b"x", flags=0)])).family == "unsafe-name"


def test_name_too_long() -> None:
    assert rejected(raw_archive([Raw(b"a" * 256, b"x")])).family == "unsafe-name"
    assert read_all(raw_archive([Raw(b"a" * 255, b"x")]))


@pytest.mark.parametrize(
    "names",
    [
        ["a.txt", "a.txt"],
        ["Records/A.jsonl", "records/a.jsonl"],
        [unicodedata.normalize("NFC", "é.pdf"), unicodedata.normalize("NFD", "é.pdf")],
    ],
)
def test_duplicate_names(names: list[str]) -> None:
    data = raw_archive([Raw(name.encode(), b"x") for name in names])
    assert rejected(data).family == "duplicate-name"


def test_directory_entry() -> None:
    assert rejected(raw_archive([Raw(b"records/", b"")])).family == "directory"
    dos_directory = Raw(b"records", b"", made_by=0x0014, external=0x10)
    assert rejected(raw_archive([dos_directory])).family == "directory"
    unix_directory = Raw(b"records", b"", external=(stat.S_IFDIR | 0o755) << 16)
    assert rejected(raw_archive([unix_directory])).family == "directory"


def test_symlink() -> None:
    link = Raw(b"documents/a.pdf", b"/etc/passwd", external=(stat.S_IFLNK | 0o777) << 16)
    assert rejected(raw_archive([link])).family == "symlink"


def test_special_file() -> None:
    fifo = Raw(b"fifo", b"", external=(stat.S_IFIFO | 0o644) << 16)
    assert rejected(raw_archive([fifo])).family == "special-file"


@pytest.mark.parametrize("flag", [0x0001, 0x0040 | 0x0001, 0x2000])
def test_encrypted(flag: int) -> None:
    assert rejected(raw_archive([Raw(b"a", b"x", flags=0x800 | flag)])).family == "encrypted"


def test_unsupported_method_bzip2() -> None:
    data = stdlib_archive({"a.jsonl": JOURNAL}, zipfile.ZIP_BZIP2)
    error = rejected(data)
    assert error.family == "unsupported-method"
    assert "method 12" in error.reason.message


def test_local_and_central_names_differ() -> None:
    data = raw_archive([Raw(b"records/a.jsonl", b"x", local_name=b"records/b.jsonl")])
    assert rejected(data).family == "header-mismatch"


def test_local_header_sizes_differ() -> None:
    data = bytearray(stdlib_archive({"a": b"hello"}, zipfile.ZIP_STORED))
    struct.pack_into("<I", data, 14, 0xDEADBEEF)  # the local header's CRC
    assert rejected(bytes(data)).family == "header-mismatch"


def test_data_descriptor_differs() -> None:
    data = bytearray(writer_archive({"a": (b"hello", False)}))
    descriptor = data.index(struct.pack("<I", 0x08074B50))
    struct.pack_into("<Q", data, descriptor + 8, 4)  # compressed size 4 instead of 5
    assert rejected(bytes(data)).family == "header-mismatch"


def test_stored_sizes_differ() -> None:
    assert rejected(raw_archive([Raw(b"a", b"hello", size=3)])).family == "header-mismatch"


def test_crc_mismatch() -> None:
    assert rejected(raw_archive([Raw(b"a", b"hello", crc=1)])).family == "crc-mismatch"
    data = bytearray(writer_archive({"a": (JOURNAL, True)}))
    corrupted = bytearray(data)
    corrupted[100] ^= 0x01
    assert rejected(bytes(corrupted)).family in ("crc-mismatch", "corrupt", "size-mismatch", "zip-bomb")


def test_deflate_bomb_declared_small() -> None:
    payload = deflate(bytes(3_000_000))
    data = raw_archive([Raw(b"a", payload, method=8, size=1000, crc=zlib.crc32(bytes(1000)))])
    assert rejected(data).family == "zip-bomb"


def test_deflate_ratio_bomb() -> None:
    size = 20 * 1024 * 1024
    data = raw_archive([Raw(b"a", deflate(bytes(size)), method=8, size=size)])
    assert rejected(data).family == "zip-bomb"
    # The ratio is judged on declarations, before anything is inflated.
    with pytest.raises(ArchiveRejected):
        entries(BytesSource(data))


def test_deflate_shorter_than_declared() -> None:
    data = raw_archive([Raw(b"a", deflate(b"hello"), method=8, size=6, crc=zlib.crc32(b"hello"))])
    assert rejected(data).family == "size-mismatch"


def test_deflate_stream_ends_early_or_late() -> None:
    late = raw_archive([Raw(b"a", deflate(b"hello") + b"junk", method=8, size=5)])
    assert rejected(late).family == "corrupt"
    early = raw_archive(
        [Raw(b"a", deflate(JOURNAL)[:-20], method=8, size=len(JOURNAL), crc=zlib.crc32(JOURNAL))]
    )
    assert rejected(early).family == "corrupt"


def test_too_many_entries() -> None:
    data = raw_archive([Raw(f"{index}".encode(), b"x") for index in range(3)])
    assert rejected(data, Limits(max_entries=2)).family == "too-many-entries"


def test_too_large() -> None:
    data = raw_archive([Raw(b"a", b"x" * 100), Raw(b"b", b"x" * 100)])
    assert rejected(data, Limits(max_entry_size=99)).family == "too-large"
    assert rejected(data, Limits(max_total_size=150)).family == "too-large"
    assert rejected(data, Limits(max_archive_size=100)).family == "too-large"


def test_two_entries_share_a_local_header() -> None:
    data = raw_archive([Raw(b"a", b"x" * 50), Raw(b"b", b"x" * 50, offset=0)])
    assert rejected(data).family == "overlap"


def test_entry_starts_inside_another() -> None:
    # The "quoted overlap" construction: one entry's data contains another entry's header.
    inner = raw_archive([Raw(b"b", b"y" * 20)])
    inner_header = inner[: inner.index(struct.pack("<I", 0x02014B50))]
    data = raw_archive([Raw(b"a", inner_header), Raw(b"b", b"y" * 20, offset=len(b"a") + 30)])
    assert rejected(data).family == "overlap"


def test_prepended_data_raw() -> None:
    data = writer_archive({"a": (b"hello", False)})
    assert rejected(b"MZ-self-extractor" + data).family == "prepended-data"


def test_prepended_data_with_adjusted_offsets(tmp_path: Path) -> None:
    path = tmp_path / "sfx.zip"
    path.write_bytes(b"#!/bin/sh\necho self-extracting\n")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("a", b"hello")
    assert rejected(path.read_bytes()).family == "prepended-data"


def test_hidden_data_between_entries() -> None:
    data = raw_archive([Raw(b"a", b"x"), Raw(b"b", b"y")], gap=b"hidden")
    assert rejected(data).family == "hidden-data"


def test_trailing_data() -> None:
    data = writer_archive({"a": (b"hello", False)})
    assert rejected(data + b"trailing bytes").family == "trailing-data"


def test_data_between_entries_and_directory() -> None:
    data = raw_archive([Raw(b"a", b"x")], gap=b"hidden")
    assert rejected(data).family == "trailing-data"


def test_entry_count_disagrees_with_directory() -> None:
    data = bytearray(raw_archive([Raw(b"a", b"x"), Raw(b"b", b"y")]))
    end = len(data) - 22
    struct.pack_into("<HH", data, end + 8, 1, 1)
    assert rejected(bytes(data)).family == "bad-directory"


def test_long_comment() -> None:
    data = bytearray(raw_archive([Raw(b"a", b"x")]))
    struct.pack_into("<H", data, len(data) - 2, 2000)
    assert rejected(bytes(data) + b"c" * 2000).family == "not-zip"


def test_split_archive() -> None:
    data = bytearray(raw_archive([Raw(b"a", b"x")]))
    struct.pack_into("<H", data, len(data) - 22 + 4, 1)
    assert rejected(bytes(data)).family == "multi-disk"


def test_directory_larger_than_its_entries_need() -> None:
    data = bytearray(raw_archive([Raw(b"a", b"x")]))
    end = len(data) - 22
    directory_offset = struct.unpack_from("<I", data, end + 16)[0]
    struct.pack_into("<H", data, directory_offset + 32, 3000)  # a 3,000-byte comment on the entry
    patched = bytes(data[:end]) + b"c" * 3000 + bytes(data[end:])
    patched = bytearray(patched)
    struct.pack_into("<I", patched, len(patched) - 22 + 12, 46 + 1 + 3000)
    assert rejected(bytes(patched)).family == "bad-directory"
