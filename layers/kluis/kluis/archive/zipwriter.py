"""A streaming ZIP64 writer whose whole state is a small JSON checkpoint.

Why hand-written: a backup build may near the Lambda time limit and must continue the *same* archive in a
next invocation, writing on into the same S3 multipart upload. That needs the writer's complete state
(the central directory entries written so far and the byte offset) as a small JSON-serializable value.
Neither the standard library's `zipfile` nor zipstream-ng nor stream-zip offer that, and a minimal writer
is as fast as any of them (docs/performance.md, "Measured facts").

Format choices, all so that any size works without seeking back:

- every entry has general purpose flag bit 3 (sizes and CRC follow the data in a data descriptor) and
  bit 11 (UTF-8 names);
- every local header carries a ZIP64 extra field with zero sizes, which tells readers that the data
  descriptor holds 8-byte sizes;
- the central directory uses ZIP64 extra fields only for values that do not fit in 32 bits, and the
  ZIP64 end of central directory record + locator only when the archive needs them, so small archives
  stay plain ZIP for old readers.

Memory: by default the central directory's entries are kept (`entries`, a JSON checkpoint). Given a
`directory` file (the function's ephemeral storage), each entry's central header is encoded as it
is written and appended there instead, so memory does not grow with the entries (250,000 entries are
~30 MB of headers on disk); `finish` streams the file, and the checkpoint then names only its length:
the caller keeps the file with the checkpoint (`kluis.flows.backup.checkpoint`).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol

STORED = 0
DEFLATED = 8

LOCAL_HEADER_SIGNATURE = 0x04034B50
DATA_DESCRIPTOR_SIGNATURE = 0x08074B50
CENTRAL_HEADER_SIGNATURE = 0x02014B50
ZIP64_END_SIGNATURE = 0x06064B50
ZIP64_LOCATOR_SIGNATURE = 0x07064B50
END_SIGNATURE = 0x06054B50

ZIP64_EXTRA_ID = 0x0001
FLAGS = 0x0008 | 0x0800  # bit 3: data descriptor follows; bit 11: names are UTF-8
VERSION_NEEDED = 45  # 4.5: ZIP64
VERSION_MADE_BY = (3 << 8) | VERSION_NEEDED  # 3 = unix, so readers honour the unix mode below
EXTERNAL_ATTRIBUTES = (0o100644 << 16) & 0xFFFFFFFF  # regular file, rw-r--r--

MAX_32 = 0xFFFFFFFF
MAX_16 = 0xFFFF
CHECKPOINT_VERSION = 1  # the entries in the checkpoint
SPILLED_CHECKPOINT_VERSION = 2  # the entries in a directory file beside it
CENTRAL_FIXED = struct.Struct("<IHHHHHHIIIHHHHHII")
COPY_CHUNK = 1024 * 1024


class Writable(Protocol):
    """Anything with `write(bytes)`: a file, an S3 multipart sink, a test buffer."""

    def write(self, data: bytes) -> Any: ...


@dataclass(frozen=True, slots=True)  # kept for every entry until the central directory
class CentralEntry:
    """What the central directory needs about one written entry, plus its SHA-256 for the manifest."""

    name: str
    method: int
    crc32: int
    compressed_size: int
    size: int
    offset: int
    dos_date: int
    dos_time: int
    sha256: str


def dos_date_time(moment: datetime) -> tuple[int, int]:
    """MS-DOS (date, time) of `moment`; DOS dates start in 1980 and have 2-second resolution."""
    if moment.year < 1980:
        return (0 << 9) | (1 << 5) | 1, 0
    if moment.year > 2107:
        return (127 << 9) | (12 << 5) | 31, (23 << 11) | (59 << 5) | 29
    date = ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day
    time = (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2)
    return date, time


def encode_local_header(name: bytes, method: int, dos_date: int, dos_time: int) -> bytes:
    """Local file header with CRC and sizes deferred to the data descriptor (bit 3).

    The sizes are 0xFFFFFFFF with a ZIP64 extra field of zero sizes: that marks the entry as ZIP64, so
    readers expect the 8-byte sizes of the data descriptor whatever the entry turns out to be.
    """
    extra = struct.pack("<HHQQ", ZIP64_EXTRA_ID, 16, 0, 0)
    fixed = struct.pack(
        "<IHHHHHIIIHH",
        LOCAL_HEADER_SIGNATURE,
        VERSION_NEEDED,
        FLAGS,
        method,
        dos_time,
        dos_date,
        0,
        MAX_32,
        MAX_32,
        len(name),
        len(extra),
    )
    return fixed + name + extra


def encode_data_descriptor(crc32: int, compressed_size: int, size: int) -> bytes:
    """ZIP64 data descriptor: signature, CRC-32, 8-byte compressed and uncompressed sizes."""
    return struct.pack("<IIQQ", DATA_DESCRIPTOR_SIGNATURE, crc32, compressed_size, size)


def encode_central_header(entry: CentralEntry) -> bytes:
    """Central directory header; values that do not fit 32 bits move to a ZIP64 extra field."""
    name = entry.name.encode("utf-8")
    zip64_values = [v for v in (entry.size, entry.compressed_size, entry.offset) if v >= MAX_32]
    # The ZIP64 extra field lists only the overflowing fields, in this fixed order (APPNOTE 4.5.3).
    extra = b""
    if zip64_values:
        extra = struct.pack(f"<HH{len(zip64_values)}Q", ZIP64_EXTRA_ID, 8 * len(zip64_values), *zip64_values)
    fixed = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        CENTRAL_HEADER_SIGNATURE,
        VERSION_MADE_BY,
        VERSION_NEEDED,
        FLAGS,
        entry.method,
        entry.dos_time,
        entry.dos_date,
        entry.crc32,
        min(entry.compressed_size, MAX_32),
        min(entry.size, MAX_32),
        len(name),
        len(extra),
        0,
        0,
        0,
        EXTERNAL_ATTRIBUTES,
        min(entry.offset, MAX_32),
    )
    return fixed + name + extra


def needs_zip64_end(count: int, directory_offset: int, directory_size: int) -> bool:
    """True when the plain end record cannot hold the count, the directory's offset or its size."""
    return count >= MAX_16 or directory_offset >= MAX_32 or directory_size >= MAX_32


