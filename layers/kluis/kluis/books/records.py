"""The record datasets of one administration/year, read as typed records, one line at a time.

A generation holds its books as `records/{dataset}.jsonl`: one JSON object per line, UTF-8. This
module turns those bytes (in chunks of any size, as S3 or a ZIP member gives them) into typed
records without ever holding a whole dataset. Amounts are `Decimal` end to end: JSON numbers are
parsed with `parse_float=Decimal`, and amounts written as strings are taken as decimals too.

Records come from real administrations, so the models are lenient where that costs nothing:
unknown fields are ignored, optional fields may be missing or null, numbers stand in for
identifiers. A record without what makes it meaningful (an entry without a date, a line without an
account) is a `RecordError`, which a reader either raises or hands to `on_invalid` and skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Protocol, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

ZERO = Decimal("0.00")
# One journal entry with thousands of lines is a few hundred KB; a longer line is not a record.
MAX_LINE_BYTES = 16 * 1024 * 1024

FISCAL_YEAR = "fiscal_year"
LEDGER_ACCOUNTS = "ledger_accounts"
RELATIONS = "relations"
JOURNAL_ENTRIES = "journal_entries"
VAT_RETURNS = "vat_returns"
# Optional: the balances the year opened with, one line per account (not every product has it).
OPENING_BALANCE = "opening_balance"


class RecordError(ValueError):
    """A line of a dataset that is not a record this module can use."""

    def __init__(self, dataset: str, line: int, problem: str) -> None:
        super().__init__(f"{dataset}.jsonl line {line}: {problem}")
        self.dataset, self.line, self.problem = dataset, line, problem


class RecordSource(Protocol):
    """Where the datasets of one generation are: the bytes of `records/{dataset}.jsonl`.

    `open` may be called more than once for the same dataset (each call starts a new pass) and
    returns None when the generation has no such dataset.
    """

    def open(self, dataset: str) -> Iterable[bytes] | None: ...


class InMemoryRecords:
    """A RecordSource over datasets already in memory (tests, tools, the seed's generated scopes)."""

    def __init__(self, datasets: Mapping[str, bytes]) -> None:
        self.datasets = datasets

    def open(self, dataset: str) -> Iterable[bytes] | None:
        data = self.datasets.get(dataset)
        return None if data is None else (data,)


OnInvalid = Callable[[RecordError], None]


# -- lenient field types --------------------------------------------------------------------------
def _money(value: Any) -> Any:
    # A missing amount is nothing booked; floats never reach here (parse_float=Decimal).
    return ZERO if value is None or value == "" else value


def _text(value: Any) -> Any:
    return "" if value is None else value


def _day(value: Any) -> Any:
    # Some exports write a date as a timestamp ("2025-03-04T00:00:00Z"); the day is what counts.
    return value[:10] if isinstance(value, str) and len(value) > 10 else value


Money = Annotated[Decimal, BeforeValidator(_money)]
Text = Annotated[str, BeforeValidator(_text)]
Day = Annotated[date, BeforeValidator(_day)]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


class FiscalYear(Record):
    """The administration/year itself: its period, currency and the company's details."""

    year: str
    start: Day
    end: Day
    administration: str | None = None
    administration_name: Text = ""
    customer: str | None = None
    status: str | None = None  # "open" or "closed"
    currency: str | None = None
    kvk_number: str | None = None
    vat_number: str | None = None
    address: str | None = None  # street and number, as one text
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    rgs_version: str | None = None  # the RGS release the accounts' rgs_code are from, e.g. "3.7"


class LedgerAccount(Record):
    code: str
    name: Text = ""
    kind: str | None = None  # "balance" or "profit_loss"
    side: str | None = None  # "debit" or "credit": the side its balance normally has
    vat_code: str | None = None
    active: bool = True
    # Its code in the Referentie Grootboekschema (RGS), e.g. "BLimBanRba", where the administration
    # has mapped it: XAF 4.0 carries it (RGScode), so the Belastingdienst and auditors can read the
    # chart of accounts in one standard.
    rgs_code: str | None = None


class Relation(Record):
    """A customer (debiteur) or supplier (crediteur)."""

    id: str
    name: Text = ""
    kind: str | None = None  # "customer", "supplier" or "both"
    address: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    kvk_number: str | None = None
    vat_number: str | None = None
    iban: str | None = None
    email: str | None = None


class Line(Record):
    """One line of a journal entry: an amount on one ledger account."""

    account: str
    debit: Money = ZERO
    credit: Money = ZERO
    vat_code: str | None = None
    vat_amount: Money | None = None  # the VAT on this line, where the product records it
    vat_rate: Decimal | None = None  # the percentage, where the product records it
    description: str | None = None
    relation_id: str | None = None

    @property
    def signed(self) -> Decimal:
        """Debit positive, credit negative: what the line does to its account's balance."""
        return self.debit - self.credit


class JournalEntry(Record):
    id: str
    date: Day
    journal: str
    description: Text = ""
    relation_id: str | None = None
    invoice_number: str | None = None
    document_id: str | None = None
    lines: tuple[Line, ...] = ()

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit


class VatReturn(Record):
    """A VAT return (aangifte omzetbelasting) of a period, and whether it was filed."""

    year: str | None = None
    quarter: int | None = None
    period_start: Day | None = None
    period_end: Day | None = None
    status: str | None = None  # "filed" or "open"
    payable: Money | None = None


class OpeningBalanceLine(Record):
    account: str
    debit: Money = ZERO
    credit: Money = ZERO
    relation_id: str | None = None

    @property
    def signed(self) -> Decimal:
        return self.debit - self.credit


# -- reading --------------------------------------------------------------------------------------
R = TypeVar("R", bound=Record)


def lines(chunks: Iterable[bytes], dataset: str = "records") -> Iterator[tuple[int, bytes]]:
    """The non-empty lines of a JSON Lines stream as (line number, bytes), across chunk boundaries."""
    number, pending, pending_size = 0, list[bytes](), 0
    for chunk in chunks:
        parts = chunk.split(b"\n")
        if len(parts) > 1 and pending:
            # Joined once per line, not once per chunk: a long line in small chunks stays linear.
            parts[0] = b"".join([*pending, parts[0]])
            pending, pending_size = [], 0
        tail = parts.pop()
        for part in parts:
            number += 1
            if part.strip():
                yield number, part
        if tail:
            pending.append(tail)
            pending_size += len(tail)
            if pending_size > MAX_LINE_BYTES:
                raise RecordError(dataset, number + 1, f"line longer than {MAX_LINE_BYTES} bytes")
    last = b"".join(pending)
    if last.strip():
        yield number + 1, last


def parse(model: type[R], dataset: str, number: int, line: bytes) -> R:
    """One line as a typed record, or a RecordError saying why not."""
    try:
        value = json.loads(line, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RecordError(dataset, number, f"not JSON ({error})") from None
    if not isinstance(value, dict):
        raise RecordError(dataset, number, "not a JSON object")
    try:
        return model.model_validate(value)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise RecordError(dataset, number, f"{where}: {first['msg']}") from None


def read(
    source: RecordSource, dataset: str, model: type[R], on_invalid: OnInvalid | None = None
) -> Iterator[R]:
    """The records of a dataset, streaming; nothing when the generation has no such dataset.

    Without `on_invalid` an unusable line raises RecordError; with it, the error is handed over
    and the line skipped.
    """
    chunks = source.open(dataset)
    if chunks is None:
        return
    for number, line in lines(chunks, dataset):
        try:
            yield parse(model, dataset, number, line)
        except RecordError as error:
            if on_invalid is None:
                raise
            on_invalid(error)


def fiscal_year(source: RecordSource, on_invalid: OnInvalid | None = None) -> FiscalYear | None:
    """The fiscal year record (the dataset holds one), or None when there is none."""
    return next(read(source, FISCAL_YEAR, FiscalYear, on_invalid), None)


def ledger_accounts(source: RecordSource, on_invalid: OnInvalid | None = None) -> Iterator[LedgerAccount]:
    return read(source, LEDGER_ACCOUNTS, LedgerAccount, on_invalid)


def relations(source: RecordSource, on_invalid: OnInvalid | None = None) -> Iterator[Relation]:
    return read(source, RELATIONS, Relation, on_invalid)


def journal_entries(source: RecordSource, on_invalid: OnInvalid | None = None) -> Iterator[JournalEntry]:
    return read(source, JOURNAL_ENTRIES, JournalEntry, on_invalid)


def vat_returns(source: RecordSource, on_invalid: OnInvalid | None = None) -> Iterator[VatReturn]:
    return read(source, VAT_RETURNS, VatReturn, on_invalid)


def opening_balance(
    source: RecordSource, on_invalid: OnInvalid | None = None
) -> Iterator[OpeningBalanceLine]:
    return read(source, OPENING_BALANCE, OpeningBalanceLine, on_invalid)
