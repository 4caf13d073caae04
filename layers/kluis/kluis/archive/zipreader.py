"""A ZIP reader for hostile archives: it checks everything before anything is trusted.

Uploaded backups are hostile until proven otherwise (docs/security.md). Python's `zipfile`
reads the central directory and trusts it: it does not reject overlapping entries (the "quoted overlap"
zip bombs), prepended or trailing data, local headers that disagree with the central directory, unsafe
or case-colliding names, symlinks, or a deflate stream that inflates past its declared size before the
CRC is checked. This module does, and reads through a small `RandomAccess` interface so the archive can
stay in S3 (`kluis.storage.ranged.S3RangeReader`).

Every rejection raises `ArchiveRejected` with a reason code (`archive.<family>[.<variant>]`, texts in
`kluis.reasons`); the families: not-zip, truncated, multi-disk, trailing-data, prepended-data,
hidden-data, bad-directory, header-mismatch, unsafe-name, duplicate-name, directory, symlink,
special-file, encrypted, unsupported-method, too-many-entries, too-large, zip-bomb, overlap, corrupt,
size-mismatch, crc-mismatch.
"""

from __future__ import annotations

import re
import stat
import struct
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Protocol

from kluis.archive.entry_index import Entry, EntryIndex
from kluis.errors import KluisError
from kluis.reasons import shown

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
END_RECORD = struct.Struct("<IHHHHIIH")
ZIP64_END_RECORD = struct.Struct("<IQHHIIQQQQ")
ZIP64_LOCATOR = struct.Struct("<IIQI")

LOCAL_SIGNATURE = 0x04034B50
CENTRAL_SIGNATURE = 0x02014B50
END_SIGNATURE = 0x06054B50
ZIP64_END_SIGNATURE = 0x06064B50
ZIP64_LOCATOR_SIGNATURE = 0x07064B50
DESCRIPTOR_SIGNATURE = 0x08074B50
ZIP64_EXTRA_ID = 0x0001

FLAG_ENCRYPTED = 0x0001
FLAG_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
FLAG_UTF8 = 0x0800
FLAG_MASKED_DIRECTORY = 0x2000
MAX_16 = 0xFFFF
MAX_32 = 0xFFFFFFFF
SUPPORTED_METHODS = (0, 8)
MAX_END_SEARCH = END_RECORD.size + MAX_16  # the end record plus the longest possible comment
DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
UNIX_HOST = 3
MAX_CENTRAL_EXTRAS = 1024  # extra field + comment bytes allowed per central record
DOS_DIRECTORY_ATTRIBUTE = 0x10


class ArchiveRejected(KluisError):
    """The archive is not accepted. Its reason code is `archive.<family>[.<variant>]`, from the catalogue.

    The family (e.g. `zip-bomb`, `unsafe-name`) classifies the defence that refused it; the variant
    says which of that family's checks, so each has its own text for people.
    """

    default_code = "archive.not_zip"

    def __init__(self, code: str, /, **params: str | int) -> None:
        if not code.startswith("archive."):
            raise ValueError(f"not an archive reason: {code!r}")
        super().__init__(code, **params)

    @property
    def family(self) -> str:
        return self.reason.code.split(".")[1].replace("_", "-")


class RandomAccess(Protocol):
    """Bytes that can be read at any offset: an S3 object, a file, a bytes value."""

    size: int

    def read_at(self, offset: int, length: int) -> bytes: ...


