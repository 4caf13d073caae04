"""Writing a generation's members with many requests in flight, in bounded memory.

A restore writes every member of an archive as an object of the staged generation. One request at a
time, each waits for S3 (tens of milliseconds): 66,000 small documents are minutes of waiting, and a
2 MiB document written in the reading thread stalls the read. `MemberWrites` takes a member's bytes
and writes them on `workers` threads while the caller reads on: a member up to `whole_bytes` as one
PUT; a larger one as a multipart upload whose parts go out as they come, completed only when the
caller says its bytes were checked (`LargeMember.complete`), and aborted otherwise. At most
`max_bytes` are held for writes in flight, in at most four per worker; `add` waits beyond that.

`flush` waits for everything written so far and raises the first write that failed: a checkpoint
must only count members that are in S3.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from kluis.archive.names import is_generation_member
from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis.storage.data import _content_type as content_type

MIB = 1024 * 1024


class MemberWrites:
    def __init__(
        self,
        store: DataStore,
        scope: Scope,
        generation: str,
        *,
        part_size: int,
        workers: int = 16,
        max_bytes: int = 48 * MIB,
    ) -> None:
        self.store, self.scope, self.generation = store, scope, generation
        self.part_size = part_size
        self.max_bytes = max(max_bytes, part_size)
        self.max_pending = 4 * workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="stage")
        self._pending: deque[tuple[int, Future[Any]]] = deque()
        self._held = 0

    def key(self, name: str) -> str:
        if not is_generation_member(name):
            raise ValueError(f"not a name a generation may hold: {name!r}")
        return self.store.generation_prefix(self.scope, self.generation) + name

    def extra(self, name: str, sha256: str) -> dict[str, Any]:
        """Object settings of a member: its content type, and the checked SHA-256 as metadata."""
        return {"ContentType": content_type(name), "Metadata": {"sha256": sha256}}

    def put(self, name: str, body: bytes, *, sha256: str) -> None:
        """Write a whole member (already checked) as one PUT, in the background."""
        key = self.key(name)
        self._submit(len(body), self.store.s3.put_object, Bucket=self.store.bucket, Key=key, Body=body,
                     **self.extra(name, sha256))  # fmt: skip

    def large(self, name: str, sha256: str) -> LargeMember:
        """A member written as a multipart upload, part by part, completed once checked."""
        key = self.key(name)
        upload = self.store.s3.create_multipart_upload(
            Bucket=self.store.bucket, Key=key, **self.extra(name, sha256)
        )["UploadId"]
        return LargeMember(self, key, upload)

    def _submit(self, size: int, call: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        # Bounded in bytes and in count: 32 MiB of 4 KiB documents would be 8,000 queued requests,
        # each holding its arguments and, once done, its response until collected.
        while self._pending and (
            self._held + size > self.max_bytes or len(self._pending) >= self.max_pending
        ):
            self._collect(wait([f for _, f in self._pending], return_when=FIRST_COMPLETED).done)
        future = self._pool.submit(call, *args, **kwargs)
        self._pending.append((size, future))
        self._held += size
        return future

    def _collect(self, done: set[Future[Any]]) -> None:
        kept: deque[tuple[int, Future[Any]]] = deque()
        for size, future in self._pending:
            if future in done:
                self._held -= size
                future.result()  # a failed write raises here, in the caller's thread
            else:
                kept.append((size, future))
        self._pending = kept

    def flush(self) -> None:
        """Wait until every write so far is done; raises what a write raised."""
        if self._pending:
            self._collect(wait([f for _, f in self._pending]).done)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> MemberWrites:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.flush()
        finally:
            self.close()


class LargeMember:
    """One member's multipart upload: parts in flight on the writes' threads, completed at the end."""

    def __init__(self, writes: MemberWrites, key: str, upload_id: str) -> None:
        self.writes, self.key, self.upload_id = writes, key, upload_id
        self._parts: list[Future[dict[str, Any]]] = []
        self._buffer: list[bytes] = []
        self._buffered = 0

    def write(self, data: bytes) -> None:
        self._buffer.append(data)
        self._buffered += len(data)
        while self._buffered >= self.writes.part_size:
            joined = b"".join(self._buffer)
            size = self.writes.part_size
            self._send(joined[:size])
            rest = joined[size:]
            self._buffer, self._buffered = ([rest] if rest else []), len(rest)

    def _send(self, body: bytes) -> None:
        number = len(self._parts) + 1
        self._parts.append(self.writes._submit(len(body), self._upload, number, body))

    def _upload(self, number: int, body: bytes) -> dict[str, Any]:
        s3 = self.writes.store.s3
        response = s3.upload_part(
            Bucket=self.writes.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
        )
        return {"PartNumber": number, "ETag": response["ETag"]}

    def complete(self) -> None:
        """The member's bytes were all given and checked: it becomes an object once its parts are in.

        Completed on a writer thread, after the parts, which were queued before it: no deadlock.
        """
        if self._buffered or not self._parts:
            self._send(b"".join(self._buffer))
            self._buffer, self._buffered = [], 0
        self.writes._submit(0, self._complete)

    def _complete(self) -> None:
        parts = [future.result() for future in self._parts]
        self.writes.store.s3.complete_multipart_upload(
            Bucket=self.writes.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": parts},
        )

    def abort(self) -> None:
        """The member is refused: nothing of it may become an object."""
        wait(self._parts)
        self.writes.store.s3.abort_multipart_upload(
            Bucket=self.writes.store.bucket, Key=self.key, UploadId=self.upload_id
        )
