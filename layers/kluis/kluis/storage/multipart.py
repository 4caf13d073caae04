"""A write-only stream into an S3 multipart upload, with bounded memory, that can stop and resume.

Memory: at most one part being gathered plus `max_workers` parts in flight; `write` blocks while that
many uploads are pending. Writes are kept as a list of chunks joined once per part, because growing a
`bytearray` and slicing parts off its front ran ~20 times slower (docs/performance.md, "Measured facts").

Resume: `checkpoint()` returns the upload's state (JSON) and the bytes not yet uploaded; a next
invocation passes both back to continue the same upload. Only the last part of an upload may be smaller
than S3's 5 MiB minimum, so the unfinished tail travels with the checkpoint instead of being uploaded.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from kluis.errors import KluisError

MAX_PARTS = 10_000  # S3's limit per multipart upload


class TooManyParts(Exception):
    """The upload would need more than 10,000 parts: the part size is too small for this much data."""


class MultipartSink:
    """`Writable` that uploads full parts concurrently and completes the object at the end."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        key: str,
        *,
        part_size: int,
        max_workers: int = 4,
        extra_args: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        tail: bytes = b"",
    ) -> None:
        if part_size <= 0 or max_workers <= 0:
            raise ValueError("part_size and max_workers must be positive")
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._part_size = part_size
        self._max_workers = max_workers
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="multipart")
        self._pending: deque[Future[dict[str, Any]]] = deque()
        self._chunks: list[bytes] = [tail] if tail else []
        self._buffered = len(tail)
        if state is None:
            response = s3.create_multipart_upload(Bucket=bucket, Key=key, **(extra_args or {}))
            self.upload_id: str = response["UploadId"]
            self._parts: list[dict[str, Any]] = []
            self.written = 0
        else:
            self.upload_id = state["upload_id"]
            self._parts = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in state["parts"]]
            self.written = int(state["written"])
        self._next_part = len(self._parts) + 1

    def write(self, data: bytes) -> int:
        """Accept `data`; uploads every full part, blocking while `max_workers` uploads are in flight."""
        if not data:
            return 0
        # A caller may reuse a mutable buffer, so keep an immutable copy of anything that is not bytes.
        self._chunks.append(data if isinstance(data, bytes) else bytes(data))
        self._buffered += len(data)
        self.written += len(data)
        if self._buffered >= self._part_size:
            self._cut_parts()
        return len(data)

    def _cut_parts(self) -> None:
        """Upload every full part in the buffer; the remainder stays as the buffer's only chunk."""
        joined = b"".join(self._chunks)
        view = memoryview(joined)
        position = 0
        while len(joined) - position >= self._part_size:
            self._submit(bytes(view[position : position + self._part_size]))
            position += self._part_size
        rest = joined[position:]
        self._chunks = [rest] if rest else []
        self._buffered = len(rest)

    def _submit(self, body: bytes) -> None:
        if self._next_part > MAX_PARTS:
            raise TooManyParts(
                f"s3://{self._bucket}/{self._key} would need more than {MAX_PARTS:,} parts of "
                f"{self._part_size:,} bytes; use larger parts"
            )
        while len(self._pending) >= self._max_workers:
            self._collect(wait(self._pending, return_when=FIRST_COMPLETED).done)
        number = self._next_part
        self._next_part += 1
        self._pending.append(self._executor.submit(self._upload, number, body))

    def _upload(self, number: int, body: bytes) -> dict[str, Any]:
        response = self._s3.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self.upload_id, PartNumber=number, Body=body
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def _collect(self, done: set[Future[dict[str, Any]]]) -> None:
        """Record finished uploads; a failed upload's exception surfaces here, in the writer's thread."""
        for future in done:
            self._pending.remove(future)
            self._parts.append(future.result())

    def _drain(self) -> None:
        if self._pending:
            self._collect(wait(self._pending).done)

    def _sorted_parts(self) -> list[dict[str, Any]]:
        return sorted(self._parts, key=lambda part: part["PartNumber"])

    def checkpoint(self) -> tuple[dict[str, Any], bytes]:
        """(JSON state, bytes not yet uploaded): what a next invocation needs to continue this upload."""
        self._drain()
        state = {"upload_id": self.upload_id, "parts": self._sorted_parts(), "written": self.written}
        return state, b"".join(self._chunks)

    def complete(self) -> str:
        """Upload the tail as the last part and complete the object; returns its ETag."""
        tail = b"".join(self._chunks)
        self._chunks, self._buffered = [], 0
        # S3 cannot complete an upload without parts, so an empty object gets one empty part.
        if tail or (not self._parts and not self._pending):
            self._submit(tail)
        self._drain()
        self._executor.shutdown()
        response = self._s3.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self._sorted_parts()},
        )
        return str(response["ETag"])

    def abort(self) -> None:
        """Stop uploading and delete the parts already uploaded; S3 keeps nothing of this object."""
        for future in self._pending:
            future.cancel()
        self._executor.shutdown(wait=True)
        self._pending.clear()
        self._chunks, self._buffered = [], 0
        self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self.upload_id)


MAX_PART_SIZE = 5 * 1024**3  # S3's largest part


class ObjectTooLarge(KluisError):
    """More than S3 can hold as one object (10,000 parts of at most 5 GiB)."""

    default_code = "backup.too_large"


def choose_part_size(expected_bytes: int, preferred: int) -> int:
    """A part size by S3's rules (5 MiB to 5 GiB, at most 10,000 parts) that fits the object.

    `expected_bytes` is what is written, or a close upper bound (an archive's members uncompressed:
    exact for STORED members and above the DEFLATE ones); 2 % and 64 MiB of headroom cover ZIP
    headers, descriptors and the manifest, and the parts are sized for 9,500 so a misestimate fits.
    """
    needed = int((expected_bytes * 1.02 + 64 * 1024 * 1024) / (MAX_PARTS - 500)) + 1
    mib = 1024 * 1024
    # `preferred` (8 MiB by default) is the floor; only tests against moto go below S3's 5 MiB.
    size = -(-max(preferred, needed) // mib) * mib
    if size > MAX_PART_SIZE:
        raise ObjectTooLarge()
    return size