class BytesSource:
    """`RandomAccess` over bytes already in memory (tests, small archives)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.size = len(data)

    def read_at(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        return self._data[offset : offset + length]


@dataclass(frozen=True)
class Limits:
    """What an archive may declare; anything above is refused before a byte is inflated."""

    # Entries are indexed on disk, not held in memory (kluis.archive.entry_index): ~600 bytes of
    # the function's ephemeral storage each, so a million fit in ValidateRestoreFunction's 2 GB.
    max_entries: int = 1_000_000
    max_entry_size: int = 8 * GIB
    max_total_size: int = 64 * GIB
    max_ratio: int = 200
    ratio_floor: int = 1 * MIB  # entries this small are exempt: tiny JSON compresses very well
    max_name_length: int = 255
    max_archive_size: int = 64 * GIB
    max_comment_length: int = 1 * KIB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class _Central:
    """A central directory record, parsed; checked further against its local header."""

    entry: Entry
    raw_name: bytes
    zip64: bool


@dataclass(frozen=True)
class _Directory:
    """Where the central directory is and how many entries it claims."""

    offset: int
    size: int
    count: int


def _reject(code: str, **params: str | int) -> ArchiveRejected:
    return ArchiveRejected(code, **params)


def _read_exact(src: RandomAccess, offset: int, length: int) -> bytes:
    if offset < 0 or offset + length > src.size:
        raise _reject("archive.truncated")
    data = src.read_at(offset, length)
    if len(data) != length:
        raise _reject("archive.truncated")
    return data


# --- end of central directory ---------------------------------------------------------------------


def _find_end_record(src: RandomAccess, limits: Limits) -> int:
    """Offset of the end of central directory record, which must end exactly where the file ends."""
    if src.size == 0:
        raise _reject("archive.not_zip.empty")
    if src.size > limits.max_archive_size:
        raise _reject("archive.too_large")
    tail_start = max(0, src.size - MAX_END_SEARCH)
    tail = src.read_at(tail_start, src.size - tail_start)
    position = tail.rfind(b"PK\x05\x06")
    if position < 0 or len(tail) - position < END_RECORD.size:
        if src.read_at(0, 4) == b"PK\x03\x04":
            raise _reject("archive.truncated.end_missing")
        raise _reject("archive.not_zip")
    comment_length = END_RECORD.unpack_from(tail, position)[7]
    end = position + END_RECORD.size + comment_length
    if end < len(tail):
        raise _reject("archive.trailing_data")
    if end > len(tail):
        raise _reject("archive.truncated.end_cut_off")
    if comment_length > limits.max_comment_length:
        raise _reject("archive.not_zip.long_comment")
    return tail_start + position


def _read_directory_location(src: RandomAccess, limits: Limits) -> _Directory:
    """Central directory offset, size and count, from the end record and, if used, the ZIP64 one."""
    end_offset = _find_end_record(src, limits)
    fields = END_RECORD.unpack(_read_exact(src, end_offset, END_RECORD.size))
    _, disk, directory_disk, disk_count, count, size, offset, _ = fields
    if disk != 0 or directory_disk != 0 or disk_count != count:
        raise _reject("archive.multi_disk")
    directory_end = end_offset
    locator_offset = end_offset - ZIP64_LOCATOR.size
    if locator_offset >= 0 and _read_exact(src, locator_offset, 4) == b"PK\x06\x07":
        zip64_offset, zip64 = _read_zip64_end(src, locator_offset)
        for plain, wide in ((count, zip64.count), (size, zip64.size), (offset, zip64.offset)):
            if plain not in (MAX_16, MAX_32) and plain != wide:
                raise _reject("archive.bad_directory.end_records")
        count, size, offset, directory_end = zip64.count, zip64.size, zip64.offset, zip64_offset
    elif count == MAX_16 or MAX_32 in (size, offset):
        raise _reject("archive.truncated.zip64_end_missing")
    if offset + size > directory_end:
        raise _reject("archive.truncated.directory_outside")
    if offset + size < directory_end:
        raise _misplaced_directory(src, directory_end - size)
    if count > limits.max_entries:
        raise _reject("archive.too_many_entries", limit=f"{limits.max_entries:,}")
    # The directory is read into memory at once, so its size is bounded by what its entries may hold:
    # a name of at most max_name_length UTF-8 characters and a little room for extra fields.
    per_entry = CENTRAL_HEADER.size + 4 * limits.max_name_length + MAX_CENTRAL_EXTRAS
    if size < count * CENTRAL_HEADER.size or size > count * per_entry:
        raise _reject("archive.bad_directory.count")
    return _Directory(offset=offset, size=size, count=count)


def _misplaced_directory(src: RandomAccess, expected_offset: int) -> ArchiveRejected:
    """The directory is not where the end record says: data was put before the archive, or inside it."""
    # A directory found right before the end record means every offset is shifted by a prefix.
    if expected_offset >= 0 and src.read_at(expected_offset, 4) == b"PK\x01\x02":
        return _reject("archive.prepended_data")
    return _reject("archive.trailing_data.after_directory")


def _read_zip64_end(src: RandomAccess, locator_offset: int) -> tuple[int, _Directory]:
    """(offset, location) from the ZIP64 end record the locator points at; it must end at the locator."""
    _, disk, zip64_offset, disks = ZIP64_LOCATOR.unpack(_read_exact(src, locator_offset, ZIP64_LOCATOR.size))
    if disk != 0 or disks != 1:
        raise _reject("archive.multi_disk")
    record = ZIP64_END_RECORD.unpack(_read_exact(src, zip64_offset, ZIP64_END_RECORD.size))
    signature, record_size, _, _, disk, directory_disk, disk_count, count, size, offset = record
    if signature != ZIP64_END_SIGNATURE or zip64_offset + 12 + record_size != locator_offset:
        raise _reject("archive.bad_directory.zip64_end")
    if disk != 0 or directory_disk != 0 or disk_count != count:
        raise _reject("archive.multi_disk")
    return zip64_offset, _Directory(offset=offset, size=size, count=count)


# --- central directory ----------------------------------------------------------------------------


def _parse_extra(extra: bytes) -> dict[int, bytes]:
    """Extra fields by id; malformed or repeated fields make an entry ambiguous, so they are refused."""
    fields: dict[int, bytes] = {}
    position = 0
    while position < len(extra):
        if position + 4 > len(extra):
            raise _reject("archive.header_mismatch.damaged")
        field_id, length = struct.unpack_from("<HH", extra, position)
        value = extra[position + 4 : position + 4 + length]
        if len(value) != length or field_id in fields:
            raise _reject("archive.header_mismatch.damaged")
        fields[field_id] = value
        position += 4 + length
    return fields


def _zip64_values(extra: dict[int, bytes], values: list[int]) -> tuple[list[int], bool]:
    """Replace 0xFFFFFFFF placeholders in `values` by the ZIP64 extra field's 8-byte values, in order."""
    wanted = [i for i, value in enumerate(values) if value == MAX_32]
    field = extra.get(ZIP64_EXTRA_ID)
    if not wanted:
        return values, field is not None
    if field is None or len(field) < 8 * len(wanted):
        raise _reject("archive.header_mismatch.zip64_missing")
    resolved = list(values)
    for position, index in enumerate(wanted):
        resolved[index] = struct.unpack_from("<Q", field, 8 * position)[0]
    return resolved, True


