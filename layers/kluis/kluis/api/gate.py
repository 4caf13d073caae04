"""What a request must be before any route sees it; anything else is a clear 4xx, never a 500.

Powertools decodes a body as UTF-8 JSON when a route asks for it, and fails with a server error on
bytes that are not UTF-8 or JSON nested deeper than Python's recursion limit (found by an
acceptance run: a one-byte body of 0xFF answered 500). Its router also matches a path with `$`,
which lets a final newline through (`/jobs/{id}%0A` found the job). So the gate checks, in order:

- the path holds only the characters our routes use;
- the body's media type is JSON, its size at most MAX_BODY_BYTES, it is UTF-8 and valid JSON;
- a route that takes no body gets none (or `{}`, what many clients send with a POST);

and hands the route a body that is plain UTF-8 JSON text.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Set
from typing import Any

from kluis.errors import Reason

MAX_BODY_BYTES = 64 * 1024
# Every path of the API is made of these; identifiers are checked again, and fully, by the routes.
PATH = re.compile(r"[A-Za-z0-9/_.-]*")


class Refused(Exception):
    """The request is refused before any route runs: `status` and `reason` are the answer."""

    def __init__(self, status: int, reason: Reason) -> None:
        super().__init__(reason.message)
        self.status = status
        self.reason = reason


def admit(event: dict[str, Any], body_routes: Set[str]) -> dict[str, Any]:
    """The event as the routes may see it, or Refused. `body_routes` are the route keys with a body."""
    path = event.get("rawPath") or ""
    parameters = (event.get("pathParameters") or {}).values()
    if not PATH.fullmatch(path) or not all(PATH.fullmatch(str(value)) for value in parameters):
        raise Refused(404, Reason("request.not_found"))
    raw = _raw_body(event)
    if raw is None:
        return event
    _check_media_type(event)
    if len(raw) > MAX_BODY_BYTES:
        raise Refused(413, Reason("request.body_too_large", {"limit": MAX_BODY_BYTES}))
    text, value = _json(raw)
    if event.get("routeKey") not in body_routes and value != {}:
        raise Refused(400, Reason("request.body_not_allowed"))
    return {**event, "body": text, "isBase64Encoded": False}


def _raw_body(event: dict[str, Any]) -> bytes | None:
    body = event.get("body")
    if not body:
        return None
    if not event.get("isBase64Encoded"):
        return str(body).encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise Refused(400, Reason("request.body_not_json")) from None


def _check_media_type(event: dict[str, Any]) -> None:
    """A body in another media type is refused before anything parses it (found by schemathesis:
    multipart/form-data without a boundary made the body parser raise, a 500)."""
    headers = {str(key).lower(): str(value) for key, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        raise Refused(415, Reason("request.media_type"))


def _json(raw: bytes) -> tuple[str, Any]:
    try:
        text = raw.decode("utf-8")
        return text, json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(400, Reason("request.body_not_json")) from None
