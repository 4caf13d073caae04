"""Random access to an S3 object through ranged GETs and a small cache of aligned blocks.

Why blocks: reading an archive's entries through a naive ranged-GET file object made 3 GETs per member
(156,003 for 52,000 members); reading aligned 8 MiB blocks and keeping the last few made 162
(docs/performance.md, "Measured facts"). Local headers, data and data descriptors of neighbouring
entries share a block.

Why read-ahead: every GET waits for S3's first byte (tens of milliseconds), so a reader that asks for
the next block only when it needs it runs at the pace of that wait (validation of a 1 GB upload took
33 s at 50 ms per request, against 2 s of parsing). With `read_ahead=n`, a read of block i keeps
blocks i+1 .. i+n in flight on n threads: a sequential reader finds them fetched. Memory is at most
(n + cache_blocks) blocks.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

MIB = 1024 * 1024


class S3RangeReader:
    """`kluis.archive.zipreader.RandomAccess` over one S3 object (not thread-safe: one reader per thread).

    Its read-ahead threads only fetch; the cache and the futures belong to the reading thread.
    """

    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        *,
        block_size: int = 8 * MIB,
        cache_blocks: int = 4,
        size: int | None = None,
        version_id: str | None = None,
        read_ahead: int = 0,
    ) -> None:
        if block_size <= 0 or cache_blocks <= 0 or read_ahead < 0:
            raise ValueError("block_size and cache_blocks must be positive, read_ahead not negative")
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._block_size = block_size
        self._cache_blocks = cache_blocks
        self._version_id = version_id
        self._etag: str | None = None
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._read_ahead = read_ahead
        self._ahead: dict[int, Future[bytes]] = {}
        self._pool = ThreadPoolExecutor(read_ahead, thread_name_prefix="range") if read_ahead else None
        self.gets = 0
        self.size = self._head() if size is None else size
        self._block_count = -(-self.size // block_size)

    def _head(self) -> int:
        """Object size; also remembers the ETag so every GET reads this same object version."""
        response = self._s3.head_object(**self._object_args())
        self._etag = response.get("ETag")
        return int(response["ContentLength"])

    def _object_args(self) -> dict[str, str]:
        args = {"Bucket": self._bucket, "Key": self._key}
        if self._version_id:
            args["VersionId"] = self._version_id
        return args

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset`; fewer only where the object ends, like a file's read."""
        if offset < 0 or length < 0:
            raise ValueError("offset and length must not be negative")
        end = min(offset + length, self.size)
        if end <= offset:
            return b""
        first, last = offset // self._block_size, (end - 1) // self._block_size
        blocks = self._blocks(first, last)
        # Only the wanted part of each block is copied (a read across a boundary of two 8 MiB
        # blocks copied both whole before).
        parts = []
        for index in range(first, last + 1):
            start = index * self._block_size
            view = memoryview(blocks[index])
            parts.append(view[max(offset, start) - start : min(end, start + len(view)) - start])
        return b"".join(parts)

    def _blocks(self, first: int, last: int) -> dict[int, bytes]:
        """Blocks `first`..`last`; each run of missing blocks is fetched with a single GET."""
        found: dict[int, bytes] = {}
        missing: list[int] = []
        for index in range(first, last + 1):
            block = self._cache.get(index)
            if block is None and index in self._ahead:
                block = self._ahead.pop(index).result()
                self._remember(index, block)
            if block is None:
                missing.append(index)
            else:
                self._cache.move_to_end(index)
                found[index] = block
        for run_first, run_last in _runs(missing):
            found.update(self._fetch(run_first, run_last))
        if self._pool is not None:
            self._read_on(first, last)
        return found

    def _read_on(self, first: int, last: int) -> None:
        """Keep the blocks after `last` in flight; drop what a jump elsewhere left behind."""
        wanted = range(last + 1, min(last + 1 + self._read_ahead, self._block_count))
        for index in [i for i in self._ahead if i < first or i >= wanted.stop]:
            self._ahead.pop(index).cancel()
        assert self._pool is not None
        for index in wanted:
            if index not in self._ahead and index not in self._cache:
                self.gets += 1
                self._ahead[index] = self._pool.submit(self._get, index, index)

    def _fetch(self, first: int, last: int) -> dict[int, bytes]:
        self.gets += 1
        data = self._get(first, last)
        blocks = {
            index: data[(index - first) * self._block_size : (index - first + 1) * self._block_size]
            for index in range(first, last + 1)
        }
        for index, block in blocks.items():
            self._remember(index, block)
        return blocks

    def _get(self, first: int, last: int) -> bytes:
        """Blocks `first`..`last` in one GET, of the version read at the start (If-Match)."""
        start = first * self._block_size
        end = min((last + 1) * self._block_size, self.size)
        args: dict[str, Any] = {**self._object_args(), "Range": f"bytes={start}-{end - 1}"}
        if self._etag:
            args["IfMatch"] = self._etag
        data: bytes = self._s3.get_object(**args)["Body"].read()
        if len(data) != end - start:
            raise OSError(
                f"s3://{self._bucket}/{self._key}: got {len(data)} bytes for range {start}-{end - 1}"
            )
        return data

    def _remember(self, index: int, block: bytes) -> None:
        self._cache[index] = block
        self._cache.move_to_end(index)
        while len(self._cache) > self._cache_blocks:
            self._cache.popitem(last=False)

    def close(self) -> None:
        """Stop reading ahead (the threads end once their GET has)."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs in sorted `indexes`, as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs
