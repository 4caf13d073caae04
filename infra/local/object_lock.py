"""S3 Object Lock on multipart uploads, which moto leaves out, applied in front of it.

On S3 a multipart upload into an Object Lock bucket is locked when it completes: with the mode,
retain-until date and legal hold its CreateMultipartUpload named, or else with the bucket's default
retention (Amazon S3 User Guide, "Using S3 Object Lock": "you can place a retention period or legal
hold on an object version ... when you upload it"; the CreateMultipartUpload API takes the same
x-amz-object-lock-* headers as PutObject). moto applies them to a single PUT only, so every object
completed from parts (our retention archives are copied as UploadPartCopy) would be unlocked
locally, and no local test could show that a retained archive cannot be deleted. This WSGI middleware
remembers the lock of each CreateMultipartUpload and, when the upload completes, sets it on the new
version in moto's backend, as S3 does.

Written by hand because moto has no hook for it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from infra.local.s3_request import bucket_and_key

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
UPLOAD_ID = re.compile(rb"<UploadId>([^<]+)</UploadId>")


@dataclass(frozen=True)
class Lock:
    mode: str | None
    until: str | None
    legal_hold: str | None


class MultipartLocks:
    """WSGI middleware: a completed multipart upload gets the Object Lock S3 would give it."""

    def __init__(self, app: WsgiApp, backend: Callable[[], Any]) -> None:
        self.app = app
        self.backend = backend  # moto's S3 backend of the account (read when needed)
        self.pending: dict[str, Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if "uploads" in query:
            return self._created(environ, start_response)
        if "uploadId" in query:
            return self._completed(environ, start_response, query["uploadId"][0])
        return self.app(environ, start_response)

    def _created(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        lock = Lock(
            environ.get("HTTP_X_AMZ_OBJECT_LOCK_MODE"),
            environ.get("HTTP_X_AMZ_OBJECT_LOCK_RETAIN_UNTIL_DATE"),
            environ.get("HTTP_X_AMZ_OBJECT_LOCK_LEGAL_HOLD"),
        )
        body = b"".join(self.app(environ, start_response))
        found = UPLOAD_ID.search(body)
        if found:
            with self._guard:
                self.pending[found.group(1).decode()] = lock
        return [body]

    def _completed(
        self, environ: dict[str, Any], start_response: Callable[..., Any], upload_id: str
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answer["status"], answer["headers"] = status, dict(headers)
            return start_response(status, headers, *args)

        body = b"".join(self.app(environ, capture))
        with self._guard:
            lock = self.pending.pop(upload_id, None)
        version = answer.get("headers", {}).get("x-amz-version-id")
        if str(answer.get("status", "")).startswith("200") and b"CompleteMultipartUploadResult" in body:
            bucket, key = bucket_and_key(environ)
            self._lock(bucket, key, version, lock)
        return [body]

    def _lock(self, bucket_name: str, key_name: str, version: str | None, lock: Lock | None) -> None:
        backend = self.backend()
        bucket = backend.get_bucket(bucket_name)
        if not bucket.object_lock_enabled:
            return
        key = backend.get_object(bucket_name, key_name, version_id=version)
        if key is None:
            return
        if lock is not None and (lock.mode or lock.until):
            key.lock_mode, key.lock_until = lock.mode, lock.until  # as moto keeps a PUT's header
        elif bucket.has_default_lock:
            key.lock_mode, key.lock_until = bucket.default_lock_mode, bucket.default_retention()
        if lock is not None and lock.legal_hold:
            key.lock_legal_status = lock.legal_hold
