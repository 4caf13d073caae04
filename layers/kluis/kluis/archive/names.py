"""The names a backup archive and a generation share: what a generation may hold, and generation ids.

A generation holds records (`records/{dataset}.jsonl`) and documents (`documents/{id}.pdf`); an
archive holds exactly those names, the XAF auditfiles (`auditfile.xaf` in XAF 4.0 and
`auditfile-3.2.xaf` in XAF 3.2, verified on restore but never staged: the records are the books)
and its manifest and signature. Everything else is refused on
both sides, so a name from an uploaded file can never address anything but a member of a generation.
Every pattern matches the whole string (`fullmatch`): `$` would let a final newline through.
"""

from __future__ import annotations

import re

RECORD_NAME = re.compile(r"records/[a-z][a-z0-9_]{0,63}\.jsonl")
DOCUMENT_NAME = re.compile(r"documents/[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.pdf")
GENERATION_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}")
# The administration/year as an XML Auditfile Financieel (kluis.books.xaf), written by the build
# after the records and documents: XAF 4.0, the only version the Belastingdienst accepts from
# 1 January 2027, and XAF 3.2 beside it for the packages that import only 3.2. Backups made before
# December 2026 hold one `auditfile.xaf` (3.2 for fiscal years before 2027); older ones none.
# Each name with its XAF version, in the order the build writes them: the one table that pairs them
# (kluis.books.xaf.AUDITFILE_VERSIONS gives each its layout).
AUDITFILES = {"auditfile.xaf": "4.0", "auditfile-3.2.xaf": "3.2"}
AUDITFILE_NAME = "auditfile.xaf"
AUDITFILE_NAMES = frozenset(AUDITFILES)


def is_auditfile(name: str) -> bool:
    return name in AUDITFILE_NAMES


def is_generation_member(name: str) -> bool:
    """True for the names a generation may hold: records/{dataset}.jsonl and documents/{id}.pdf."""
    return bool(RECORD_NAME.fullmatch(name) or DOCUMENT_NAME.fullmatch(name))


def is_archive_member(name: str) -> bool:
    """True for the names a manifest may list: a generation's members and the auditfiles."""
    return is_auditfile(name) or is_generation_member(name)


def is_generation_id(value: str) -> bool:
    return GENERATION_ID.fullmatch(value) is not None
