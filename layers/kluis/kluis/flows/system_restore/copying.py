"""Server-side copies of exact object versions into a new generation, and the check that they are exact."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from boto3.s3.transfer import TransferConfig

from kluis.storage.versions import ObjectVersion

COPY_OBJECT_LIMIT = 5 * 1024**3  # larger objects need a multipart copy


class CopyMismatch(Exception):
    """The copied generation differs from the versions it was copied from."""


@dataclass(frozen=True)
class Copied:
    name: str
    key: str
    source: ObjectVersion
    etag: str
    comparable: bool  # S3 gave MD5 ETags on both sides, so they must be equal


def copy_versions(
    s3: Any, source_bucket: str, versions: dict[str, ObjectVersion], target_bucket: str, prefix: str
) -> list[Copied]:
    """Server-side copies of exact object versions: the bytes never pass through this function."""
    copied = []
    for name, version in sorted(versions.items()):
        key = prefix + name
        source = {"Bucket": source_bucket, "Key": version.key, "VersionId": version.version_id}
        if version.size <= COPY_OBJECT_LIMIT:
            response = s3.copy_object(Bucket=target_bucket, Key=key, CopySource=source)
            etag = response["CopyObjectResult"]["ETag"]
            # Under SSE-KMS (the cloud's buckets) an ETag is no digest, and a multipart ETag has a "-":
            # then only sizes compare; with plain MD5 ETags on both sides they must be equal too.
            encrypted = response.get("ServerSideEncryption", "AES256") not in ("AES256", "")
            comparable = not encrypted and "-" not in version.etag
        else:
            s3.copy(source, target_bucket, key, Config=TransferConfig(multipart_chunksize=512 * 1024**2))
            etag, comparable = s3.head_object(Bucket=target_bucket, Key=key)["ETag"], False
        copied.append(Copied(name, key, version, etag, comparable))
    return copied


def verify_copies(s3: Any, target_bucket: str, prefix: str, copies: list[Copied]) -> None:
    """The target prefix holds exactly the copied names, each with the source's size (and ETag)."""
    present: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target_bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            present[item["Key"][len(prefix) :]] = item
    expected = {copy.name for copy in copies}
    if set(present) != expected:
        raise CopyMismatch(f"{prefix} holds {sorted(set(present) ^ expected)} unexpectedly")
    for copy in copies:
        item = present[copy.name]
        if int(item["Size"]) != copy.source.size or item["ETag"] != copy.etag:
            raise CopyMismatch(f"{copy.key} differs from what was copied")
        if copy.comparable and item["ETag"] != copy.source.etag:
            raise CopyMismatch(f"{copy.key} differs from version {copy.source.version_id}")


def sha256_of(body: Any) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()
