"""The year-end retention archive: how long a fiscal year's books are kept, unalterable, and why.

Dutch law (art. 52 AWR) asks a bookkeeper to keep an administration's records seven years, ten for
the records of real estate (VAT revision), readable and unaltered. Kluis keeps a complete backup of a
closed year (records, documents and the XAF auditfile) under S3 Object Lock in COMPLIANCE mode until
that many years after the end of the fiscal year: nobody, not even the account's root user, can
delete or overwrite it before then.

Pure: the copy, its record and the download are `kluis.storage.retained` and `kluis.flows.retention`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

# 7: the general duty; 10: real estate (the VAT revision period of immovable property).
ALLOWED_YEARS: tuple[int, ...] = (7, 10)


def _allowed(years: int) -> int:
    if years not in ALLOWED_YEARS:
        raise ValueError(f"must be one of {', '.join(map(str, ALLOWED_YEARS))} years")
    return years


# An int, not a Literal: the value comes back from DynamoDB as a Decimal and from settings as text.
RetentionYears = Annotated[int, AfterValidator(_allowed)]


class Why(StrEnum):
    CLOSED = "closed"  # the fiscal year was closed: Kluis keeps it on its own initiative
    REQUESTED = "requested"  # a user asked for it (any year, open or closed)


class RetentionRequest(BaseModel):
    """What a retention job is for: carried on the backup job that builds the archive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    years: RetentionYears = 7
    why: Why = Why.REQUESTED


def fiscal_year_end(end: date | None, year: str) -> date:
    """The last day of the fiscal year: the records' own end date, or 31 December of `year`."""
    return end if end is not None else date(int(year), 12, 31)


def retain_until(end: date, years: int) -> datetime:
    """The moment the lock ends: the day after the same date `years` later, at midnight UTC.

    A year ending on 29 February is kept until 1 March (the next day of a year without one).
    """
    try:
        last = end.replace(year=end.year + years)
    except ValueError:  # 29 February in a year that has none
        last = date(end.year + years, 2, 28)
    return datetime.combine(last + timedelta(days=1), time(0, 0), tzinfo=UTC)
