"""Which generations HEAD named since a moment: S3's LastModified has whole seconds, so flips within
one second are ordered by S3's listing (newest first per key), and a version stamped in the
moment's second counts as possibly live since then."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import moto.s3.models
import pytest

from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis.storage.versions import VersionReader

SCOPE = Scope("10234", "00017", "2025")
GENERATIONS = {
    "seed": "20251231T235950Z-00000001",
    "first": "20260101T120000Z-0000000a",
    "second": "20260101T120000Z-0000000b",
    "third": "20260101T120000Z-0000000c",
}


class S3Clock:
    """The time moto stamps objects with (its LastModified), set by the test."""

    def __init__(self) -> None:
        self.now = datetime(2025, 12, 31, 23, 59, 50)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def flipped(store: DataStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[DataStore]:
    """HEAD named `seed` at 23:59:50, then first, second and third within 12:00:00's second."""
    clock = S3Clock()
    monkeypatch.setattr(moto.s3.models, "utcnow", clock)
    head = None
    milliseconds = {"first": 100, "second": 500, "third": 900}
    for name, generation in GENERATIONS.items():
        if name != "seed":
            clock.now = datetime(2026, 1, 1, 12, 0, 0, milliseconds[name] * 1000)
        head = store.flip_head(SCOPE, generation, expected=head)
    yield store


def at(*clock: int) -> datetime:
    return datetime(2026, 1, 1, *clock, tzinfo=UTC)


def test_of_flips_in_one_second_the_last_is_the_one_live_after_it(flipped: DataStore):
    reader = VersionReader(flipped.s3, flipped.bucket)
    assert reader.live_since(SCOPE, at(12, 0, 5)) == {GENERATIONS["third"]}


def test_a_moment_inside_the_flips_second_keeps_every_generation_of_that_second(flipped: DataStore):
    reader = VersionReader(flipped.s3, flipped.bucket)
    expected = {GENERATIONS[name] for name in ("seed", "first", "second", "third")}
    assert reader.live_since(SCOPE, at(12, 0, 0)) == expected


def test_restore_points_are_newest_first_within_one_second(flipped: DataStore):
    reader = VersionReader(flipped.s3, flipped.bucket)
    points = [point.generation for point in reader.restore_points(SCOPE)]
    assert points == [GENERATIONS[name] for name in ("third", "second", "first", "seed")]
