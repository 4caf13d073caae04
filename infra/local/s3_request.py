"""What an S3 request addresses, read from its WSGI environ, for the middlewares in front of moto.

The local stack's S3 endpoint is an IP address, so every request is path-style: `/bucket/key`, the key
percent-encoded as the SDKs send it (User Guide, "Virtual hosting of buckets": path-style requests).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote


def bucket_and_key(environ: Mapping[str, Any]) -> tuple[str, str]:
    """(bucket, key) of a path-style request; the key is "" for a request of the bucket itself."""
    bucket, _, key = unquote(str(environ.get("PATH_INFO", ""))).lstrip("/").partition("/")
    return bucket, key
