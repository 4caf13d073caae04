"""A bucket's version history: what an administration/year's HEAD and generation were at a moment.

System backups are object versions: the data bucket keeps noncurrent versions, and replicates to a
replica bucket in another region that keeps them under Object Lock. A point-in-time restore reads
the version of `HEAD` at time T, then the versions of that generation's objects at T.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kluis.archive.names import is_generation_member
from kluis.scope import Scope
from kluis.storage.data import DataStore

ONE_SECOND = timedelta(seconds=1)  # the precision of S3's LastModified


class NothingAtThatTime(Exception):
    """The administration/year had no HEAD (or an empty generation) at the point in time."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str
    last_modified: datetime
    size: int
    etag: str


@dataclass(frozen=True)
class RestorePoint:
    """One version of HEAD: from its LastModified until the next, `generation` was live."""

    version_id: str
    last_modified: datetime
    generation: str
    flipped_at: str | None
    is_latest: bool

    def view(self) -> dict[str, Any]:
        return {
            "versionId": self.version_id,
            "time": iso(self.last_modified),
            "generation": self.generation,
            "flippedAt": self.flipped_at,
            "latest": self.is_latest,
        }


class VersionReader:
    """A bucket's version history (the primary data bucket, or the replica in its own region)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.store = DataStore(s3, bucket)

    def _history(self, prefix: str) -> Iterator[tuple[str, ObjectVersion | None, datetime, bool]]:
        """(key, version or None for a delete marker, last modified, is latest), newest first per key."""
        paginator = self.s3.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for version in page.get("Versions", []):
                yield (
                    version["Key"],
                    ObjectVersion(
                        key=version["Key"],
                        version_id=version["VersionId"],
                        last_modified=version["LastModified"],
                        size=int(version["Size"]),
                        etag=version["ETag"],
                    ),
                    version["LastModified"],
                    bool(version.get("IsLatest")),
                )
            for marker in page.get("DeleteMarkers", []):
                yield marker["Key"], None, marker["LastModified"], bool(marker.get("IsLatest"))

    def _as_of(self, prefix: str, moment: datetime) -> dict[str, ObjectVersion]:
        """Per key, its newest version at `moment`; keys deleted (or not yet written) then are left out.

        S3's LastModified has whole seconds; of a version and a delete marker in the same second the
        version wins, so a restore never loses data to that ambiguity.
        """
        newest: dict[str, tuple[datetime, int, ObjectVersion | None]] = {}
        for key, version, modified, _ in self._history(prefix):
            if modified > moment:
                continue
            rank = (modified, 1 if version else 0)
            if key not in newest or rank > newest[key][:2]:
                newest[key] = (modified, rank[1], version)
        return {key: version for key, (_, _, version) in newest.items() if version is not None}

    def restore_points(self, scope: Scope, limit: int = 50) -> list[RestorePoint]:
        """HEAD's versions, newest first, each with the generation it named."""
        key = DataStore.head_key(scope)
        versions = [
            (version, latest)
            for found, version, _, latest in self._history(key)
            if found == key and version is not None
        ]
        # Kept in S3's order, newest first: LastModified has whole seconds and cannot order two
        # flips in the same second.
        return [self._point(scope, version, latest) for version, latest in versions[:limit]]

    def _point(self, scope: Scope, version: ObjectVersion, latest: bool) -> RestorePoint:
        head = self.store.head(scope, version_id=version.version_id)
        if head is None:
            raise NothingAtThatTime(f"HEAD version {version.version_id} of {scope} is gone")
        return RestorePoint(
            version.version_id, version.last_modified, head.generation, head.flipped_at, latest
        )

    def live_since(self, scope: Scope, moment: datetime) -> set[str]:
        """The generations HEAD named at any time from `moment` until now (the one live at `moment`
        and every one made live after it); only those versions of HEAD are read."""
        key = DataStore.head_key(scope)
        # Oldest first by S3's own order (a key's versions are listed newest first), not by
        # LastModified: it has whole seconds, and two flips in one second would sort either way.
        versions = [v for found, v, _, _ in self._history(key) if found == key and v is not None][::-1]
        # A version stamped second s was written in [s, s + 1): only one stamped a second before
        # `moment` was surely live before it; anything later may have been live since.
        settled = [v for v in versions if v.last_modified + ONE_SECOND <= moment]
        earlier = settled[-1:]
        recent = versions[len(settled) :]
        generations = set()
        for version in earlier + recent:
            head = self.store.head(scope, version_id=version.version_id)
            if head is not None:
                generations.add(head.generation)
        return generations

    def head_at(self, scope: Scope, moment: datetime) -> RestorePoint | None:
        """The version of HEAD at `moment`: the newest with LastModified <= moment."""
        key = DataStore.head_key(scope)
        version = self._as_of(key, moment).get(key)
        return self._point(scope, version, False) if version else None

    def generation_at(self, scope: Scope, generation: str, moment: datetime) -> dict[str, ObjectVersion]:
        """The generation's members as they were at `moment`, by name inside the generation."""
        prefix = DataStore.generation_prefix(scope, generation)
        found = self._as_of(prefix, moment)
        return {
            key[len(prefix) :]: version
            for key, version in found.items()
            if is_generation_member(key[len(prefix) :])
        }