def _check_name(raw: bytes, flags: int, limits: Limits) -> str:
    """The entry name, if it is safe to extract anywhere; otherwise the archive is rejected."""
    replaced = raw.decode("utf-8", "replace")
    if not flags & FLAG_UTF8 and not raw.isascii():
        raise _reject("archive.unsafe_name.not_utf8", name=shown(replaced))
    try:
        name = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _reject("archive.unsafe_name.not_utf8", name=shown(replaced)) from None
    if name.endswith("/"):
        raise _reject("archive.directory", name=shown(name))
    if len(name) > limits.max_name_length:
        raise _reject("archive.unsafe_name.too_long", name=shown(name))
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in name):
        raise _reject("archive.unsafe_name.control", name=shown(name))
    if "\\" in name or DRIVE_LETTER.match(name):
        raise _reject("archive.unsafe_name.windows_path", name=shown(name))
    if any(segment in ("", ".", "..") for segment in name.split("/")):
        raise _reject("archive.unsafe_name.outside", name=shown(name))
    return name


def _check_file_type(name: str, made_by: int, external: int) -> None:
    """Only regular files: a symlink or device could point an extraction anywhere."""
    if external & DOS_DIRECTORY_ATTRIBUTE:
        raise _reject("archive.directory", name=shown(name))
    if made_by >> 8 != UNIX_HOST:
        return
    mode = external >> 16
    if stat.S_ISLNK(mode):
        raise _reject("archive.symlink", name=shown(name))
    if stat.S_ISDIR(mode):
        raise _reject("archive.directory", name=shown(name))
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        raise _reject("archive.special_file", name=shown(name))


def _check_flags_and_method(name: str, flags: int, method: int) -> None:
    if flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_DIRECTORY):
        raise _reject("archive.encrypted", name=shown(name))
    if method not in SUPPORTED_METHODS:
        raise _reject("archive.unsupported_method", method=method, name=shown(name))


def _check_sizes(entry: Entry, limits: Limits) -> None:
    if entry.method == 0 and entry.compressed_size != entry.size:
        raise _reject("archive.header_mismatch.sizes", name=shown(entry.name))
    if entry.size > limits.max_entry_size:
        raise _reject("archive.too_large.entry", name=shown(entry.name))
    exempt = entry.size <= limits.ratio_floor
    if entry.method == 8 and not exempt and entry.size > entry.compressed_size * limits.max_ratio:
        raise _reject("archive.zip_bomb", name=shown(entry.name))


