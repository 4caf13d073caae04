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
    start_response: Callable[..., Any], status: int, code: str, message: str, origin: str | None
) -> Iterable[bytes]:
    """S3's XML error; the browser that sent the request may read it (S3 answers with the bucket's
    CORS headers)."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
    ).encode()
    reason = {400: "Bad Request", 403: "Forbidden"}.get(status, "Error")
    headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
    if origin:
        headers.append(("Access-Control-Allow-Origin", origin))
    start_response(f"{status} {reason}", headers)
    return [body]
