"""The sweeper: removes generations nothing needs any more, so storage does not grow with each restore.

Scheduled (SweepGenerationsFunction). A generation of an administration/year is kept while it is
- live (HEAD names it);
- within the undo window: HEAD named it at some moment of the last `UndoWindowDays` (a restore's
  replaced generation, which its undo would make live again);
- being staged or applied: an unfinished job's stage (a restore still validating or waiting for its
  code, an undo waiting for its code);
- young: created less than a grace period ago (a stage whose job is not recorded yet, a seed);
and removed otherwise. Removal happens under the administration/year's lock, so it never interleaves
with an Apply, which verifies its stage under the same lock before it flips: a flip can never point
HEAD at a generation the sweeper removed. Removal marks the generation retired first
(`DataStore.retire`), so a crash mid-way leaves a generation that is never taken for whole, and the
next run finishes it. The bucket is versioned: removed objects stay as noncurrent versions for the
system backups' retention. The sweeper never writes HEAD (its role may not).

A run that ends on its time budget leaves a bookmark, and the next goes on after it
(`kluis.flows.scope_walk`): with more administrations than one run can sweep, the last are reached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from kluis.archive.names import is_generation_id
from kluis.flows.scope_walk import ScopeWalk, Walked
from kluis.scope import Scope
from kluis.storage.bookmarks import Bookmarks
from kluis.storage.data import DataStore
from kluis.storage.jobs import JobStore
from kluis.storage.locks import LockBusy, Locks
from kluis.storage.versions import VersionReader

LOG = logging.getLogger(__name__)
OWNER = "sweeper"
LEASE_SECONDS = 300
BOOKMARK = "sweep-generations"


@dataclass
class SweepReport:
    retired: dict[str, list[str]] = field(default_factory=dict)  # scope -> generations removed
    busy: list[str] = field(default_factory=list)  # scopes skipped: their lock was held
    walked: Walked = field(default_factory=Walked)  # where it started, how many, whether it finished


class Sweeper:
    def __init__(
        self,
        store: DataStore,
        jobs: JobStore,
        locks: Locks,
        bookmarks: Bookmarks,
        *,
        window_days: float,
        grace_days: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.locks = locks
        self.walk = ScopeWalk(store, bookmarks, BOOKMARK, clock)
        self.history = VersionReader(store.s3, store.bucket)
        self.window = timedelta(days=window_days)
        self.grace = timedelta(days=grace_days)
        self.clock = clock

    def run(self, budget_seconds: float) -> SweepReport:
        report = SweepReport()
        for scope in self.walk.scopes(budget_seconds, report.walked):
            try:
                retired = self.sweep(scope)
            except LockBusy:
                report.busy.append(str(scope))
                continue
            if retired:
                report.retired[str(scope)] = retired
        return report

    def sweep(self, scope: Scope) -> list[str]:
        """Remove the generations of `scope` nothing needs; LockBusy if a backup or restore holds it."""
        candidates = [g for g in self.store.generations(scope) if g not in self.needed(scope)]
        if not candidates:
            return []
        self.locks.acquire(scope, OWNER, LEASE_SECONDS)
        try:
            needed = self.needed(scope)  # again, under the lock: nothing can make one live meanwhile
            retired = [g for g in candidates if g not in needed]
            for generation in retired:
                count = self.store.retire(scope, generation)
                LOG.info(
                    "generation retired",
                    extra={"scope": str(scope), "generation": generation, "objects": count},
                )
        finally:
            self.locks.release(scope, OWNER)
        return retired

    def needed(self, scope: Scope) -> set[str]:
        now = datetime.fromtimestamp(self.clock(), UTC)
        needed = self.history.live_since(scope, now - self.window)
        head = self.store.head(scope)
        if head is not None:
            needed.add(head.generation)
        needed |= {
            job.stage.generation for job in self.jobs.unfinished_restores(scope) if job.stage is not None
        }
        young = (now - self.grace).strftime("%Y%m%dT%H%M%SZ")
        needed |= {g for g in self.store.generations(scope) if is_generation_id(g) and g[:16] >= young}
        return needed