def _parse_central(record: bytes, position: int, limits: Limits) -> tuple[_Central, int]:
    """One central directory record at `position`; returns it and the position of the next one."""
    if len(record) < position + CENTRAL_HEADER.size:
        raise _reject("archive.bad_directory")
    fields = CENTRAL_HEADER.unpack_from(record, position)
    signature, made_by, _, flags, method, _, _, crc, compressed, size = fields[:10]
    name_length, extra_length, comment_length, disk, _, external, offset = fields[10:]
    start = position + CENTRAL_HEADER.size
    end = start + name_length + extra_length + comment_length
    if signature != CENTRAL_SIGNATURE or end > len(record):
        raise _reject("archive.bad_directory")
    raw_name = record[start : start + name_length]
    name = _check_name(raw_name, flags, limits)
    extra = _parse_extra(record[start + name_length : start + name_length + extra_length])
    (size, compressed, offset), zip64 = _zip64_values(extra, [size, compressed, offset])
    if disk not in (0, MAX_16):
        raise _reject("archive.multi_disk")
    _check_flags_and_method(name, flags, method)
    _check_file_type(name, made_by, external)
    entry = Entry(name, method, flags, crc, compressed, size, offset)
    _check_sizes(entry, limits)
    return _Central(entry=entry, raw_name=raw_name, zip64=zip64), end


def _name_key(name: str) -> str:
    """Names that extract to the same file on some system (case, Unicode form) count as duplicates."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def _header_mismatch(name: str) -> ArchiveRejected:
    return _reject("archive.header_mismatch", name=shown(name))


def _check_local(src: RandomAccess, central: _Central, limit: int) -> tuple[int, int]:
    """Compare the local header with the central record; returns (data offset, end of entry)."""
    data_offset, data_end, wide = _check_local_header(src, central, limit)
    if wide is not None:
        data_end += _descriptor_length(src, central.entry, data_end, limit, wide)
    return data_offset, data_end


def _check_local_header(src: RandomAccess, central: _Central, limit: int) -> tuple[int, int, bool | None]:
    """The local header against the central record, before the data is read.

    Returns (data offset, end of the data, descriptor layout): None without a data descriptor, else
    whether it is announced as ZIP64 (8-byte sizes); the descriptor itself follows the data.
    """
    entry = central.entry
    if entry.header_offset + LOCAL_HEADER.size > limit:
        raise _reject("archive.truncated.entry_outside", name=shown(entry.name))
    fields = LOCAL_HEADER.unpack(_read_exact(src, entry.header_offset, LOCAL_HEADER.size))
    signature, _, flags, method, _, _, crc, compressed, size, name_length, extra_length = fields
    data_offset = entry.header_offset + LOCAL_HEADER.size + name_length + extra_length
    if signature != LOCAL_SIGNATURE or data_offset > limit:
        raise _header_mismatch(entry.name)
    variable = _read_exact(src, entry.header_offset + LOCAL_HEADER.size, name_length + extra_length)
    if variable[:name_length] != central.raw_name or method != entry.method:
        raise _header_mismatch(entry.name)
    if (flags | FLAG_DESCRIPTOR) != (entry.flags | FLAG_DESCRIPTOR):
        raise _header_mismatch(entry.name)
    extra = _parse_extra(variable[name_length:])
    has_descriptor = bool((flags | entry.flags) & FLAG_DESCRIPTOR)
    if not flags & FLAG_DESCRIPTOR:
        (size, compressed), _ = _zip64_values(extra, [size, compressed])
        if (crc, compressed, size) != (entry.crc32, entry.compressed_size, entry.size):
            raise _header_mismatch(entry.name)
    data_end = data_offset + entry.compressed_size
    if data_end > limit:
        raise _reject("archive.truncated.entry_outside", name=shown(entry.name))
    wide = (ZIP64_EXTRA_ID in extra or central.zip64) if has_descriptor else None
    return data_offset, data_end, wide


def _descriptor_length(src: RandomAccess, entry: Entry, offset: int, limit: int, wide: bool) -> int:
    """Length of the data descriptor at `offset`, whose values must equal the central record's."""
    available = src.read_at(offset, min(24, max(0, limit - offset)))
    # The signature is optional and the sizes are 8 bytes for ZIP64 entries, 4 otherwise; the layout the
    # local header announces is tried first, then the other, and the values must match either way.
    layouts = [("<QQ", 8), ("<II", 4)] if wide else [("<II", 4), ("<QQ", 8)]
    for sizes_format, width in layouts:
        for prefix in (4, 0):
            length = prefix + 4 + 2 * width
            if len(available) < length:
                continue
            if prefix and struct.unpack_from("<I", available)[0] != DESCRIPTOR_SIGNATURE:
                continue
            crc = struct.unpack_from("<I", available, prefix)[0]
            compressed, size = struct.unpack_from(sizes_format, available, prefix + 4)
            if (crc, compressed, size) == (entry.crc32, entry.compressed_size, entry.size):
                return length
    raise _header_mismatch(entry.name)


