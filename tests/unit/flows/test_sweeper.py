"""The sweeper walks every administration/year in key order. A run that ends on its time budget
leaves a bookmark, and the next run goes on after it, so that the last administrations are reached
however many there are; a run that gets to the end starts the next one at the beginning again."""

from __future__ import annotations

import time

from kluis.flows.sweeper import BOOKMARK, Sweeper
from kluis.scope import Scope
from kluis.storage.data import new_generation_id
from tests.unit.conftest import World, world

# Customers of different lengths: key order puts "1023" before "10234" ("/" sorts before digits).
SCOPES = [
    Scope("1023", "00001", "2025"),
    Scope("10234", "00017", "2024"),
    Scope("10234", "00017", "2025"),
    Scope("10234", "00023", "2025"),
    Scope("20567", "00017", "2025"),
]


def live(w: World, scope: Scope) -> None:
    generation = new_generation_id()
    w.store.put(scope, generation, "records/journal_entries.jsonl", b'{"id": 1}\n')
    w.store.flip_head(scope, generation, expected=None)


class Clock:
    """Real time, plus what the test adds: each administration/year swept takes 10 s."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def sweeper_with_clock(w: World) -> tuple[Sweeper, Clock, list[Scope]]:
    clock, swept = Clock(), []
    sweeper = w.sweeper
    sweeper.walk.clock = clock
    sweep = sweeper.sweep

    def timed(scope: Scope) -> list[str]:
        swept.append(scope)
        clock.offset += 10
        return sweep(scope)

    sweeper.sweep = timed  # type: ignore[method-assign]
    return sweeper, clock, swept


def test_the_scopes_after_a_bookmark_come_in_key_order_and_skip_what_has_no_head():
    with world() as w:
        for scope in reversed(SCOPES):
            live(w, scope)
        headless = Scope("10234", "00099", "2025")  # a stage that never went live
        w.store.put(headless, new_generation_id(), "records/journal_entries.jsonl", b"{}\n")
        assert list(w.store.scopes_after(None)) == SCOPES
        assert list(w.store.scopes_after(SCOPES[1])) == SCOPES[2:]
        assert list(w.store.scopes_after(headless)) == SCOPES[4:]
        assert list(w.store.scopes_after(SCOPES[-1])) == []


def test_a_run_out_of_time_leaves_a_bookmark_and_the_next_run_goes_on_after_it():
    with world() as w:
        for scope in SCOPES:
            live(w, scope)
        sweeper, clock, swept = sweeper_with_clock(w)

        first = sweeper.run(budget_seconds=25)  # time for three
        assert swept == SCOPES[:3] and first.walked.unfinished and first.walked.started_after is None
        assert w.sweeper.walk.bookmarks.get(BOOKMARK) == str(SCOPES[2])

        clock.offset = 0
        second = sweeper.run(budget_seconds=25)
        assert swept[3:] == SCOPES[3:] and not second.walked.unfinished
        assert second.walked.started_after == str(SCOPES[2]) and second.walked.visited == 2
        assert w.sweeper.walk.bookmarks.get(BOOKMARK) is None

        clock.offset = 0
        third = sweeper.run(budget_seconds=100)
        assert swept[5:] == SCOPES and third.walked.started_after is None and third.walked.visited == 5


def test_a_run_with_no_time_at_all_sweeps_nothing_and_moves_no_bookmark():
    with world() as w:
        for scope in SCOPES:
            live(w, scope)
        w.sweeper.walk.bookmarks.put(BOOKMARK, str(SCOPES[1]))
        report = w.sweeper.run(budget_seconds=0)
        assert report.walked.unfinished and report.walked.visited == 0
        assert w.sweeper.walk.bookmarks.get(BOOKMARK) == str(SCOPES[1])


def test_a_bookmark_past_the_last_scope_starts_the_next_run_at_the_beginning():
    with world() as w:
        for scope in SCOPES:
            live(w, scope)
        w.sweeper.walk.bookmarks.put(BOOKMARK, "99999/00001/2025")
        assert w.sweeper.run(budget_seconds=100).walked.visited == 0
        assert w.sweeper.run(budget_seconds=100).walked.visited == 5
