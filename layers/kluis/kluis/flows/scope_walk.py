"""A scheduled walk over every administration/year within a time budget, going on where the last
run stopped.

The sweeper and the closed-year retention sweep each visit every administration/year with a
HEAD, daily, within the 15 minutes of one invocation. Started at the first one every run, a walk
that cannot finish in one run would never reach the last ones: their replaced generations would
never go, their closed years never get a retention archive. So a run that ends on its budget leaves
a bookmark at the last one it visited (`kluis.storage.bookmarks`), the next goes on after it, and a
run that gets to the end moves the bookmark back to the beginning. A run that crashes moves
nothing: the next one does its part again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kluis.scope import Scope
from kluis.storage.bookmarks import Bookmarks
from kluis.storage.data import DataStore


@dataclass
class Walked:
    """How a run's walk went, for its report."""

    started_after: str | None = None  # the bookmark it went on from (None: the first scope)
    visited: int = 0
    unfinished: bool = False  # the budget ended first; the next run goes on


class ScopeWalk:
    def __init__(
        self,
        store: DataStore,
        bookmarks: Bookmarks,
        name: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bookmarks = bookmarks
        self.name = name
        self.clock = clock

    def scopes(self, budget_seconds: float, walked: Walked) -> Iterator[Scope]:
        """The administrations/years to visit this run, in key order; `walked` says how it went."""
        deadline = self.clock() + budget_seconds
        bookmark = self.bookmarks.get(self.name)
        walked.started_after = bookmark
        last: Scope | None = None
        for scope in self.store.scopes_after(Scope.parse(bookmark) if bookmark else None):
            if self.clock() >= deadline:
                walked.unfinished = True
                break
            last = scope
            walked.visited += 1
            yield scope
        if walked.unfinished and last is not None:
            self.bookmarks.put(self.name, str(last))
        elif not walked.unfinished and bookmark is not None:
            self.bookmarks.put(self.name, None)
