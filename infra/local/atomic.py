"""Each request applied as one step, as AWS applies it: the local stack's answer to moto's races.

moto's server answers every request on a thread of its own, and its backends check, then write, with
nothing between the two: `update_item` evaluates the ConditionExpression, then validates and applies
the update to the stored item in place, one SET after another. Measured through the local stack, of
24 threads racing optimistic increments on one item, a third of the "successful" conditional writes
had passed a condition another write had already made false, and a strongly consistent GetItem could
see an update half-applied (a restore `awaiting-confirmation` without its verification code). S3's
conditional writes had the same gap (8 racing multipart completions with If-None-Match all won).

What AWS promises instead:
- DynamoDB: every PutItem, UpdateItem, DeleteItem is atomic on its item, its condition evaluated
  against the item as the write is applied; TransactWriteItems is atomic across its items; a strongly
  consistent read sees every write that succeeded before it, whole (Developer Guide, "Condition
  expressions", "Read consistency", "Amazon DynamoDB Transactions: How it works").
- S3: a write of a key is atomic ("Amazon S3 never adds partial objects"); of concurrent conditional
  writes one wins and the others get 412 (User Guide, "Add preconditions to S3 operations with
  conditional requests"); a read returns one whole version.

So this sits between moto's dispatcher and its backend apps, and holds a lock while moto handles a
request:
- every DynamoDB request under one lock. That is stronger than per item, never weaker: a serial
  history is one DynamoDB could produce, and no DynamoDB request of moto's waits on another request;
- S3 object writes (PutObject, CopyObject to the key, DeleteObject, CompleteMultipartUpload, a POST
  upload) exclusive per bucket and key, reads of the key (GetObject, HeadObject) shared. Uploading
  parts, listing and the bucket's settings take no lock: S3 applies none of them to a key's version.

moto sends a write's S3 event notification from inside the write, and the local stack runs the
notified function there and then (its handler may delete the very key it was told of, a request that
waits for this key's lock). So a write's notifications are held until its lock is released, and sent
before it answers, as before.

Written by hand: moto has no hook for atomicity, and no maintained library makes its server atomic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from typing import Any
from urllib.parse import parse_qs

from infra.local.s3_request import bucket_and_key

# The key a POST upload writes, named by its form (infra.local.post_policy puts it here).
POST_KEY = "kluis.local.post_key"
READS = frozenset({"GET", "HEAD"})
WRITES = frozenset({"PUT", "DELETE", "POST"})


class SharedLock:
    """Many readers or one writer; a waiting writer goes before readers that come after it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def shared(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._writing and not self._writers_waiting)
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._changed:
            self._writers_waiting += 1
            self._changed.wait_for(lambda: not self._writing and not self._readers)
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()


class KeyLocks:
    """A SharedLock per bucket and key, kept only while some request holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[SharedLock, int]] = {}

    @contextmanager
    def hold(self, bucket: str, key: str, *, write: bool) -> Iterator[None]:
        name = (bucket, key)
        with self._guard:
            lock, users = self._locks.get(name, (SharedLock(), 0))
            self._locks[name] = (lock, users + 1)
        try:
            with lock.exclusive() if write else lock.shared():
                yield
        finally:
            with self._guard:
                lock, users = self._locks[name]
                if users == 1:
                    del self._locks[name]
                else:
                    self._locks[name] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class Atomicity:
    """Which lock (if any) a request to one of moto's services holds while moto handles it."""

    def __init__(self) -> None:
        self.dynamodb = threading.Lock()
        self.s3_keys = KeyLocks()
        _hold_notifications_of_writes()

    def hold(self, service: str | None, environ: Mapping[str, Any]) -> Any:
        if service == "dynamodb":
            return self.dynamodb
        if service == "s3":
            access = _s3_object_access(environ)
            if access is not None:
                bucket, key, write = access
                return self._write(bucket, key) if write else self.s3_keys.hold(bucket, key, write=False)
        return nullcontext()

    @contextmanager
    def _write(self, bucket: str, key: str) -> Iterator[None]:
        """The key's exclusive lock; its event notifications sent once the lock is released."""
        _held.events = []
        try:
            with self.s3_keys.hold(bucket, key, write=True):
                yield
        finally:
            events, _held.events = _held.events, None
            for args, kwargs in events:
                _send_event(*args, **kwargs)


# The S3 event notifications of the write this thread is applying (None: no write holds them).
_held = threading.local()
_send_event: Any = None  # moto's own send_event


def _hold_notifications_of_writes() -> None:
    global _send_event
    from moto.s3 import notifications

    if _send_event is not None:
        return
    _send_event = notifications.send_event

    def send_event(*args: Any, **kwargs: Any) -> None:
        held = getattr(_held, "events", None)
        if held is None:
            _send_event(*args, **kwargs)
        else:
            held.append((args, kwargs))

    notifications.send_event = send_event


def _s3_object_access(environ: Mapping[str, Any]) -> tuple[str, str, bool] | None:
    """(bucket, key, is a write) of a request that reads or writes one key's current version."""
    method = str(environ.get("REQUEST_METHOD", ""))
    bucket, key = bucket_and_key(environ)
    query = parse_qs(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    if method == "POST" and not key and environ.get(POST_KEY):  # a browser's POST upload
        return bucket, str(environ[POST_KEY]), True
    if not bucket or not key:
        return None  # the service or a bucket: listings, settings
    if method in READS and "uploadId" not in query:  # not ListParts
        return bucket, key, False
    if method == "PUT" and "uploadId" in query:  # UploadPart(Copy): a part, not the key
        return None
    if method == "POST" and "uploads" in query:  # CreateMultipartUpload
        return None
    if method == "DELETE" and "uploadId" in query:  # AbortMultipartUpload
        return None
    if method in WRITES:
        return bucket, key, True
    return None
