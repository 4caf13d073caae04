"""The restore drill: prove the system backups restorable, without touching live data.

kluis ops drill                 restores a sample of recent restore points into a scratch prefix,
                                verifies them byte for byte and removes them again; HEAD is never
                                flipped, so a drill is safe against production at any time
"""

from __future__ import annotations

import random
import time
from typing import Any

from botocore.exceptions import ClientError

from kluis.flows.system_restore.copying import Copied, CopyMismatch, copy_versions, sha256_of, verify_copies
from kluis.flows.system_restore.fulfilment import Sources
from kluis.jobs.model import new_job_id, now_iso
from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis.storage.drills import DrillLog
from kluis.storage.versions import NothingAtThatTime, VersionReader

SCRATCH_PREFIX = "drill/"  # outside data/: not replicated, expired by lifecycle as a backstop


class Drill:
    def __init__(self, store: DataStore, sources: Sources, log: DrillLog) -> None:
        self.store = store
        self.sources = sources
        self.log = log

    def run(
        self,
        scopes: list[Scope] | None = None,
        sample: int = 3,
        source: str = "primary",
        rng: random.Random | None = None,
    ) -> dict[str, Any]:
        """Restore a sample of recent restore points into a scratch prefix, verify them byte for byte
        against the generation their HEAD version names, remove them, and record the outcome.
        """
        drill_id = new_job_id()
        chosen = scopes
        if not chosen:
            candidates = self.store.all_scopes()
            chosen = (rng or random.Random()).sample(candidates, k=min(sample, len(candidates)))
        results = [self._one(drill_id, scope, source) for scope in chosen]
        record = {
            "drill_id": drill_id,
            "source": source,
            "started_at": drill_id[:15],
            "finished_at": now_iso(),
            "ok": bool(results) and all(result["ok"] for result in results),
            "items": results,
        }
        self.log.record(drill_id, record)
        return record

    def _one(self, drill_id: str, scope: Scope, source: str) -> dict[str, Any]:
        started = time.monotonic()
        result: dict[str, Any] = {"customer": scope.customer, "administration": scope.administration}
        result |= {"year": scope.year, "ok": False}
        head_before = self.store.head(scope)
        prefix = f"{SCRATCH_PREFIX}{drill_id}/{scope.customer}/{scope.administration}/{scope.year}/"
        try:
            reader = self.sources.reader(source)
            points = reader.restore_points(scope, limit=1)
            if not points:
                raise NothingAtThatTime(f"{scope} has no restore point in the {source} bucket")
            point = points[0]
            versions = reader.generation_at(scope, point.generation, point.last_modified)
            if not versions:
                raise NothingAtThatTime(f"generation {point.generation} of {scope} is empty")
            result |= {"restorePoint": point.view(), "objects": len(versions)}
            result["bytes"] = sum(v.size for v in versions.values())
            copies = copy_versions(self.store.s3, reader.bucket, versions, self.store.bucket, prefix)
            verify_copies(self.store.s3, self.store.bucket, prefix, copies)
            self._compare_bytes(reader, copies)
            # The drill never writes HEAD; a customer's restore may have flipped it meanwhile.
            result["headUnchanged"] = self.store.head(scope) == head_before
            result["ok"] = True
        except (NothingAtThatTime, CopyMismatch, ClientError, ValueError) as error:
            result["problem"] = f"{type(error).__name__}: {error}"
        finally:
            self.store.delete_prefix(prefix)
        result["seconds"] = round(time.monotonic() - started, 3)
        return result

    def _compare_bytes(self, reader: VersionReader, copies: list[Copied]) -> None:
        for copy in copies:
            source = reader.s3.get_object(
                Bucket=reader.bucket, Key=copy.source.key, VersionId=copy.source.version_id
            )["Body"]
            target = self.store.s3.get_object(Bucket=self.store.bucket, Key=copy.key)["Body"]
            if sha256_of(source) != sha256_of(target):
                raise CopyMismatch(f"{copy.key}: the bytes differ from version {copy.source.version_id}")
