"""The books preview: what an administration/year holds, and what a restore would change in it.

`summarize` reads the records of a generation in one streaming pass per dataset and keeps only
totals: per journal, per ledger account (the trial balance), per VAT return; memory grows with the
chart of accounts and the journals, never with the entries. `compare` sets a backup's summary
against the live one and lists the differences, most important first, with warnings for what a
bookkeeper must not miss: filed VAT returns that would be open again, entries newer than the
backup that would be lost, entries that do not balance. `preview` does all of it for a restore.

Everything is data (codes, counts, dates, decimal amounts), never text to parse, so a client shows
it in Dutch or English. `BooksPreview` is compact enough to be a field of a job (a DynamoDB item
stays under 400 KB): lists are capped, with a count of what was left out. `view()` gives the
camelCase JSON an API answers with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from kluis.books import records
from kluis.books.records import ZERO, JournalEntry, OpeningBalanceLine, RecordError, RecordSource

SHOWN_JOURNALS = 20  # journals in an overview, and differing journals in a preview
SHOWN_ACCOUNTS = 20  # differing accounts in a preview, largest difference first
SHOWN_VAT_RETURNS = 24  # six years of quarters, or two of months
SHOWN_EXAMPLES = 5  # ids of entries that do not balance, records that could not be read
MAX_TRACKED = 10_000  # journals or accounts kept apart; beyond, they are summed as OTHER
OTHER = "…"
MAX_TEXT = 60  # names and ids as shown: a preview is not the place for a 999-character name


def _short(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )

    def view(self) -> dict[str, Any]:
        """As an API answers: camelCase keys, amounts as decimal strings, dates in ISO 8601."""
        return self.model_dump(mode="json", by_alias=True)


# -- a summary ---------------------------------------------------------------------------------------
class JournalBooks(_Model):
    journal: str
    entries: int
    debit: Decimal
    credit: Decimal
    unbalanced: int = 0
    first_date: date | None = None
    last_date: date | None = None
    # Only when summarized against a reference: entries dated after its last entry in this journal
    # (all of them when the reference has no such journal).
    after_reference: int | None = None


class AccountBalance(_Model):
    account: str
    name: str = ""
    opening: Decimal = ZERO  # debit positive
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def balance(self) -> Decimal:
        return self.opening + self.debit - self.credit


class RelationCounts(_Model):
    total: int = 0
    customers: int = 0
    suppliers: int = 0


class VatReturnState(_Model):
    period: str  # "2025-Q3", or "2025-07-01/2025-09-30" for a return that is not a quarter
    year: str | None = None
    quarter: int | None = None
    status: str
    payable: Decimal | None = None

    @property
    def filed(self) -> bool:
        return self.status == "filed"


class RecordProblem(_Model):
    dataset: str
    line: int


class BooksOverview(_Model):
    """What an administration/year holds, without its trial balance: what a job keeps."""

    fiscal_year: str | None = None
    start: date | None = None
    end: date | None = None
    entries: int = 0
    lines: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    unbalanced_entries: int = 0
    unbalanced_examples: tuple[str, ...] = ()
    first_entry_date: date | None = None
    last_entry_date: date | None = None
    journals: tuple[JournalBooks, ...] = ()
    journals_omitted: int = 0
    accounts: int = 0  # ledger accounts with an opening balance or an entry
    relations: RelationCounts = RelationCounts()
    vat_returns: tuple[VatReturnState, ...] = ()
    vat_returns_omitted: int = 0
    documents: int | None = None  # the PDFs the caller counted (None: not counted)
    linked_documents: int = 0  # entries that name a document
    unreadable_records: int = 0
    unreadable_examples: tuple[RecordProblem, ...] = ()


class BooksSummary(BooksOverview):
    """An overview with its trial balance (every account, by code): what `compare` needs."""

    trial_balance: tuple[AccountBalance, ...] = ()

    def overview(self) -> BooksOverview:
        values = {name: getattr(self, name) for name in BooksOverview.model_fields}
        # What the administration/year holds; what is lost against a reference is in the differences.
        shown = tuple(j.model_copy(update={"after_reference": None}) for j in self.journals[:SHOWN_JOURNALS])
        omitted = self.journals_omitted + len(self.journals) - len(shown)
        return BooksOverview.model_validate(values | {"journals": shown, "journals_omitted": omitted})

    def last_dates(self) -> dict[str, date | None]:
        return {journal.journal: journal.last_date for journal in self.journals}


# -- summarizing -------------------------------------------------------------------------------------
@dataclass
class _Journal:
    entries: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    unbalanced: int = 0
    first: date | None = None
    last: date | None = None
    after_reference: int = 0


@dataclass
class _Account:
    opening: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO


@dataclass
class _Tally:
    """Running totals over the entries; one entry at a time, nothing kept per entry."""

    cutoffs: Mapping[str, date | None] | None
    journals: dict[str, _Journal] = field(default_factory=dict)
    accounts: dict[str, _Account] = field(default_factory=dict)
    unbalanced: list[str] = field(default_factory=list)
    entries: int = 0
    lines: int = 0
    linked_documents: int = 0

    def opening(self, line: OpeningBalanceLine) -> None:
        self._account(line.account).opening += line.signed

    def add(self, entry: JournalEntry) -> None:
        name = _short(entry.journal)  # the key a summary shows, and a reference's cutoffs use
        journal = self._journal(name)
        debit, credit = entry.debit, entry.credit
        journal.entries += 1
        journal.debit += debit
        journal.credit += credit
        journal.first = min(journal.first or entry.date, entry.date)
        journal.last = max(journal.last or entry.date, entry.date)
        if self.cutoffs is not None:
            cutoff = self.cutoffs.get(name)
            if cutoff is None or entry.date > cutoff:
                journal.after_reference += 1
        if debit != credit:  # counted and shown, never left out
            journal.unbalanced += 1
            if len(self.unbalanced) < SHOWN_EXAMPLES:
                self.unbalanced.append(_short(entry.id))
        for line in entry.lines:
            account = self._account(line.account)
            account.debit += line.debit
            account.credit += line.credit
        self.entries += 1
        self.lines += len(entry.lines)
        self.linked_documents += bool(entry.document_id)

    def _journal(self, journal: str) -> _Journal:
        key = journal if journal in self.journals or len(self.journals) < MAX_TRACKED else OTHER
        return self.journals.setdefault(key, _Journal())

    def _account(self, account: str) -> _Account:
        key = account if account in self.accounts or len(self.accounts) < MAX_TRACKED else OTHER
        return self.accounts.setdefault(key, _Account())

    def journal_books(self) -> list[JournalBooks]:
        return [
            JournalBooks(
                journal=name,
                entries=j.entries,
                debit=j.debit,
                credit=j.credit,
                unbalanced=j.unbalanced,
                first_date=j.first,
                last_date=j.last,
                after_reference=j.after_reference if self.cutoffs is not None else None,
            )
            for name, j in sorted(self.journals.items())
        ]

    def trial_balance(self, names: Mapping[str, str]) -> tuple[AccountBalance, ...]:
        return tuple(
            AccountBalance(
                account=_short(code),
                name=_short(names.get(code, "")),
                opening=a.opening,
                debit=a.debit,
                credit=a.credit,
            )
            for code, a in sorted(self.accounts.items())
        )


@dataclass
class _Problems:
    count: int = 0
    examples: list[RecordProblem] = field(default_factory=list)

    def add(self, error: RecordError) -> None:
        self.count += 1
        if len(self.examples) < SHOWN_EXAMPLES:
            self.examples.append(RecordProblem(dataset=error.dataset, line=error.line))


def _relations(relations: Iterable[records.Relation]) -> RelationCounts:
    total = customers = suppliers = 0
    for relation in relations:
        total += 1
        customers += relation.kind in ("customer", "both")
        suppliers += relation.kind in ("supplier", "both")
    return RelationCounts(total=total, customers=customers, suppliers=suppliers)


def _vat_return(vat_return: records.VatReturn) -> VatReturnState:
    if vat_return.quarter and vat_return.year:
        period = f"{vat_return.year}-Q{vat_return.quarter}"
    else:
        start, end = vat_return.period_start, vat_return.period_end
        period = f"{start.isoformat() if start else '?'}/{end.isoformat() if end else '?'}"
    return VatReturnState(
        period=period,
        year=vat_return.year,
        quarter=vat_return.quarter,
        status=_short(vat_return.status or "open"),
        payable=vat_return.payable,
    )


def summarize(
    source: RecordSource, *, documents: int | None = None, reference: BooksSummary | None = None
) -> BooksSummary:
    """The summary of the records in `source`: one pass over each dataset, bounded memory.

    `documents` is the number of PDFs, which only the caller can count. With a `reference` (the
    backup's summary, when summarizing the live books), each journal also counts the entries
    dated after the reference's last entry in it: the entries a restore of the reference loses.
    Records that cannot be read are counted, never fatal: a preview must not stop a restore.
    """
    problems = _Problems()
    year = records.fiscal_year(source, problems.add)
    names = {a.code: a.name for a in records.ledger_accounts(source, problems.add) if a.name}
    tally = _Tally(cutoffs=reference.last_dates() if reference else None)
    for line in records.opening_balance(source, problems.add):
        tally.opening(line)
    for entry in records.journal_entries(source, problems.add):
        tally.add(entry)
    relations = _relations(records.relations(source, problems.add))
    vat_returns = sorted((_vat_return(r) for r in records.vat_returns(source, problems.add)), key=_period_key)
    journals = tally.journal_books()
    return BooksSummary(
        fiscal_year=year.year if year else None,
        start=year.start if year else None,
        end=year.end if year else None,
        entries=tally.entries,
        lines=tally.lines,
        debit=sum((j.debit for j in journals), ZERO),
        credit=sum((j.credit for j in journals), ZERO),
        unbalanced_entries=sum(j.unbalanced for j in journals),
        unbalanced_examples=tuple(tally.unbalanced),
        first_entry_date=min((j.first_date for j in journals if j.first_date), default=None),
        last_entry_date=max((j.last_date for j in journals if j.last_date), default=None),
        journals=tuple(journals),
        accounts=len(tally.accounts),
        relations=relations,
        vat_returns=tuple(vat_returns[:SHOWN_VAT_RETURNS]),
        vat_returns_omitted=max(0, len(vat_returns) - SHOWN_VAT_RETURNS),
        documents=documents,
        linked_documents=tally.linked_documents,
        unreadable_records=problems.count,
        unreadable_examples=tuple(problems.examples),
        trial_balance=tally.trial_balance(names),
    )


def _period_key(state: VatReturnState) -> tuple[str, int, str]:
    return (state.year or "", state.quarter or 0, state.period)


# -- comparing -------------------------------------------------------------------------------------
class JournalDifference(_Model):
    """One journal, in the backup and now. `lost_entries` are dated after the backup's last entry
    in it (`lost_after`; None: the backup has no entries in this journal): a restore removes them."""

    journal: str
    backup_entries: int
    live_entries: int
    lost_entries: int
    lost_after: date | None = None
    backup_debit: Decimal
    live_debit: Decimal


class VatReturnDifference(_Model):
    """A VAT return whose status differs; None: the return is not there at all."""

    period: str
    year: str | None = None
    quarter: int | None = None
    backup_status: str | None = None
    live_status: str | None = None


class AccountDifference(_Model):
    """An account whose balance differs; `change` is what the restore does to it (backup minus now)."""

    account: str
    name: str
    backup_balance: Decimal
    live_balance: Decimal
    change: Decimal


class WarningCode(StrEnum):
    # params: entries (int), after (ISO date: the backup's last entry; absent when it has none)
    NEWER_ENTRIES_LOST = "books.newer_entries_lost"
    # params: returns (int), periods (comma-separated periods, e.g. "2025-Q3,2025-Q4")
    FILED_VAT_RETURNS_REOPENED = "books.filed_vat_returns_reopened"
    # params: entries (int)
    BACKUP_UNBALANCED = "books.backup_unbalanced"
    # params: records (int)
    BACKUP_UNREADABLE_RECORDS = "books.backup_unreadable_records"


class BooksWarning(_Model):
    code: WarningCode
    params: dict[str, str | int] = {}


class BooksPreview(_Model):
    """What a restore does to the books: the backup's, the live ones (None: nothing live), and
    the differences, each list most important first and capped, with the count of all."""

    backup: BooksOverview
    live: BooksOverview | None = None
    warnings: tuple[BooksWarning, ...] = ()
    journals: tuple[JournalDifference, ...] = ()
    journals_differing: int = 0
    vat_returns: tuple[VatReturnDifference, ...] = ()
    vat_returns_differing: int = 0
    accounts: tuple[AccountDifference, ...] = ()
    accounts_differing: int = 0

    @property
    def identical(self) -> bool:
        """Live books that the backup leaves as they are."""
        differing = self.journals_differing + self.vat_returns_differing + self.accounts_differing
        return self.live is not None and not differing


def compare(backup: BooksSummary, live: BooksSummary | None) -> BooksPreview:
    """The preview of restoring `backup` over `live` (None: the administration/year is empty).

    For the entries that would be lost, `live` must have been summarized with `reference=backup`;
    without it every live entry after the backup's last date is unknown and counted as none.
    """
    warnings = _backup_warnings(backup)
    if live is None:
        return BooksPreview(backup=backup.overview(), warnings=tuple(warnings))
    journals = _journal_differences(backup, live)
    vat_returns = _vat_differences(backup, live)
    accounts = _account_differences(backup, live)
    lost = sum(j.lost_entries for j in journals)
    if lost:
        after = {"after": backup.last_entry_date.isoformat()} if backup.last_entry_date else {}
        warnings.insert(
            0, BooksWarning(code=WarningCode.NEWER_ENTRIES_LOST, params={"entries": lost} | after)
        )
    reopened = [v.period for v in vat_returns if v.live_status == "filed" and v.backup_status != "filed"]
    if reopened:
        params: dict[str, str | int] = {"returns": len(reopened), "periods": ",".join(reopened)}
        warnings.insert(0, BooksWarning(code=WarningCode.FILED_VAT_RETURNS_REOPENED, params=params))
    return BooksPreview(
        backup=backup.overview(),
        live=live.overview(),
        warnings=tuple(warnings),
        journals=tuple(journals[:SHOWN_JOURNALS]),
        journals_differing=len(journals),
        vat_returns=tuple(vat_returns[:SHOWN_VAT_RETURNS]),
        vat_returns_differing=len(vat_returns),
        accounts=tuple(accounts[:SHOWN_ACCOUNTS]),
        accounts_differing=len(accounts),
    )


def preview(
    backup: RecordSource,
    live: RecordSource | None,
    *,
    backup_documents: int | None = None,
    live_documents: int | None = None,
) -> BooksPreview:
    """Summarize the backup's records, then the live ones against it, and compare them."""
    backup_summary = summarize(backup, documents=backup_documents)
    live_summary = (
        summarize(live, documents=live_documents, reference=backup_summary) if live is not None else None
    )
    return compare(backup_summary, live_summary)


def _backup_warnings(backup: BooksSummary) -> list[BooksWarning]:
    warnings = []
    if backup.unbalanced_entries:
        params: dict[str, str | int] = {"entries": backup.unbalanced_entries}
        warnings.append(BooksWarning(code=WarningCode.BACKUP_UNBALANCED, params=params))
    if backup.unreadable_records:
        params = {"records": backup.unreadable_records}
        warnings.append(BooksWarning(code=WarningCode.BACKUP_UNREADABLE_RECORDS, params=params))
    return warnings


def _journal_differences(backup: BooksSummary, live: BooksSummary) -> list[JournalDifference]:
    before = {j.journal: j for j in backup.journals}
    now = {j.journal: j for j in live.journals}
    differences = []
    for name in sorted(before.keys() | now.keys()):
        old, new = before.get(name), now.get(name)
        lost = (new.after_reference or 0) if new else 0
        if (
            old
            and new
            and (old.entries, old.debit, old.credit) == (new.entries, new.debit, new.credit)
            and not lost
        ):
            continue
        differences.append(
            JournalDifference(
                journal=name,
                backup_entries=old.entries if old else 0,
                live_entries=new.entries if new else 0,
                lost_entries=lost,
                lost_after=old.last_date if old else None,
                backup_debit=old.debit if old else ZERO,
                live_debit=new.debit if new else ZERO,
            )
        )
    # The journals where most would be lost first, then the largest change in entries.
    differences.sort(key=lambda d: (-d.lost_entries, -abs(d.live_entries - d.backup_entries), d.journal))
    return differences


def _vat_differences(backup: BooksSummary, live: BooksSummary) -> list[VatReturnDifference]:
    before = {v.period: v for v in backup.vat_returns}
    now = {v.period: v for v in live.vat_returns}
    differences = []
    states = {**now, **before}  # one state per period, to sort by
    for period in sorted(states, key=lambda p: _period_key(states[p])):
        old, new, some = before.get(period), now.get(period), states[period]
        if old and new and old.status == new.status:
            continue
        differences.append(
            VatReturnDifference(
                period=period,
                year=some.year,
                quarter=some.quarter,
                backup_status=old.status if old else None,
                live_status=new.status if new else None,
            )
        )
    # Filed returns that would be open again first: the one difference the tax office sees.
    differences.sort(key=lambda d: d.live_status != "filed" or d.backup_status == "filed")
    return differences


def _account_differences(backup: BooksSummary, live: BooksSummary) -> list[AccountDifference]:
    before = {a.account: a for a in backup.trial_balance}
    now = {a.account: a for a in live.trial_balance}
    differences = []
    for code in before.keys() | now.keys():
        old, new = before.get(code), now.get(code)
        old_balance = old.balance if old else ZERO
        new_balance = new.balance if new else ZERO
        if old_balance == new_balance:
            continue
        named = old if old and old.name else new
        differences.append(
            AccountDifference(
                account=code,
                name=named.name if named else "",
                backup_balance=old_balance,
                live_balance=new_balance,
                change=old_balance - new_balance,
            )
        )
    differences.sort(key=lambda d: (-abs(d.change), d.account))
    return differences