# --- the checks in one streaming pass ---------------------------------------------------------------
#
# The local headers are spread through the archive, so checking them all before any data would read
# an archive on S3 twice. `read_central_directory` checks what the central directory alone shows;
# `Layout` then checks each local header, the tiling (no gap, no overlap, nothing before or after)
# and each data descriptor as the entries stream by in archive order.


class CentralDirectory:
    """The checked central directory, indexed on disk (`EntryIndex`); local headers are checked as
    the entries stream. Close it when done (it removes its index)."""

    def __init__(self, offset: int, index: EntryIndex) -> None:
        self.offset = offset  # where the central directory starts: the entries must tile [0, offset)
        self.index = index

    def __len__(self) -> int:
        return self.index.central_count

    def central(self, position: int) -> _Central:
        """The record at `position` in archive order (by header offset)."""
        entry, zip64 = self.index.central(position)
        return _Central(entry=entry, raw_name=entry.name.encode("utf-8"), zip64=zip64)

    def close(self) -> None:
        self.index.close()


def read_central_directory(src: RandomAccess, limits: Limits = DEFAULT_LIMITS) -> CentralDirectory:
    """The central directory and its end records, with every check that needs no local header.

    Read in windows and indexed on disk, so memory does not grow with the number of entries.
    """
    where = _read_directory_location(src, limits)
    index = EntryIndex()
    try:
        total = 0
        for central in _stream_centrals(src, where, limits):
            entry = central.entry
            if not index.add_central(entry, central.zip64, _name_key(entry.name)):
                raise _reject("archive.duplicate_name", name=shown(entry.name))
            total += entry.size
            if total > limits.max_total_size:
                raise _reject("archive.too_large.total")
        index.order_central()
        directory = CentralDirectory(where.offset, index)
        count = len(directory)
        if count and directory.central(count - 1).entry.header_offset + LOCAL_HEADER.size > where.offset:
            raise _reject(
                "archive.truncated.entry_outside", name=shown(directory.central(count - 1).entry.name)
            )
        previous = -1
        for position in range(count):
            offset = directory.central(position).entry.header_offset
            if offset == previous:
                raise _reject("archive.overlap")
            previous = offset
        if count and directory.central(0).entry.header_offset > 0:
            raise _reject("archive.prepended_data")
        if not count and where.offset > 0:
            raise _reject("archive.prepended_data.before_directory")
    except BaseException:
        index.close()
        raise
    return directory


DIRECTORY_WINDOW = 4 * MIB
LONGEST_CENTRAL = CENTRAL_HEADER.size + 3 * MAX_16  # fixed part, name, extra field and comment


def _stream_centrals(src: RandomAccess, where: _Directory, limits: Limits) -> Iterator[_Central]:
    """The directory's records, parsed from windows of it ."""
    if where.offset < 0 or where.offset + where.size > src.size:
        raise _reject("archive.truncated")
    window, window_start, position = b"", 0, 0
    for _ in range(where.count):
        needed = min(where.size, position + LONGEST_CENTRAL)
        if window_start + len(window) < needed:
            kept = window[position - window_start :]
            read_from = window_start + len(window)
            read_to = max(needed, min(where.size, position + DIRECTORY_WINDOW))
            window = kept + _read_exact(src, where.offset + read_from, read_to - read_from)
            window_start = position
        central, end = _parse_central(window, position - window_start, limits)
        position = window_start + end
        yield central
    if position != where.size:
        raise _reject("archive.bad_directory.count")


def locate(src: RandomAccess, directory: CentralDirectory, index: int) -> Entry:
    """Entry `index` (archive order) with its data offset, its local header and descriptor checked."""
    central = directory.central(index)
    data_offset, _ = _check_local(src, central, directory.offset)
    return replace(central.entry, data_offset=data_offset)


