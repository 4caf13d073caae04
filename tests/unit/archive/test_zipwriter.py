"""The streaming ZIP writer: readable by zipfile and unzip, resumable byte for byte, ZIP64 when needed."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import struct
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from kluis.archive.zipwriter import (
    CentralEntry,
    ZipWriter,
    dos_date_time,
    encode_central_header,
    encode_end_records,
)

MOMENT = datetime(2025, 3, 14, 15, 9, 26)
UNZIP = shutil.which("unzip") or "/usr/bin/unzip"


def build(entries: list[tuple[str, bytes, bool]]) -> bytes:
    out = io.BytesIO()
    writer = ZipWriter(out)
    for name, data, compress in entries:
        # Several chunks, so streaming across chunk boundaries is exercised.
        chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]
        writer.write_entry(name, chunks, compress=compress, modified=MOMENT)
    writer.finish()
    return out.getvalue()


def unzip_test(data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "archive.zip"
    path.write_bytes(data)
    return subprocess.run([UNZIP, "-t", str(path)], capture_output=True, text=True, check=False)


SAMPLE = [
    ("records/journal.jsonl", b'{"id": 1, "amount": "12.50"}\n' * 500, True),
    ("documents/abc-123.pdf", bytes(range(256)) * 40, False),
    ("manifest.json", b'{"format": "kluis"}', True),
]


def test_zipfile_reads_every_entry() -> None:
    data = build(SAMPLE)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [name for name, _, _ in SAMPLE]
        for name, content, compress in SAMPLE:
            assert archive.read(name) == content
            info = archive.getinfo(name)
            assert info.compress_type == (zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
            assert info.date_time == (2025, 3, 14, 15, 9, 26)
            assert info.external_attr >> 16 == 0o100644


@pytest.mark.skipif(not Path(UNZIP).exists(), reason="unzip not installed")
def test_unzip_accepts_archive(tmp_path: Path) -> None:
    result = unzip_test(build(SAMPLE), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_returned_entry_describes_the_data() -> None:
    out = io.BytesIO()
    writer = ZipWriter(out)
    content = b"hello world " * 1000
    entry = writer.write_entry("a.txt", iter([content]), compress=True, modified=MOMENT)
    assert entry.size == len(content)
    assert entry.sha256 == hashlib.sha256(content).hexdigest()
    assert entry.compressed_size < entry.size
    assert entry.offset == 0
    stored = writer.write_entry("b.bin", [content], compress=False, modified=MOMENT)
    assert stored.compressed_size == stored.size == len(content)
    assert stored.offset > entry.offset
    assert writer.entries == [entry, stored]


def test_unicode_names_and_empty_entry(tmp_path: Path) -> None:
    entries = [("documents/factuur-é€漢.pdf", b"pdf", False), ("leeg.jsonl", b"", True), ("x", b"", False)]
    data = build(entries)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [name for name, _, _ in entries]
        assert archive.getinfo("documents/factuur-é€漢.pdf").flag_bits & 0x800
        assert archive.read("leeg.jsonl") == b""
    if Path(UNZIP).exists():
        assert unzip_test(data, tmp_path).returncode == 0


def test_empty_archive_is_valid() -> None:
    with zipfile.ZipFile(io.BytesIO(build([]))) as archive:
        assert archive.namelist() == []


def test_duplicate_and_empty_names_refused() -> None:
    writer = ZipWriter(io.BytesIO())
    writer.write_entry("a", [b"1"], compress=False, modified=MOMENT)
    with pytest.raises(ValueError):
        writer.write_entry("a", [b"2"], compress=False, modified=MOMENT)
    with pytest.raises(ValueError):
        writer.write_entry("", [b"2"], compress=False, modified=MOMENT)


def test_nothing_after_finish() -> None:
    writer = ZipWriter(io.BytesIO())
    writer.finish()
    with pytest.raises(ValueError):
        writer.write_entry("a", [b"1"], compress=False, modified=MOMENT)
    with pytest.raises(ValueError):
        writer.finish()


def test_resume_is_byte_identical() -> None:
    whole = build(SAMPLE)

    first = io.BytesIO()
    writer = ZipWriter(first)
    name, content, compress = SAMPLE[0]
    writer.write_entry(name, [content], compress=compress, modified=MOMENT)
    # The checkpoint crosses an invocation boundary as JSON.
    state = json.loads(json.dumps(writer.checkpoint()))

    second = io.BytesIO()
    resumed = ZipWriter.resume(second, state)
    assert resumed.offset == len(first.getvalue())
    for name, content, compress in SAMPLE[1:]:
        resumed.write_entry(name, [content], compress=compress, modified=MOMENT)
    resumed.finish()
    assert first.getvalue() + second.getvalue() == whole


def test_resume_rejects_unknown_checkpoint() -> None:
    with pytest.raises(ValueError):
        ZipWriter.resume(io.BytesIO(), {"version": 99, "offset": 0, "entries": []})


def test_dos_date_time() -> None:
    date, time = dos_date_time(datetime(2025, 12, 31, 23, 59, 59))
    assert date == (45 << 9) | (12 << 5) | 31
    assert time == (23 << 11) | (59 << 5) | 29
    assert dos_date_time(datetime(1970, 1, 1)) == ((1 << 5) | 1, 0)


def test_many_entries_use_zip64_end_record(tmp_path: Path) -> None:
    count = 65_540
    out = io.BytesIO()
    writer = ZipWriter(out)
    for index in range(count):
        writer.write_entry(f"r/{index}", [b"x"], compress=False, modified=MOMENT)
    writer.finish()
    data = out.getvalue()
    assert struct.pack("<I", 0x06064B50) in data[-200:]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        assert len(infos) == count
        assert archive.read("r/65539") == b"x"
    if Path(UNZIP).exists():
        result = unzip_test(data, tmp_path)
        assert result.returncode == 0, result.stderr


def test_central_header_moves_large_values_to_zip64_extra() -> None:
    entry = CentralEntry(
        name="big.pdf",
        method=0,
        crc32=0x12345678,
        compressed_size=5 * 2**30,
        size=5 * 2**30,
        offset=7 * 2**30,
        dos_date=1,
        dos_time=2,
        sha256="0" * 64,
    )
    header = encode_central_header(entry)
    fields = struct.unpack_from("<IHHHHHHIIIHHHHHII", header)
    assert fields[7] == 0x12345678
    assert fields[8] == fields[9] == fields[16] == 0xFFFFFFFF
    name_length, extra_length = fields[10], fields[11]
    assert header[46 : 46 + name_length] == b"big.pdf"
    extra = header[46 + name_length : 46 + name_length + extra_length]
    # Order per APPNOTE: uncompressed size, compressed size, local header offset.
    assert struct.unpack("<HHQQQ", extra) == (1, 24, 5 * 2**30, 5 * 2**30, 7 * 2**30)


def test_central_header_only_overflowing_fields_in_zip64_extra() -> None:
    entry = CentralEntry("a", 8, 0, 100, 200, 5 * 2**30, 1, 2, "0" * 64)
    header = encode_central_header(entry)
    fields = struct.unpack_from("<IHHHHHHIIIHHHHHII", header)
    assert (fields[8], fields[9], fields[16]) == (100, 200, 0xFFFFFFFF)
    assert struct.unpack_from("<HHQ", header, 46 + 1) == (1, 8, 5 * 2**30)


def test_small_values_need_no_zip64_extra() -> None:
    header = encode_central_header(CentralEntry("a", 8, 0, 100, 200, 300, 1, 2, "0" * 64))
    assert len(header) == 46 + 1


def test_end_records_for_large_offsets() -> None:
    offset, size = 6 * 2**30, 1000
    records = encode_end_records(3, offset, size)
    zip64 = struct.unpack_from("<IQHHIIQQQQ", records)
    assert zip64[0] == 0x06064B50
    assert zip64[6:] == (3, 3, size, offset)
    locator = struct.unpack_from("<IIQI", records, 56)
    assert locator == (0x07064B50, 0, offset + size, 1)
    end = struct.unpack_from("<IHHHHIIH", records, 76)
    assert end == (0x06054B50, 0, 0, 3, 3, size, 0xFFFFFFFF, 0)
    assert len(records) == 76 + 22


def test_end_record_plain_when_small() -> None:
    records = encode_end_records(2, 1000, 100)
    assert len(records) == 22
    assert struct.unpack("<IHHHHIIH", records) == (0x06054B50, 0, 0, 2, 2, 100, 1000, 0)
