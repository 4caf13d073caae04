"""S3's browser-upload (POST object) rules, enforced in front of moto, which enforces none of them.

A restore's file arrives by a presigned POST whose signed policy fixes the key, the size range and
the encryption, and expires. On S3 the policy is the defence: a changed key, a file outside the
size range, an expired or altered policy are refused before anything is stored. moto accepts them
all (an acceptance run staged a customer's file into another job by changing the key), so no local
test could prove the upload rules. This WSGI middleware checks every POST upload to the embedded
AWS as S3 does (Amazon S3 API Reference, "POST Policy" and "Authenticating Requests in Browser-Based
Uploads Using POST (AWS Signature Version 4)"), and answers S3's errors:

- the policy's SigV4 signature (the local stack's one key pair signs every policy);
- `expiration` in the past: 403 AccessDenied "Policy expired";
- every condition: exact matches (`{"field": value}`, `["eq", "$field", value]`), `starts-with`,
  and `content-length-range` (400 EntityTooSmall / EntityTooLarge); 403 AccessDenied otherwise;
- every form field but `file`, `policy`, `x-amz-signature` and `x-ignore-*` needs a condition;
- S3's own limit: a POST upload holds at most 5 GB (400 EntityTooLarge), whatever the policy says;
- S3's choice of key: a POST that asks for `aws:kms` without naming a key is stored under the
  AWS-managed key `aws/s3`, not the bucket's default key (S3 User Guide, "Specifying server-side
  encryption with AWS KMS"); moto uses the bucket default, so the stored object is put right.

Written by hand because moto has no hook for it and no maintained library checks POST policies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.formparser import parse_form_data

from infra.local.atomic import POST_KEY
from infra.local.enforcement import POST_ACCESS_KEY
from infra.local.s3_request import bucket_and_key, s3_error

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
MAX_POST_BYTES = 5 * 1000**3  # S3: "the maximum size of an object uploaded by POST is 5 GB"
UNCONDITIONED = frozenset({"file", "policy", "x-amz-signature"})


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class PostPolicy:
    """WSGI middleware: POST uploads to a bucket pass only if their policy allows them."""

    def __init__(
        self,
        app: WsgiApp,
        secrets: Mapping[str, str],
        clock: Callable[[], datetime] | None = None,
        backend: Callable[[], Any] | None = None,
    ) -> None:
        self.app = app
        self.secrets = secrets
        self.clock = clock or (lambda: datetime.now(UTC))
        self.backend = backend  # moto's S3 backend, to store what S3 would where moto differs

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not _is_post_upload(environ):
            return self.app(environ, start_response)
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        form = _form(environ, raw)
        bucket, _ = bucket_and_key(environ)
        try:
            self.check(bucket, form)
        except Refusal as refusal:
            return s3_error(
                start_response, refusal.status, refusal.code, refusal.message, environ.get("HTTP_ORIGIN")
            )
        environ["wsgi.input"] = io.BytesIO(raw)  # moto reads the request as it came
        environ[POST_KEY] = form[0].get("key", "")  # the key it writes, held as one step (atomic.py)
        # Who signed it: the form's credential is the request's (infra.local.enforcement).
        environ[POST_ACCESS_KEY] = form[0].get("x-amz-credential", "").split("/")[0]
        body = b"".join(self.app(environ, start_response))
        self._managed_key_if_unnamed(bucket, form[0])
        return [body]

    def _managed_key_if_unnamed(self, bucket: str, fields: Mapping[str, str]) -> None:
        if self.backend is None or fields.get("x-amz-server-side-encryption") != "aws:kms":
            return
        if fields.get("x-amz-server-side-encryption-aws-kms-key-id"):
            return
        backend = self.backend()
        stored = backend.get_object(bucket, fields.get("key", ""))
        region = fields.get("x-amz-credential", "//eu-west-1").split("/")[2]  # the signed-for region
        if stored is not None:
            stored.kms_key_id = f"arn:aws:kms:{region}:{backend.account_id}:alias/aws/s3"

    def check(self, bucket: str, form: tuple[dict[str, str], FileStorage | None]) -> None:
        fields, upload = form
        if upload is None:
            raise Refusal(400, "InvalidArgument", "POST requires exactly one file upload per request.")
        size = _size(upload)
        if size > MAX_POST_BYTES:
            raise Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        policy = self._signed_policy(fields)
        expiration = _timestamp(str(policy.get("expiration", "")))
        if expiration is None or expiration <= self.clock():
            raise Refusal(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
        conditions = policy.get("conditions")
        if not isinstance(conditions, list):
            raise Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid 'conditions' value.")
        values = {**fields, "bucket": bucket}
        covered = {_condition(condition, values, size) for condition in conditions} - {None}
        extra = sorted(
            name
            for name in fields
            if name not in UNCONDITIONED | covered and not name.startswith("x-ignore-")
        )
        if extra:
            raise Refusal(403, "AccessDenied", f"Invalid according to Policy: Extra input fields: {extra[0]}")

    def _signed_policy(self, fields: Mapping[str, str]) -> dict[str, Any]:
        """The policy document, if its signature is the local key pair's SigV4 signature of it."""
        encoded = fields.get("policy", "")
        credential = fields.get("x-amz-credential", "").split("/")
        if fields.get("x-amz-algorithm") != "AWS4-HMAC-SHA256" or len(credential) != 5 or not encoded:
            raise Refusal(403, "AccessDenied", "Invalid according to Policy: Policy could not be verified.")
        access_key, date, region, service, _ = credential
        secret = self.secrets.get(access_key)
        if secret is None:
            raise Refusal(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist.")
        key = f"AWS4{secret}".encode()
        for part in (date, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, encoded.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields.get("x-amz-signature", "")):
            raise Refusal(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
        try:
            document = json.loads(base64.b64decode(encoded, validate=True))
        except (ValueError, binascii.Error):
            raise Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
        if not isinstance(document, dict):
            raise Refusal(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.")
        return document


def _condition(condition: Any, values: Mapping[str, str], size: int) -> str | None:
    """Check one condition; returns the form field it covers (None for the size range)."""
    failed = Refusal(
        403, "AccessDenied", f"Invalid according to Policy: Policy Condition failed: {condition}"
    )
    if isinstance(condition, dict) and len(condition) == 1:
        ((name, value),) = condition.items()
        if values.get(name.lower()) != value:
            raise failed
        return name.lower()
    if not isinstance(condition, list) or len(condition) != 3:
        raise Refusal(400, "InvalidPolicyDocument", f"Invalid Policy: Invalid condition: {condition}")
    operator, subject, argument = condition
    if operator == "content-length-range":
        if size < int(subject):
            raise Refusal(
                400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size"
            )
        if size > int(argument):
            raise Refusal(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        return None
    name = str(subject).removeprefix("$").lower()
    value = values.get(name)
    if operator == "eq" and value == argument:
        return name
    if operator == "starts-with" and value is not None and value.startswith(str(argument)):
        return name
    raise failed


def _is_post_upload(environ: Mapping[str, Any]) -> bool:
    content_type = str(environ.get("CONTENT_TYPE", ""))
    return environ.get("REQUEST_METHOD") == "POST" and content_type.startswith("multipart/form-data")


def _form(environ: Mapping[str, Any], raw: bytes) -> tuple[dict[str, str], FileStorage | None]:
    copy = {**environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
    _, form, files = parse_form_data(copy, max_form_memory_size=1024 * 1024)
    fields = {name.lower(): value for name, value in form.items()}
    return fields, files.get("file")


def _size(upload: FileStorage) -> int:
    stream = upload.stream
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def _timestamp(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
