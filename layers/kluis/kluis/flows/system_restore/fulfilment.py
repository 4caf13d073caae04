"""The operator's point-in-time restore of a request (system_restore.asl.json and `kluis ops fulfil`).

kluis ops fulfil REQUEST_ID     an operator starts system_restore.asl.json: per item (a Map state)
                                `restore_item` reads the version of HEAD at time T, the object
                                versions of that generation at T, copies them server-side into a
                                new generation, verifies the copy and flips HEAD under the lock
"""

from __future__ import annotations

import json
from typing import Any

from kluis.flows.system_restore.copying import copy_versions, verify_copies
from kluis.jobs.lifecycle import ItemStatus, Status
from kluis.jobs.model import RequestItem, SystemRestoreRequest
from kluis.scope import Scope
from kluis.storage.data import DataStore, Head, new_generation_id
from kluis.storage.locks import Locks
from kluis.storage.requests import RequestStore
from kluis.storage.versions import NothingAtThatTime, RestorePoint, VersionReader

SOURCES = ("primary", "replica")
LEASE_SECONDS = 900


class Sources:
    """Where system backups are read: the data bucket, and the replica (in its own region) if any."""

    def __init__(self, readers: dict[str, VersionReader]) -> None:
        self.readers = readers

    def reader(self, source: str) -> VersionReader:
        if source not in self.readers:
            raise ValueError(f"no {source!r} source is configured (have: {', '.join(self.readers)})")
        return self.readers[source]


class Fulfilment:
    def __init__(
        self,
        store: DataStore,
        requests: RequestStore,
        locks: Locks,
        sources: Sources,
        stepfunctions: Any = None,
        state_machine_arn: str = "",
    ) -> None:
        self.store = store
        self.requests = requests
        self.locks = locks
        self.sources = sources
        self.stepfunctions = stepfunctions
        self.state_machine_arn = state_machine_arn

    # -- the operator's command ---------------------------------------------------------------------
    def fulfil(self, request_id: str, source: str = "primary") -> dict[str, Any]:
        """Start the state machine for a request (items already restored are skipped)."""
        self.sources.reader(source)
        request = self.requests.find(request_id)
        execution = f"{request.request_id}-{source}-{len(request.fulfilments) + 1}"
        request = self.requests.begin(request, execution, source)
        payload = {
            "customer": request.customer,
            "requestId": request.request_id,
            "source": source,
            "items": [{"administration": i.administration, "year": i.year} for i in request.items],
        }
        try:
            started = self.stepfunctions.start_execution(
                stateMachineArn=self.state_machine_arn, name=execution, input=json.dumps(payload)
            )
        except Exception:
            self.requests.finish(request, Status.FAILED)  # not left "in progress" by a run that never ran
            raise
        return {"requestId": request.request_id, "execution": started["executionArn"], "source": source}

    # -- state machine steps ------------------------------------------------------------------------
    def restore_item(self, customer: str, request_id: str, index: int, source: str) -> RequestItem:
        """One administration/year of a request, to the request's point in time. Safe to run again."""
        request = self.requests.get(customer, request_id)
        item = request.items[index]
        if item.status is ItemStatus.RESTORED:
            return item
        scope = Scope(customer, item.administration, item.year)
        reader = self.sources.reader(source)
        point = reader.head_at(scope, request.moment)
        versions = reader.generation_at(scope, point.generation, request.moment) if point else {}
        if point is None or not versions:
            raise NothingAtThatTime(f"{scope} had no data at {request.point_in_time} in the {source} bucket")
        # The target generation is recorded before the first copy, so a retry reuses (and a failure
        # handler can remove) it.
        item = item.model_copy(
            update={
                "status": ItemStatus.RESTORING,
                "generation": item.generation or new_generation_id(),
                "source": source,
                "restore_point": point.view(),
                "objects": len(versions),
                "bytes": sum(v.size for v in versions.values()),
                "error": None,
                "cause": None,
            }
        )
        assert item.generation is not None
        self.requests.move_item(request, index, item)
        prefix = DataStore.generation_prefix(scope, item.generation)
        head = self.store.head(scope)
        if head is None or head.generation != item.generation:  # not flipped by an earlier attempt
            copies = copy_versions(self.store.s3, reader.bucket, versions, self.store.bucket, prefix)
            verify_copies(self.store.s3, self.store.bucket, prefix, copies)
            head = self._flip(scope, item.generation, request, point, source)
        item = item.model_copy(update={"status": ItemStatus.RESTORED, "restored_at": head.flipped_at})
        self.requests.move_item(request, index, item)
        return item

    def _flip(
        self, scope: Scope, target: str, request: SystemRestoreRequest, point: RestorePoint, source: str
    ) -> Head:
        owner = f"system-restore-{request.request_id}"
        self.locks.acquire(scope, owner, LEASE_SECONDS)
        try:
            head = self.store.head(scope)
            if head is not None and head.generation == target:
                return head
            return self.store.flip_head(
                scope,
                target,
                expected=head,
                source="system-restore",
                request=request.request_id,
                pointInTime=request.point_in_time,
                restoredGeneration=point.generation,
                restoredFrom=source,
            )
        finally:
            self.locks.release(scope, owner)

    def item_failed(self, customer: str, request_id: str, index: int, error: str, cause: str) -> None:
        """Record the failure; remove the copy unless it went live."""
        request = self.requests.get(customer, request_id)
        item = request.items[index]
        scope = Scope(customer, item.administration, item.year)
        generation = item.generation
        if generation:
            head = self.store.head(scope)
            if head is None or head.generation != generation:
                self.store.delete_generation(scope, generation)
                generation = None
        failed = item.model_copy(
            update={
                "status": ItemStatus.FAILED,
                "generation": generation,
                "error": error,
                "cause": cause[:1000],
            }
        )
        self.requests.move_item(request, index, failed)

    def finish(self, customer: str, request_id: str) -> SystemRestoreRequest:
        request = self.requests.get(customer, request_id)
        restored = [item.status is ItemStatus.RESTORED for item in request.items]
        status = (
            Status.FULFILLED if all(restored) else Status.PARTLY_FULFILLED if any(restored) else Status.FAILED
        )
        return self.requests.finish(request, status)
