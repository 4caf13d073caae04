"""An archive's entries on disk: the central directory and the manifest's entries, indexed in SQLite.

Restoring an archive of 250,000 entries kept ~2.6 KiB of Python objects per entry (the parsed central
directory, a set of names, the manifest as one JSON document and a map of it): 650 MB. Validation needs
per entry only lookups (by name, by archive order) and set comparisons (the archive's names against the
manifest's), which a small SQLite database in the function's ephemeral storage (/tmp) does in bounded
memory (`CACHE_KIB` of page cache). Rows are written in batches, read back in batches.

The database is a private temporary file, deleted on `close`.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

CACHE_KIB = 8 * 1024
BATCH = 2000


@dataclass(frozen=True, slots=True)  # one per entry: 66,000+ of them in a large archive
class Entry:
    """One checked entry: where its data starts and what it must inflate to. The name is exactly
    its UTF-8 bytes in the archive. `data_offset` is -1 until its local header has been read
    (`kluis.archive.zipreader.Layout`); the central directory alone does not say it."""

    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int = -1


class EntryIndex:
    def __init__(self) -> None:
        handle, self._path = tempfile.mkstemp(prefix="kluis-entries-", suffix=".sqlite")
        os.close(handle)
        self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        # Removed when closed, or else when the index is collected (an archive opened and dropped).
        self._finalizer = weakref.finalize(self, _remove, self._db, self._path)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "temp_store = FILE",
            f"cache_size = -{CACHE_KIB}",
        ):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(
            """
            CREATE TABLE central (
                name TEXT NOT NULL, name_key TEXT NOT NULL UNIQUE, method INTEGER, flags INTEGER,
                crc32 INTEGER, compressed_size INTEGER, size INTEGER, header_offset INTEGER,
                zip64 INTEGER, position INTEGER
            );
            CREATE TABLE manifest (path TEXT PRIMARY KEY, size INTEGER, sha256 TEXT, rank INTEGER);
            """
        )
        self._db.execute("BEGIN")
        self._batch: list[tuple[object, ...]] = []
        self.central_count = 0
        self.manifest_count = 0
        self._cached_from = -1
        self._cached: list[tuple[Entry, bool]] = []

    # -- the central directory ------------------------------------------------------------------
    def add_central(self, entry: Entry, zip64: bool, name_key: str) -> bool:
        """Add a record; False if its name key (case and Unicode form folded) is there already."""
        try:
            self._db.execute(
                "INSERT INTO central VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                (entry.name, name_key, entry.method, entry.flags, entry.crc32, entry.compressed_size,
                 entry.size, entry.header_offset, int(zip64)),
            )  # fmt: skip
        except sqlite3.IntegrityError:
            return False
        self.central_count += 1
        return True

    def order_central(self) -> None:
        """Number the records in archive order (by header offset); done once all are added."""
        self._db.execute("CREATE INDEX central_offset ON central (header_offset)")
        self._db.execute(
            "UPDATE central SET position = ordered.n - 1 FROM "
            "(SELECT rowid AS id, ROW_NUMBER() OVER (ORDER BY header_offset, rowid) AS n FROM central) "
            "AS ordered WHERE central.rowid = ordered.id"
        )
        self._db.execute("CREATE UNIQUE INDEX central_position ON central (position)")
        self._db.execute("CREATE INDEX central_name ON central (name)")
        self._db.execute("COMMIT")
        self._db.execute("BEGIN")

    def central(self, position: int) -> tuple[Entry, bool]:
        """The record at `position` in archive order, and whether it is ZIP64 (read in batches: a
        walk is sequential)."""
        if not self._cached_from <= position < self._cached_from + len(self._cached):
            self._cached_from = position
            self._cached = [
                (Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6]), bool(row[7]))
                for row in self._db.execute(
                    "SELECT name, method, flags, crc32, compressed_size, size, header_offset, zip64 "
                    "FROM central WHERE position >= ? ORDER BY position LIMIT ?",
                    (position, BATCH),
                )
            ]
            if not self._cached:
                raise IndexError(position)
        return self._cached[position - self._cached_from]

    def position_of(self, name: str) -> int | None:
        row = self._db.execute("SELECT position FROM central WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def position_of_member(self, member: int, controls: tuple[str, ...]) -> int:
        """Archive position of the `member`-th record whose name is not one of `controls`."""
        marks = ",".join("?" * len(controls))
        row = self._db.execute(
            f"SELECT position FROM central WHERE name NOT IN ({marks}) ORDER BY position LIMIT 1 OFFSET ?",
            (*controls, member),
        ).fetchone()
        return self.central_count if row is None else int(row[0])

    def names(self) -> Iterator[str]:
        """Every name, in archive order."""
        for (name,) in self._db.execute("SELECT name FROM central ORDER BY position"):
            yield name

    # -- the manifest ---------------------------------------------------------------------------
    def add_manifest(self, path: str, size: int, sha256: str) -> bool:
        """Add a manifest entry; False if the path is listed already."""
        try:
            self._db.execute(
                "INSERT INTO manifest VALUES (?, ?, ?, ?)", (path, size, sha256, self.manifest_count)
            )
        except sqlite3.IntegrityError:
            return False
        self.manifest_count += 1
        return True

    def manifest_paths_under(self, prefix: str) -> list[str]:
        """The manifest's paths that start with `prefix`, in manifest order (the few record files)."""
        rows = self._db.execute(
            "SELECT path FROM manifest WHERE substr(path, 1, ?) = ? ORDER BY rank", (len(prefix), prefix)
        )
        return [str(path) for (path,) in rows]

    def manifest_entry(self, path: str) -> tuple[int, str] | None:
        row = self._db.execute("SELECT size, sha256 FROM manifest WHERE path = ?", (path,)).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def first_missing(self, controls: tuple[str, ...]) -> str | None:
        """The first (by name) manifest path without a record."""
        row = self._db.execute(
            "SELECT path FROM manifest WHERE path NOT IN (SELECT name FROM central) ORDER BY path LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def first_extra(self, controls: tuple[str, ...]) -> str | None:
        """The first (by name) record that is neither in the manifest nor one of `controls`."""
        marks = ",".join("?" * len(controls))
        row = self._db.execute(
            f"SELECT name FROM central WHERE name NOT IN ({marks}) "
            "AND name NOT IN (SELECT path FROM manifest) ORDER BY name LIMIT 1",
            controls,
        ).fetchone()
        return None if row is None else str(row[0])

    def first_size_mismatch(self) -> str | None:
        """The first (in manifest order) path whose record's size differs from the manifest's."""
        row = self._db.execute(
            "SELECT manifest.path FROM manifest JOIN central ON central.name = manifest.path "
            "WHERE central.size != manifest.size ORDER BY manifest.rank LIMIT 1"
        ).fetchone()
        return None if row is None else str(row[0])

    def manifest_bytes_before(self, member: int, controls: tuple[str, ...]) -> int:
        """Bytes (manifest sizes) of the first `member` members in archive order."""
        marks = ",".join("?" * len(controls))
        row = self._db.execute(
            "SELECT COALESCE(SUM(size), 0) FROM (SELECT size FROM central "
            f"WHERE name NOT IN ({marks}) ORDER BY position LIMIT ?)",
            (*controls, member),
        ).fetchone()
        return int(row[0])

    def close(self) -> None:
        self._finalizer()


def _remove(db: sqlite3.Connection, path: str) -> None:
    try:
        db.close()
    finally:
        if os.path.exists(path):
            os.unlink(path)
