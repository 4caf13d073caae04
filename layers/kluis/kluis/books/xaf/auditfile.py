"""auditfile.xaf: the administration/year as an XML Auditfile Financieel, written as a stream.

XAF states the totals of all transactions (linesCount, totalDebit, totalCredit) before the first
journal, and lists every transaction inside its journal, while the records hold journal entries
in date order, all journals mixed. So the journal entries are read once to survey them (totals,
the journals, the accounts, relations and VAT codes they use) and, in the same pass, spooled to
temporary files per journal; the journals are then written from those files. Memory holds the
ledger accounts, the ids of relations, the VAT codes and the journals, never the entries; disk
holds about as much as `journal_entries.jsonl`.

A backup writes the same books in two versions (4.0 and 3.2): `SurveyedBooks.read` surveys and
spools once, and each `chunks(version)` writes one file from that. Reads: `fiscal_year`,
`ledger_accounts`, `opening_balance` (if any) and `journal_entries` once, `relations` once per
version written (streamed, never held). The output is byte-identical for the same records and options.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO

from kluis.books import records, vat
from kluis.books.records import ZERO, FiscalYear, JournalEntry, LedgerAccount, RecordError, RecordSource
from kluis.books.xaf import mapping
from kluis.books.xaf.layout import XafVersion
from kluis.books.xaf.stream import XmlStream
from kluis.books.xaf.v40 import XAF_40
from kluis.books.xaf.values import ident

SPOOL_FILES = 16  # journals share spool files beyond this: open files stay few, whatever the books
SPOOL_BUFFER = 256 * 1024
JOURNAL_PREFIX = re.compile(rb"([0-9]+)\t")


@dataclass(frozen=True)
class AuditfileOptions:
    """What the auditfile cannot learn from the records.

    `created` is the backup's creation date (header/dateCreated), given rather than read from a
    clock so that a build is repeatable. The version is not an option of the books but of each file
    written from them (`SurveyedBooks.chunks`): that of the day the file is handed over, not of the
    fiscal year, since from 1 January 2027 the Belastingdienst accepts only XAF 4.0 (ODB,
    22 April 2026), for every year it examines.
    `spool_dir` is where the journals are spooled (None: the system's temporary directory).
    `on_invalid` receives an unreadable ledger account or relation, which is then left out (an
    entry naming it still finds it, as unknown); None: such a record stops the auditfile. Entries,
    the fiscal year and the opening balance are amounts and dates: unreadable, they always stop it.
    """

    created: date
    software_version: str
    software_name: str = "Kluis"
    include_documents: bool = False
    spool_dir: str | None = None
    on_invalid: records.OnInvalid | None = None


@dataclass
class _Survey:
    """The first pass over the journal entries: what must be known before they are written."""

    entries: int = 0  # journal entries: transactions in the auditfile
    lines: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    journals: dict[str, int] = field(default_factory=dict)  # journal -> its number (spool prefix)
    accounts: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    vat_rates: dict[str, Decimal | None] = field(default_factory=dict)
    vat_used_on: dict[str, str] = field(default_factory=dict)  # code -> a VAT account it was booked on

    def add(self, entry: JournalEntry, vat_accounts: frozenset[str]) -> int:
        # By the id the auditfile shows: journals whose ids differ only in what XAF drops are one.
        number = self.journals.setdefault(ident(entry.journal), len(self.journals))
        self.entries += 1
        if entry.relation_id:
            self.relations.add(entry.relation_id)
        for line in entry.lines:
            value, side = mapping.side_amount(line.signed)
            self.lines += 1
            if side == mapping.DEBIT:
                self.debit += value
            else:
                self.credit += value
            self.accounts.add(line.account)
            if line.relation_id:
                self.relations.add(line.relation_id)
            if line.vat_code:
                known = self.vat_rates.get(line.vat_code)
                self.vat_rates[line.vat_code] = known if known is not None else line.vat_rate
                if line.account in vat_accounts:
                    self.vat_used_on.setdefault(line.vat_code, line.account)
        return number


class _Spool:
    """The journal entries in temporary files, each line prefixed with its journal's number."""

    def __init__(self, stack: ExitStack, directory: str | None) -> None:
        self.stack, self.directory = stack, directory
        self.files: dict[int, IO[bytes]] = {}

    def add(self, journal: int, line: bytes) -> None:
        slot = journal % SPOOL_FILES
        spool = self.files.get(slot)
        if spool is None:
            # Closed (and so deleted) by the stack, when the auditfile is written or abandoned.
            file = tempfile.TemporaryFile(dir=self.directory, buffering=SPOOL_BUFFER)  # noqa: SIM115
            spool = self.stack.enter_context(file)
            self.files[slot] = spool
        spool.write(b"%d\t%s\n" % (journal, line))

    def lines(self, journal: int) -> Iterator[tuple[int, bytes]]:
        spool = self.files[journal % SPOOL_FILES]
        spool.flush()
        spool.seek(0)
        for number, line in enumerate(spool, start=1):
            prefix = JOURNAL_PREFIX.match(line)
            if prefix and int(prefix[1]) == journal:
                yield number, line[prefix.end() :]


def auditfile_chunks(
    source: RecordSource, options: AuditfileOptions, version: XafVersion = XAF_40
) -> Iterator[bytes]:
    """The auditfile of the records in `source` in one version, as UTF-8 chunks.

    Raises RecordError (at the first chunk) for a record it cannot write truthfully: see
    `SurveyedBooks.read`.
    """
    with SurveyedBooks.read(source, options) as books:
        yield from books.chunks(version)


@dataclass
class SurveyedBooks:
    """The records surveyed and their journal entries spooled: what every version is written from."""

    source: RecordSource
    options: AuditfileOptions
    year: FiscalYear
    accounts: dict[str, LedgerAccount]
    vat_accounts: frozenset[str]
    opening: list[records.OpeningBalanceLine]
    survey: _Survey
    spool: _Spool

    @classmethod
    @contextmanager
    def read(cls, source: RecordSource, options: AuditfileOptions) -> Iterator[SurveyedBooks]:
        """Survey the records once; the spool files go when the block ends.

        Raises RecordError for a record no auditfile can write truthfully (no fiscal year, an entry
        without a date), before any byte of any file: one that silently leaves an entry out would
        be worse than none.
        """
        year = records.fiscal_year(source)
        if year is None:
            raise RecordError(records.FISCAL_YEAR, 1, "the administration/year has no fiscal year record")
        accounts = _ledger(records.ledger_accounts(source, options.on_invalid))
        vat_accounts = frozenset(
            code for code, acc in accounts.items() if acc.kind == "balance" and acc.vat_code
        )
        opening = list(records.opening_balance(source))  # one line per account at most: small
        with ExitStack() as stack:
            spool = _Spool(stack, options.spool_dir)
            survey = _survey(source, spool, vat_accounts)
            survey.accounts.update(line.account for line in opening)
            survey.relations.update(line.relation_id for line in opening if line.relation_id)
            yield cls(source, options, year, accounts, vat_accounts, opening, survey, spool)

    def chunks(self, version: XafVersion) -> Iterator[bytes]:
        """The auditfile in `version`, as UTF-8 chunks (for `ZipWriter.write_entry`)."""
        options, year, survey = self.options, self.year, self.survey
        xml = XmlStream()
        xml.open("auditfile", {"xmlns": version.namespace})
        about = mapping.header(year, options.created, options.software_name, options.software_version)
        xml.element("header", version.header, about)
        xml.open("company")
        xml.fields(version.company, mapping.company(year))
        relations = records.relations(self.source, options.on_invalid)
        yield from _relations(xml, version, relations, survey.relations)
        yield from _ledger_accounts(xml, version, self.accounts, survey.accounts)
        _vat_codes(xml, version, self.accounts, survey)
        periods = mapping.Periods.of(year)
        _periods(xml, version, periods)
        _opening_balance(xml, version, year, self.opening)
        rates = {code: vat.describe(code, rate).rate for code, rate in survey.vat_rates.items()}
        context = mapping.EntryContext(periods, self.vat_accounts, rates, options.include_documents)
        yield from _transactions(xml, version, survey, self.spool, context)
        xml.close("company")
        xml.close("auditfile")
        yield xml.flush() + b"\n"


def _ledger(accounts: Iterable[LedgerAccount]) -> dict[str, LedgerAccount]:
    """The chart of accounts by code; a code listed twice keeps its first record (XAF keys are unique)."""
    ledger: dict[str, LedgerAccount] = {}
    for account in accounts:
        ledger.setdefault(account.code, account)
    return ledger


def _survey(source: RecordSource, spool: _Spool, vat_accounts: frozenset[str]) -> _Survey:
    survey = _Survey()
    chunks = source.open(records.JOURNAL_ENTRIES)
    for number, line in records.lines(chunks or (), records.JOURNAL_ENTRIES):
        entry = records.parse(JournalEntry, records.JOURNAL_ENTRIES, number, line)
        spool.add(survey.add(entry, vat_accounts), line)
    return survey


def _relations(
    xml: XmlStream, version: XafVersion, relations: Iterable[records.Relation], referenced: set[str]
) -> Iterator[bytes]:
    """Every relation once (XAF keys are unique), then those that entries name but the relations
    do not, so that every reference in the file resolves."""
    written: set[str] = set()
    xml.open("customersSuppliers")
    for relation in relations:
        if ident(relation.id) not in written:
            written.add(ident(relation.id))
            xml.element("customerSupplier", version.customer_supplier, mapping.customer_supplier(relation))
            if chunk := xml.take():
                yield chunk
    for relation_id in sorted(referenced):
        if ident(relation_id) not in written:
            written.add(ident(relation_id))
            xml.element("customerSupplier", version.customer_supplier, mapping.unknown_relation(relation_id))
    xml.close("customersSuppliers")


def _ledger_accounts(
    xml: XmlStream, version: XafVersion, accounts: dict[str, LedgerAccount], referenced: set[str]
) -> Iterator[bytes]:
    """The chart of accounts, then the accounts that lines name but the chart does not."""
    written: set[str] = set()
    missing = sorted(code for code in referenced if code not in accounts)
    if not accounts and not missing:
        return  # generalLedger must hold at least one account
    xml.open("generalLedger")
    for account in accounts.values():
        if ident(account.code) not in written:
            written.add(ident(account.code))
            xml.element("ledgerAccount", version.ledger_account, mapping.ledger_account(account))
    for code in missing:
        if ident(code) not in written:
            written.add(ident(code))
            xml.element("ledgerAccount", version.ledger_account, mapping.unknown_account(code))
    xml.close("generalLedger")
    if chunk := xml.take():
        yield chunk


def _vat_codes(
    xml: XmlStream, version: XafVersion, accounts: dict[str, LedgerAccount], survey: _Survey
) -> None:
    if not survey.vat_rates:
        return
    xml.open("vatCodes")
    written: set[str] = set()
    for code in sorted(survey.vat_rates):
        if ident(code) in written:
            continue
        written.add(ident(code))
        described = vat.describe(code, survey.vat_rates[code])
        values = mapping.vat_code(described, accounts, survey.vat_used_on.get(code))
        xml.element("vatCode", version.vat_code, values)
    xml.close("vatCodes")


def _periods(xml: XmlStream, version: XafVersion, periods: mapping.Periods) -> None:
    xml.open("periods")
    for values in periods.values():
        xml.element("period", version.period, values)
    xml.close("periods")


def _opening_balance(
    xml: XmlStream, version: XafVersion, year: FiscalYear, opening: list[records.OpeningBalanceLine]
) -> None:
    if not opening:
        return
    sides = [mapping.side_amount(line.signed) for line in opening]
    debit = sum((value for value, side in sides if side == mapping.DEBIT), ZERO)
    credit = sum((value for value, side in sides if side == mapping.CREDIT), ZERO)
    xml.open("openingBalance")
    xml.fields(version.opening_balance, mapping.opening_balance(year, len(opening), debit, credit))
    for number, line in enumerate(opening, start=1):
        xml.element("obLine", version.opening_line, mapping.opening_line(number, line))
    xml.close("openingBalance")


def _transactions(
    xml: XmlStream, version: XafVersion, survey: _Survey, spool: _Spool, context: mapping.EntryContext
) -> Iterator[bytes]:
    xml.open("transactions")
    xml.fields(version.transactions, mapping.totals(survey.lines, survey.debit, survey.credit))
    for journal in sorted(survey.journals):
        xml.open("journal")
        xml.fields(version.journal, mapping.journal(journal))
        for number, line in spool.lines(survey.journals[journal]):
            entry = records.parse(JournalEntry, records.JOURNAL_ENTRIES, number, line)
            xml.element("transaction", version.transaction, mapping.transaction(entry, context))
            if chunk := xml.take():
                yield chunk
        xml.close("journal")
    xml.close("transactions")
