"""Bench-only patches to moto (this process is the bench's S3): ranged reads without whole-object copies,
and listings that do not sort the whole bucket again for every page.

moto answers a ranged GET by copying the whole object out of its buffer and slicing the copy, and an
UploadPartCopy with a byte range the same way: reading a 1 GB upload in 8 MiB ranges copies 128 GB,
so validation against moto was quadratic in the archive's size (hours at 4.6 GB). S3 serves a range
by reading the range. These patches make moto do that too: a GET with one `Range: bytes=a-b` and an
UploadPartCopy with `x-amz-copy-source-range` read only those bytes from the stored value. Nothing
else changes: same answers, headers, errors and conditions (If-Match is checked before the read).

moto lists a prefix by scanning every key of the bucket, sorting the matches and scanning to the
continuation token, for every page of 1,000: listing a 250,000-object generation took 8 minutes.
The patch sorts once per listing and keeps the sorted keys with the continuation token, so the next
page starts by bisection (a listing sees the bucket as it was at its first page).

Figures measured with these patches say so (docs/performance.md); tests never install them.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import threading
from collections import OrderedDict
from typing import Any

from moto.s3.models import FakeKey, S3Backend
from moto.s3.responses import S3Response

SIMPLE_RANGE = re.compile(r"bytes=\d+-\d+")
_local = threading.local()


class _Window:
    """What `key.value` returns during a ranged GET: its length, and slices read from the buffer."""

    def __init__(self, key: FakeKey) -> None:
        self.key = key

    def __len__(self) -> int:
        return int(self.key.contentsize)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, where: slice) -> bytes:
        start, stop, _ = where.indices(len(self))
        return _read(self.key, start, max(0, stop - start))


def _read(key: FakeKey, start: int, length: int) -> bytes:
    with key.lock:
        key._value_buffer.seek(start)
        return bytes(key._value_buffer.read(length))


def install() -> None:
    """Patch moto's S3 in this process (idempotent)."""
    if getattr(S3Response, "_kluis_ranges", False):
        return
    value = FakeKey.value
    original_get = S3Response.get_object
    original_copy = S3Backend.upload_part_copy

    def window_or_value(self: FakeKey) -> Any:
        if getattr(_local, "ranged", False):
            return _Window(self)
        return value.fget(self)  # type: ignore[attr-defined]

    def get_object(self: S3Response) -> Any:
        ranged = SIMPLE_RANGE.fullmatch(self.headers.get("range") or "") is not None
        _local.ranged = ranged and not self._get_int_param("partNumber")
        try:
            return original_get(self)
        finally:
            _local.ranged = False

    def upload_part_copy(
        self: S3Backend,
        dest_bucket_name: str,
        multipart_id: str,
        part_id: int,
        src_bucket_name: str,
        src_key_name: str,
        src_version_id: str | None,
        start_byte: int | None,
        end_byte: int | None,
    ) -> FakeKey:
        if start_byte is None or end_byte is None:
            return original_copy(
                self, dest_bucket_name, multipart_id, part_id, src_bucket_name, src_key_name,
                src_version_id, start_byte, end_byte,
            )  # fmt: skip
        multipart = self.get_bucket(dest_bucket_name).multiparts[multipart_id]
        source = self.get_object(src_bucket_name, src_key_name, version_id=src_version_id)
        return multipart.set_part(part_id, _read(source, start_byte, end_byte + 1 - start_byte))  # type: ignore[arg-type]

    listings: OrderedDict[str, tuple[list[Any], list[str]]] = OrderedDict()
    listing_lock = threading.Lock()

    def list_objects_v2(
        self: S3Backend,
        bucket: Any,
        prefix: str | None,
        delimiter: str | None,
        continuation_token: str | None,
        start_after: str | None,
        max_keys: int,
    ) -> tuple[list[Any], bool, str | None]:
        with listing_lock:
            cached = listings.pop(continuation_token, None) if continuation_token else None
        if cached is None:
            keys, folders, _, _ = self.list_objects(bucket, prefix, delimiter, marker=None, max_keys=None)
            everything = sorted(list(keys) + list(folders), key=self._get_name)
            cached = (everything, [self._get_name(k) for k in everything])
        everything, names = cached
        start = 0
        if continuation_token or start_after:
            limit = self._pagination_tokens.get(continuation_token) if continuation_token else start_after
            start = bisect.bisect_right(names, limit)
        page = everything[start : start + max_keys] if max_keys else []
        if max_keys and len(everything) - start > max_keys:
            last = self._get_name(page[-1])
            token = hashlib.md5(last.encode("utf-8")).hexdigest()
            self._pagination_tokens[token] = last
            with listing_lock:
                listings[token] = cached
                while len(listings) > 16:
                    listings.popitem(last=False)
            return page, True, token
        return page, False, None

    S3Backend.list_objects_v2 = list_objects_v2  # type: ignore[method-assign,assignment]
    FakeKey.value = property(window_or_value, value.fset)  # type: ignore[method-assign,assignment]
    S3Response.get_object = get_object  # type: ignore[method-assign]
    S3Backend.upload_part_copy = upload_part_copy  # type: ignore[method-assign]
    S3Response._kluis_ranges = True  # type: ignore[attr-defined]
