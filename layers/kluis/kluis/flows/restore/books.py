"""The books preview of a restore: the staged generation's records against the live ones.

Computed once validation has staged every member (or, for an undo, from the generation it makes
live again), with `kluis.books.summary.preview`: one streaming pass per dataset of each side,
memory bounded by the chart of accounts and the journals, never by the entries. The result is a
field of the job (`RestoreJob.books`), so the owner's view, and any client, shows it before the
code is typed.

A preview helps the bookkeeper decide; it never decides. Records it cannot read are counted in it
(`books.backup_unreadable_records`), and if no preview can be made at all (records odd in a way
the summary does not survive), the restore goes on without one: that is logged, and the job has
no `books`. Only an AWS failure worth retrying is raised, so the state machine tries again.
"""

from __future__ import annotations

import logging

from kluis.books.summary import BooksPreview, preview
from kluis.scope import Scope
from kluis.storage.data import DataStore, GenerationRecords
from kluis.transient import is_transient

log = logging.getLogger(__name__)


def books_preview(
    store: DataStore,
    scope: Scope,
    staged: str,
    live: str | None,
    *,
    documents: int | None = None,
    job_id: str = "",
) -> BooksPreview | None:
    """What restoring generation `staged` over `live` (None: nothing live) does to the books."""
    try:
        return preview(
            GenerationRecords(store, scope, staged),
            GenerationRecords(store, scope, live) if live else None,
            backup_documents=documents,
        )
    except Exception as error:  # a preview must never stop a restore
        if is_transient(error):
            raise
        log.warning("restore %s of %s: no books preview (%r)", job_id, scope, error, exc_info=True)
        return None
