"""Reading the record datasets: streaming across chunk boundaries, decimals, lenient with real data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kluis.books import records
from kluis.books.records import InMemoryRecords, JournalEntry, RecordError
from tests.unit.books.data import jsonl, seeded


def test_lines_cross_any_chunk_boundary():
    data = b'{"a": 1}\n\n{"b": "x\xc3\xa9"}\r\n{"c": 3}'
    expected = [(1, b'{"a": 1}'), (3, b'{"b": "x\xc3\xa9"}\r'), (4, b'{"c": 3}')]
    for size in range(1, len(data) + 1):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert list(records.lines(chunks)) == expected


def test_a_line_without_end_is_refused_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(records, "MAX_LINE_BYTES", 100)
    with pytest.raises(RecordError, match="longer than 100 bytes"):
        list(records.lines([b"x" * 60, b"y" * 60]))


def test_amounts_are_decimals_never_floats():
    data = jsonl(
        [{"id": "e1", "date": "2025-01-02", "journal": "bank", "lines": [{"account": "1100", "debit": 0.1}]}]
    )
    data = data.replace(b'"debit": 0.1', b'"debit": 0.10000000000000000555')
    (entry,) = records.journal_entries(InMemoryRecords({"journal_entries": data}))
    assert entry.lines[0].debit == Decimal("0.10000000000000000555")
    assert isinstance(entry.lines[0].credit, Decimal)


def test_real_records_are_read_leniently():
    row = {
        "id": 17,  # a number where the product writes text
        "date": "2025-03-04T00:00:00Z",  # a timestamp where a date is meant
        "journal": "bank",
        "description": None,
        "lines": [
            {"account": 1100, "debit": "12.50", "credit": None, "something_new": True},
            {"account": "1300", "credit": 12.5},
        ],
        "unknown": {"nested": []},
    }
    (entry,) = records.journal_entries(InMemoryRecords({"journal_entries": jsonl([row])}))
    assert entry == JournalEntry(
        id="17",
        date=date(2025, 3, 4),
        journal="bank",
        description="",
        lines=(
            records.Line(account="1100", debit=Decimal("12.50")),
            records.Line(account="1300", credit=Decimal("12.5")),
        ),
    )
    assert entry.balanced


def test_an_unusable_record_raises_or_is_handed_over():
    data = b'{"id": "e1", "journal": "bank"}\nnot json\n[1, 2]\n'
    data += b'{"id": "e2", "date": "2025-01-01", "journal": "bank"}\n'
    source = InMemoryRecords({"journal_entries": data})
    with pytest.raises(RecordError, match=r"journal_entries.jsonl line 1: date: Field required"):
        list(records.journal_entries(source))
    problems: list[RecordError] = []
    read = list(records.journal_entries(source, problems.append))
    assert [entry.id for entry in read] == ["e2"]
    assert [(p.line, p.problem[:12]) for p in problems] == [
        (1, "date: Field "),
        (2, "not JSON (Ex"),
        (3, "not a JSON o"),
    ]


def test_a_missing_dataset_is_empty():
    source = InMemoryRecords({})
    assert list(records.relations(source)) == []
    assert records.fiscal_year(source) is None


def test_the_seeds_books_read_as_typed_records():
    source = InMemoryRecords(seeded(entries=200))
    year = records.fiscal_year(source)
    assert year is not None and year.start == date(2025, 1, 1) and year.currency == "EUR"
    entries = list(records.journal_entries(source))
    assert len(entries) == 200 and all(entry.balanced for entry in entries)
    assert {account.kind for account in records.ledger_accounts(source)} == {"balance", "profit_loss"}
    assert {relation.kind for relation in records.relations(source)} == {"customer", "supplier"}
    assert [r.status for r in records.vat_returns(source)] == ["filed", "filed", "filed", "open"]