class Layout:
    """The walk over the entries in archive order that proves they tile the file.

    `open(i)` checks that entry i starts where the one before it ended and that its local header
    agrees with the central record, and gives the entry with its data offset; `close(i)` checks the
    data descriptor after its data; `finish()` that the last entry ends where the directory starts.
    A walk may start at any entry (a next invocation): the entry before it is located again.
    """

    def __init__(self, src: RandomAccess, directory: CentralDirectory, start: int = 0) -> None:
        self._src = src
        self._directory = directory
        self._index = start
        self._open: tuple[int, int, bool | None] | None = None  # (index, data end, descriptor layout)
        self.position = 0
        if start > 0:
            _, self.position = _check_local(src, directory.central(start - 1), directory.offset)

    def open(self, index: int) -> Entry:
        if self._open is not None:
            self.close(self._open[0])
        if index != self._index:
            raise ValueError(f"entries must be walked in order: {index} after {self._index - 1}")
        central = self._directory.central(index)
        start = central.entry.header_offset
        if start < self.position:
            raise _reject("archive.overlap")
        if start > self.position:
            raise _reject("archive.prepended_data" if index == 0 else "archive.hidden_data")
        data_offset, data_end, wide = _check_local_header(self._src, central, self._directory.offset)
        self._open = (index, data_end, wide)
        self._index += 1
        return replace(central.entry, data_offset=data_offset)

    def close(self, index: int) -> None:
        if self._open is None or self._open[0] != index:
            return  # closed already
        _, data_end, wide = self._open
        self._open = None
        entry = self._directory.central(index).entry
        if wide is not None:
            data_end += _descriptor_length(self._src, entry, data_end, self._directory.offset, wide)
        self.position = data_end

    def finish(self) -> None:
        if self._open is not None:
            self.close(self._open[0])
        if self._index < len(self._directory):
            raise ValueError("the walk is not at its end")
        if self.position < self._directory.offset:
            where = "archive.prepended_data" if not len(self._directory) else "archive.trailing_data"
            raise _reject(f"{where}.before_directory")


# --- content --------------------------------------------------------------------------------------


def _compressed_chunks(src: RandomAccess, entry: Entry, chunk_size: int) -> Iterator[bytes]:
    position = entry.data_offset
    end = entry.data_offset + entry.compressed_size
    while position < end:
        chunk = _read_exact(src, position, min(chunk_size, end - position))
        position += len(chunk)
        yield chunk


def _inflate(chunks: Iterator[bytes], entry: Entry, chunk_size: int) -> Iterator[bytes]:
    """Inflate with bounded output per call, so a bomb is stopped after at most one chunk too many."""
    inflater = zlib.decompressobj(-15)
    try:
        for chunk in chunks:
            data = chunk
            while data and not inflater.eof:
                yield inflater.decompress(data, chunk_size)
                data = inflater.unconsumed_tail
            if inflater.eof and (data or inflater.unused_data or next(chunks, b"")):
                raise _reject("archive.corrupt", name=shown(entry.name))
        while not inflater.eof:
            # Output may still be pending inside zlib after the last input was consumed.
            out = inflater.decompress(b"", chunk_size)
            if not out:
                raise _reject("archive.corrupt", name=shown(entry.name))
            yield out
    except zlib.error:
        raise _reject("archive.corrupt", name=shown(entry.name)) from None


def iter_content(
    src: RandomAccess,
    entry: Entry,
    limits: Limits = DEFAULT_LIMITS,
    chunk_size: int = 1 * MIB,
) -> Iterator[bytes]:
    """The entry's uncompressed bytes, checked against its declared size and CRC-32 as they stream.

    Memory stays around `chunk_size` whatever the entry's size. The CRC can only be checked at the end,
    so callers must treat the output as unverified until the iterator finishes without raising.
    """
    if entry.size > limits.max_entry_size:
        raise _reject("archive.too_large.entry", name=shown(entry.name))
    chunks = _compressed_chunks(src, entry, chunk_size)
    stream = chunks if entry.method == 0 else _inflate(chunks, entry, chunk_size)
    crc = 0
    produced = 0
    for out in stream:
        produced += len(out)
        if produced > entry.size:
            raise _reject("archive.zip_bomb.more_than_declared", name=shown(entry.name))
        crc = zlib.crc32(out, crc)
        if out:
            yield out
    if produced != entry.size:
        raise _reject("archive.size_mismatch", name=shown(entry.name))
    if crc != entry.crc32:
        raise _reject("archive.crc_mismatch", name=shown(entry.name))
