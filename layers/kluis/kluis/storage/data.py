"""The data bucket: generations of an administration/year's records and documents, and `HEAD`.

Layout:

    data/{customer}/{administration}/{year}/HEAD                          {"generation": ...}
    data/{customer}/{administration}/{year}/gen/{generation}/records/{dataset}.jsonl
    data/{customer}/{administration}/{year}/gen/{generation}/documents/{document_id}.pdf
    data/{customer}/{administration}/{year}/proposals/...                never backed up

Only `HEAD` says which generation is live. A new generation is written next to the live one and
becomes live by one conditional write of `HEAD`, so readers never see a half-written generation.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol

from botocore.exceptions import ClientError

from kluis.archive.names import is_generation_id, is_generation_member
from kluis.errors import KluisError
from kluis.scope import Scope

RETIRED_NOTE = "retired.json"  # beside the members of a generation being removed for good


class Body(Protocol):
    """An object's content as S3 streams it (botocore's StreamingBody)."""

    def read(self, amt: int | None = None) -> bytes: ...

    def iter_chunks(self, chunk_size: int = 1024) -> Iterator[bytes]: ...

    def close(self) -> None: ...


class HeadConflict(KluisError):
    """`HEAD` changed between reading it and flipping it: someone else restored first."""

    default_code = "restore.head_conflict"
    http_status = 409


def new_generation_id(now: datetime | None = None) -> str:
    """Time-sortable and unique: the sweeper and operators can read a generation's age off its id."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{moment}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Head:
    generation: str
    etag: str
    flipped_at: str | None = None
    body: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One object of a generation: `name` is its path inside the generation (and the archive)."""

    key: str
    name: str
    size: int


class DataStore:
    def __init__(self, s3: Any, bucket: str, head_s3: Any = None) -> None:
        self.s3 = s3
        self.bucket = bucket
        # HEAD is written with a client of its own where the caller must know how long a flip can
        # be in flight (kluis.flows.restore.apply: short timeouts, no retries of its own).
        self.head_s3 = head_s3 or s3

    # -- HEAD ---------------------------------------------------------------------------------
    @staticmethod
    def head_key(scope: Scope) -> str:
        return f"{scope.prefix}HEAD"

    @staticmethod
    def generation_prefix(scope: Scope, generation: str) -> str:
        return f"{scope.prefix}gen/{generation}/"

    def head(self, scope: Scope, version_id: str | None = None) -> Head | None:
        """The live generation, or None when the administration/year has no data."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self.head_key(scope)}
        if version_id:
            kwargs["VersionId"] = version_id
        try:
            response = self.s3.get_object(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        body = json.loads(response["Body"].read())
        generation = body.get("generation", "")
        if not is_generation_id(generation):
            raise ValueError(f"HEAD of {scope} names no valid generation: {generation!r}")
        return Head(
            generation=generation, etag=response["ETag"], flipped_at=body.get("flipped_at"), body=body
        )

    def flip_head(self, scope: Scope, generation: str, expected: Head | None, **details: Any) -> Head:
        """Make `generation` live, only if `HEAD` is still `expected` (None: there was no HEAD).

        S3's conditional write (If-Match on the ETag, If-None-Match for a first HEAD) makes this a
        compare-and-swap: of two restores racing, exactly one flips and the other gets HeadConflict.
        """
        if not is_generation_id(generation):
            raise ValueError(f"not a generation id: {generation!r}")
        flipped_at = datetime.now(UTC).isoformat(timespec="seconds")
        body = {
            "generation": generation,
            "flipped_at": flipped_at,
            "previous": expected.generation if expected else None,
            **details,
        }
        condition = {"IfMatch": expected.etag} if expected else {"IfNoneMatch": "*"}
        return Head(generation, self._put_head(scope, body, condition), flipped_at, body)

    def _put_head(self, scope: Scope, body: dict[str, Any], condition: dict[str, str]) -> str:
        """Write HEAD only if `condition` holds (S3's conditional write); returns the new ETag.

        412 PreconditionFailed: HEAD is not what was read, someone else flipped it. 409
        ConditionalRequestConflict is not that: S3 says another conditional write of the key was in
        progress and to try again, so it stays a ClientError the state machine retries.
        """
        try:
            response = self.head_s3.put_object(
                Bucket=self.bucket,
                Key=self.head_key(scope),
                Body=json.dumps(body).encode(),
                ContentType="application/json",
                **condition,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("PreconditionFailed", "412"):
                raise HeadConflict() from error
            raise
        return str(response["ETag"])

    # -- generations ---------------------------------------------------------------------------
    def _list(self, prefix: str) -> Iterator[dict[str, Any]]:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def generation_objects(self, scope: Scope, generation: str) -> Iterator[StoredObject]:
        """Records and documents of a generation, in key order; anything else there is ignored."""
        prefix = self.generation_prefix(scope, generation)
        for item in self._list(prefix):
            name = item["Key"][len(prefix) :]
            if is_generation_member(name):
                yield StoredObject(key=item["Key"], name=name, size=item["Size"])

    def open(self, key: str, version_id: str | None = None) -> Body:
        """A streaming body: read it in chunks, never whole."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            kwargs["VersionId"] = version_id
        body: Body = self.s3.get_object(**kwargs)["Body"]
        return body

    def put(
        self, scope: Scope, generation: str, name: str, body: bytes | BinaryIO, *, sha256: str | None = None
    ) -> str:
        """Write one member of a (not yet live) generation; returns its key.

        `sha256`, when given, is the checked digest of the bytes, kept as object metadata.
        """
        if not is_generation_member(name):
            raise ValueError(f"not a name a generation may hold: {name!r}")
        key = self.generation_prefix(scope, generation) + name
        extra: dict[str, Any] = {"ContentType": _content_type(name)}
        if sha256:
            extra["Metadata"] = {"sha256": sha256}
        if isinstance(body, bytes):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
        else:
            self.s3.upload_fileobj(body, self.bucket, key, ExtraArgs=extra)
        return key

    def write_note(self, scope: Scope, generation: str, name: str, body: bytes) -> str:
        """A note beside a generation's members (e.g. the manifest a restore came from); never backed up."""
        if is_generation_member(name) or "/" in name:
            raise ValueError(f"a note may not look like a member: {name!r}")
        key = self.generation_prefix(scope, generation) + name
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return key

    def retire(self, scope: Scope, generation: str) -> int:
        """Remove a generation for good: marked retired first, so that a generation half removed (a
        crash mid-way) can never be taken for whole, then its objects, the mark last."""
        self.write_note(scope, generation, RETIRED_NOTE, b'{"retired": true}')
        prefix = self.generation_prefix(scope, generation)
        count = self.delete_keys(
            item["Key"] for item in self._list(prefix) if not item["Key"].endswith(RETIRED_NOTE)
        )
        self.delete_keys([prefix + RETIRED_NOTE])
        return count

    def generation_intact(self, scope: Scope, generation: str) -> bool:
        """The generation holds members and is not being retired (see `retire`)."""
        names = [
            item["Key"][len(self.generation_prefix(scope, generation)) :]
            for item in self._list(self.generation_prefix(scope, generation))
        ]
        return RETIRED_NOTE not in names and any(is_generation_member(name) for name in names)

    def generations(self, scope: Scope) -> list[str]:
        """The ids of the generations under the administration/year, live or not, oldest first."""
        return sorted(g for g in self._child_prefixes(f"{scope.prefix}gen/") if is_generation_id(g))

    def delete_generation(self, scope: Scope, generation: str) -> int:
        """Remove a generation that never went live (or that a sweeper retires). Returns the count."""
        return self.delete_prefix(self.generation_prefix(scope, generation))

    def delete_prefix(self, prefix: str) -> int:
        """Delete every current object under `prefix`, 1,000 per request. Returns the count."""
        return self.delete_keys(item["Key"] for item in self._list(prefix))

    def delete_keys(self, keys: Iterable[str]) -> int:
        """Delete these keys, 1,000 per request (S3's limit). Returns the count."""
        batch: list[dict[str, str]] = []
        count = 0
        for key in keys:
            batch.append({"Key": key})
            if len(batch) == 1000:
                count += self._delete_batch(batch)
                batch = []
        return count + (self._delete_batch(batch) if batch else 0)

    def _delete_batch(self, batch: list[dict[str, str]]) -> int:
        self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(batch)

    # -- proposals and listings ----------------------------------------------------------------
    def proposals(self, scope: Scope) -> list[StoredObject]:
        """Unprocessed Scan & Recognize proposals: shown as a warning, never backed up."""
        prefix = f"{scope.prefix}proposals/"
        return [
            StoredObject(key=item["Key"], name=item["Key"][len(prefix) :], size=item["Size"])
            for item in self._list(prefix)
        ]

    def put_proposal(self, scope: Scope, name: str, body: bytes) -> str:
        key = f"{scope.prefix}proposals/{name}"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        return key

    def administrations(self, customer: str) -> list[tuple[str, str]]:
        """The (administration, year) pairs of a customer that have a live generation.

        Walks the prefixes level by level (Delimiter) instead of listing every record and PDF.
        """
        found = []
        for administration in self._child_prefixes(f"data/{customer}/"):
            for year in self._child_prefixes(f"data/{customer}/{administration}/"):
                if self._exists(f"data/{customer}/{administration}/{year}/HEAD"):
                    found.append((administration, year))
        return sorted(found)

    def all_scopes(self) -> list[Scope]:
        """Every administration/year of every customer that has a HEAD (operators' tools only)."""
        return list(self.scopes_after(None))

    def scopes_after(self, after: Scope | None) -> Iterator[Scope]:
        """Every administration/year that has a HEAD and comes after `after` in key order, lazily.

        Key order is (customer, administration, year) compared as strings: ids are digits and `/`
        sorts before every digit. Customers before `after`'s are not listed at all (StartAfter).
        """
        start = f"data/{after.customer}" if after else ""
        for customer in self._child_prefixes("data/", start_after=start):
            for administration, year in self.administrations(customer):
                scope = Scope(customer, administration, year)
                if after is None or scope > after:  # Scope orders as its key
                    yield scope

    def _child_prefixes(self, prefix: str, start_after: str = "") -> Iterator[str]:
        paginator = self.s3.get_paginator("list_objects_v2")
        where = {"StartAfter": start_after} if start_after else {}
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix, Delimiter="/", **where):
            for common in page.get("CommonPrefixes", []):
                yield common["Prefix"][len(prefix) :].rstrip("/")

    def _exists(self, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


class GenerationRecords:
    """The record datasets of one generation, as `kluis.books.records.RecordSource` reads them:
    each `open` streams `records/{dataset}.jsonl` anew (one GET), never holding it whole."""

    CHUNK_BYTES = 1024 * 1024

    def __init__(self, store: DataStore, scope: Scope, generation: str) -> None:
        self.store = store
        self.prefix = store.generation_prefix(scope, generation)

    def open(self, dataset: str) -> Iterator[bytes] | None:
        try:
            body = self.store.open(f"{self.prefix}records/{dataset}.jsonl")
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        return _chunks_of(body, self.CHUNK_BYTES)


def _chunks_of(body: Body, size: int) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(size)
    finally:
        body.close()


def _content_type(name: str) -> str:
    return "application/pdf" if name.endswith(".pdf") else "application/x-ndjson"
