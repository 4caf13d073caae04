"""What an S3 request addresses, read from its WSGI environ, and S3's error answer, for the middlewares
in front of moto.

The local stack's S3 endpoint is an IP address, so every request is path-style: `/bucket/key`, the key
percent-encoded as the SDKs send it (User Guide, "Virtual hosting of buckets": path-style requests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape


def bucket_and_key(environ: Mapping[str, Any]) -> tuple[str, str]:
    """(bucket, key) of a path-style request; the key is "" for a request of the bucket itself."""
    bucket, _, key = unquote(str(environ.get("PATH_INFO", ""))).lstrip("/").partition("/")
    return bucket, key


def s3_error(
    start_response: Callable[..., Any],
    status: int,
    code: str,
    message: str,
    origin: str | None,
    *,
    head: bool = False,
    headers: Iterable[tuple[str, str]] = (),
) -> Iterable[bytes]:
    """S3's XML error; the browser that sent the request may read it (S3 answers with the bucket's
    CORS headers). A HEAD's error has no body (S3 API Reference, "Error responses"): the SDKs read
    its code from the status alone. `headers` are added as given (e.g. x-amz-request-id)."""
    body = (
        b""
        if head
        else (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        ).encode()
    )
    reasons = {400: "Bad Request", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable"}
    answer = [("Content-Type", "application/xml"), *headers, ("Content-Length", str(len(body)))]
    if origin:
        answer.append(("Access-Control-Allow-Origin", origin))
    start_response(f"{status} {reasons.get(status, 'Error')}", answer)
    return [body]