def encode_end_records(count: int, directory_offset: int, directory_size: int) -> bytes:
    """End of central directory, preceded by the ZIP64 end record and locator when needed."""
    records = b""
    if needs_zip64_end(count, directory_offset, directory_size):
        zip64_end_offset = directory_offset + directory_size
        records += struct.pack(
            "<IQHHIIQQQQ",
            ZIP64_END_SIGNATURE,
            44,  # size of the rest of this record
            VERSION_MADE_BY,
            VERSION_NEEDED,
            0,
            0,
            count,
            count,
            directory_size,
            directory_offset,
        )
        records += struct.pack("<IIQI", ZIP64_LOCATOR_SIGNATURE, 0, zip64_end_offset, 1)
    records += struct.pack(
        "<IHHHHIIH",
        END_SIGNATURE,
        0,
        0,
        min(count, MAX_16),
        min(count, MAX_16),
        min(directory_size, MAX_32),
        min(directory_offset, MAX_32),
        0,
    )
    return records


class ZipWriter:
    """Writes a ZIP64 archive as a stream; `checkpoint()`/`resume()` carry it across invocations."""

    def __init__(
        self,
        out: Writable,
        *,
        entries: list[CentralEntry] | None = None,
        offset: int = 0,
        compress_level: int = 6,
        directory: BinaryIO | None = None,
    ) -> None:
        self._out = out
        self._entries: list[CentralEntry] = list(entries or [])
        self._directory = directory
        # In memory: the names, to refuse duplicates. Spilled: only their hashes, read back on resume.
        self._names: set[object] = {entry.name for entry in self._entries}
        self._count = len(self._entries)
        if directory is not None:
            directory.seek(0, 2)
            for entry in self._entries:
                directory.write(encode_central_header(entry))
            self._entries, self._names, self._count = [], set(), 0
            directory.seek(0)
            for name in _spilled_names(directory):
                self._names.add(hash(name))
                self._count += 1
            directory.seek(0, 2)
        self._offset = offset
        self._compress_level = compress_level
        self._finished = False

    @property
    def count(self) -> int:
        """Entries written so far, by this and earlier invocations."""
        return self._count

    @property
    def offset(self) -> int:
        """Bytes of the archive written so far, by this and earlier invocations."""
        return self._offset

    @property
    def entries(self) -> list[CentralEntry]:
        """The entries written so far, in archive order (kept in memory only without a directory file)."""
        if self._directory is not None:
            raise ValueError("the entries are in the directory file, not in memory")
        return list(self._entries)

    def _write(self, data: bytes) -> None:
        if data:
            self._out.write(data)
            self._offset += len(data)

    def write_entry(
        self, name: str, chunks: Iterable[bytes], *, compress: bool, modified: datetime
    ) -> CentralEntry:
        """Stream one entry from `chunks`; CRC-32, SHA-256 and sizes are computed in the same pass."""
        encoded = self._check_name(name)
        method = DEFLATED if compress else STORED
        dos_date, dos_time = dos_date_time(modified)
        header_offset = self._offset
        self._write(encode_local_header(encoded, method, dos_date, dos_time))
        crc, sha256, size, compressed_size = self._write_data(chunks, compress)
        self._write(encode_data_descriptor(crc, compressed_size, size))
        entry = CentralEntry(
            name=name,
            method=method,
            crc32=crc,
            compressed_size=compressed_size,
            size=size,
            offset=header_offset,
            dos_date=dos_date,
            dos_time=dos_time,
            sha256=sha256,
        )
        if self._directory is not None:
            self._directory.write(encode_central_header(entry))
            self._names.add(hash(name))
        else:
            self._entries.append(entry)
            self._names.add(name)
        self._count += 1
        return entry

    def _check_name(self, name: str) -> bytes:
        if self._finished:
            raise ValueError("the archive is already finished")
        known = hash(name) if self._directory is not None else name
        if not name or known in self._names:
            raise ValueError(f"empty or duplicate entry name: {name!r}")
        encoded = name.encode("utf-8")
        if len(encoded) > MAX_16:
            raise ValueError(f"entry name too long: {name[:80]!r}...")
        return encoded

    def _write_data(self, chunks: Iterable[bytes], compress: bool) -> tuple[int, str, int, int]:
        """Write the entry's data; returns (crc32, sha256 hex, size, compressed size)."""
        crc = 0
        digest = hashlib.sha256()
        size = 0
        start = self._offset
        compressor = zlib.compressobj(self._compress_level, zlib.DEFLATED, -15) if compress else None
        for chunk in chunks:
            crc = zlib.crc32(chunk, crc)
            digest.update(chunk)
            size += len(chunk)
            self._write(compressor.compress(chunk) if compressor else chunk)
        if compressor:
            self._write(compressor.flush())
        return crc, digest.hexdigest(), size, self._offset - start

    def finish(self) -> None:
        """Write the central directory and the end records; the writer accepts nothing after this."""
        if self._finished:
            raise ValueError("the archive is already finished")
        directory_offset = self._offset
        if self._directory is not None:
            self._directory.flush()
            self._directory.seek(0)
            while chunk := self._directory.read(COPY_CHUNK):
                self._write(chunk)
        else:
            self._write(b"".join(encode_central_header(entry) for entry in self._entries))
        directory_size = self._offset - directory_offset
        self._write(encode_end_records(self._count, directory_offset, directory_size))
        self._finished = True

    def checkpoint(self) -> dict[str, Any]:
        """JSON-serializable state from which `resume()` continues this archive exactly.

        With a directory file, the state names the file's length; the file itself must go with it.
        """
        if self._directory is not None:
            self._directory.flush()
            return {
                "version": SPILLED_CHECKPOINT_VERSION,
                "offset": self._offset,
                "count": self._count,
                "directory_bytes": self._directory.seek(0, 2),
            }
        return {
            "version": CHECKPOINT_VERSION,
            "offset": self._offset,
            "entries": [asdict(entry) for entry in self._entries],
        }

    @classmethod
    def resume(
        cls,
        out: Writable,
        checkpoint: dict[str, Any],
        *,
        compress_level: int = 6,
        directory: BinaryIO | None = None,
    ) -> ZipWriter:
        """A writer that continues, into `out`, the archive whose state is `checkpoint`.

        A spilled checkpoint needs its `directory` file back, exactly as long as it says.
        """
        version = checkpoint.get("version")
        offset = int(checkpoint["offset"])
        if version == CHECKPOINT_VERSION:
            entries = [CentralEntry(**entry) for entry in checkpoint["entries"]]
            return cls(
                out, entries=entries, offset=offset, compress_level=compress_level, directory=directory
            )
        if version == SPILLED_CHECKPOINT_VERSION and directory is not None:
            if directory.seek(0, 2) != int(checkpoint["directory_bytes"]):
                raise ValueError("the directory file is not the one of this checkpoint")
            writer = cls(out, offset=offset, compress_level=compress_level, directory=directory)
            if writer.count != int(checkpoint["count"]):
                raise ValueError("the directory file does not hold the checkpoint's entries")
            return writer
        raise ValueError(f"unknown ZIP writer checkpoint version: {version!r}")


def _spilled_names(directory: BinaryIO) -> Iterator[str]:
    """The names in a file of central headers as `encode_central_header` wrote them."""
    while fixed := directory.read(CENTRAL_FIXED.size):
        fields = CENTRAL_FIXED.unpack(fixed)
        name_length, extra_length, comment_length = fields[10], fields[11], fields[12]
        name = directory.read(name_length)
        directory.seek(extra_length + comment_length, 1)
        yield name.decode("utf-8")
