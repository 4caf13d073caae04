"""A staged generation's inventory: written last by validation, read back pinned to its ETag by Apply.

Confirm-to-restored must not grow with the number of entries, so Apply does not list the stage
(one request per 1,000 objects). Validation writes every member with its checked SHA-256 and, once
the last one is written, this one object: what it staged (generation, entry count, bytes, the
signed manifest's SHA-256, the job). Its ETag goes into the job's record. Apply reads it with
`If-Match` on that ETag, so it gets exactly what validation wrote or nothing: a stage whose
validation did not finish has no inventory, and a replaced or deleted inventory fails the read.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from kluis.scope import Scope
from kluis.storage.data import DataStore

INVENTORY_NOTE = "stage-inventory.json"
FORMAT = "kluis-stage-inventory"


class InventoryMissing(Exception):
    """The inventory is not there, or not the version whose ETag the job recorded."""


@dataclass(frozen=True)
class StageContents:
    """What validation staged into a generation."""

    generation: str
    job: str
    entries: int
    bytes: int
    manifest_sha256: str


class StageInventories:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    @staticmethod
    def key(scope: Scope, generation: str) -> str:
        return DataStore.generation_prefix(scope, generation) + INVENTORY_NOTE

    def write(self, scope: Scope, contents: StageContents) -> tuple[str, str]:
        """Write the inventory of `contents.generation`; returns (key, ETag) for the job to record."""
        key = self.key(scope, contents.generation)
        body = json.dumps({"format": FORMAT, **asdict(contents)}, sort_keys=True).encode()
        response = self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return key, str(response["ETag"])

    def read(self, key: str, etag: str) -> StageContents:
        """The inventory at `key`, only if it is still the version with `etag` (one GET)."""
        try:
            response = self.s3.get_object(Bucket=self.bucket, Key=key, IfMatch=etag)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                raise InventoryMissing(key) from error
            raise
        try:
            raw = json.loads(response["Body"].read())
            if raw.pop("format") != FORMAT:
                raise ValueError("not a stage inventory")
            return StageContents(**raw)
        except (ValueError, TypeError, KeyError) as error:
            raise InventoryMissing(key) from error
