"""The books preview: summaries of the records, and what a restore would change, differences first."""

from __future__ import annotations

import json
import tracemalloc
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from kluis.books.records import InMemoryRecords
from kluis.books.summary import (
    BooksPreview,
    BooksWarning,
    WarningCode,
    compare,
    preview,
    summarize,
)
from tests.unit.books.data import GeneratedRecords, jsonl, rows, seeded

BACKUP_DAY = "2025-09-30"  # the backup was made on 1 October: Q3 not filed yet


def older_backup(live: dict[str, bytes]) -> dict[str, bytes]:
    """The same administration/year as it was on 1 October: later entries and returns not there."""
    entries = [e for e in rows(live["journal_entries"]) if e["date"] <= BACKUP_DAY]
    returns = [
        r | {"status": "filed" if r["quarter"] < 3 else "open"}
        for r in rows(live["vat_returns"])
        if r["quarter"] <= 3
    ]
    return live | {"journal_entries": jsonl(entries), "vat_returns": jsonl(returns)}


def test_a_summary_holds_the_books():
    datasets = seeded(entries=400, documents=10)
    summary = summarize(InMemoryRecords(datasets), documents=10)
    entries = rows(datasets["journal_entries"])

    assert (summary.fiscal_year, summary.start, summary.end) == ("2025", date(2025, 1, 1), date(2025, 12, 31))
    assert summary.entries == 400 and summary.unbalanced_entries == 0
    assert summary.lines == sum(len(e["lines"]) for e in entries)
    assert summary.debit == summary.credit == sum(Decimal(x["debit"]) for e in entries for x in e["lines"])
    assert isinstance(summary.debit, Decimal)
    assert {j.journal: j.entries for j in summary.journals} == Counter(e["journal"] for e in entries)
    assert summary.last_entry_date == date.fromisoformat(max(e["date"] for e in entries))
    assert (summary.documents, summary.linked_documents) == (10, 10)
    assert summary.relations.total == 40
    assert summary.relations.customers + summary.relations.suppliers == 40
    assert [(v.period, v.status) for v in summary.vat_returns] == [
        ("2025-Q1", "filed"),
        ("2025-Q2", "filed"),
        ("2025-Q3", "filed"),
        ("2025-Q4", "open"),
    ]
    # The trial balance: every account, balancing to zero.
    assert sum((a.balance for a in summary.trial_balance), Decimal(0)) == 0
    bank = next(a for a in summary.trial_balance if a.account == "1100")
    assert bank.name == "Bank"
    assert bank.balance == sum(
        Decimal(x["debit"]) - Decimal(x["credit"])
        for e in entries
        for x in e["lines"]
        if x["account"] == "1100"
    )


def test_an_identical_restore_changes_nothing():
    datasets = seeded(entries=300)
    result = preview(
        InMemoryRecords(datasets), InMemoryRecords(datasets), backup_documents=5, live_documents=5
    )
    assert result.identical
    assert result.warnings == ()
    assert (result.journals, result.vat_returns, result.accounts) == ((), (), ())
    assert result.backup == result.live


def test_an_older_backup_over_newer_books_lists_what_would_be_lost():
    live = seeded(entries=400)
    backup = older_backup(live)
    result = preview(InMemoryRecords(backup), InMemoryRecords(live))

    live_entries, backup_entries = rows(live["journal_entries"]), rows(backup["journal_entries"])
    journals = {e["journal"] for e in live_entries}
    last = {j: max(e["date"] for e in backup_entries if e["journal"] == j) for j in journals}
    lost = {j: sum(1 for e in live_entries if e["journal"] == j and e["date"] > last[j]) for j in last}
    assert not result.identical
    shown = {d.journal: d for d in result.journals}
    assert sum(lost.values()) > 0
    for journal, count in lost.items():
        if journal not in shown:
            assert count == 0
            continue
        difference = shown[journal]
        assert difference.lost_entries == count
        assert difference.lost_after == date.fromisoformat(last[journal])
        assert difference.backup_entries == sum(1 for e in backup_entries if e["journal"] == journal)
        assert difference.live_entries == sum(1 for e in live_entries if e["journal"] == journal)
    assert [d.lost_entries for d in result.journals] == sorted(
        (d.lost_entries for d in result.journals), reverse=True
    )

    # Q3 was filed after the backup: restoring it makes it open again. Q4 did not exist yet.
    assert [(v.period, v.backup_status, v.live_status) for v in result.vat_returns] == [
        ("2025-Q3", "open", "filed"),
        ("2025-Q4", None, "open"),
    ]
    assert result.warnings == (
        BooksWarning(
            code=WarningCode.FILED_VAT_RETURNS_REOPENED, params={"returns": 1, "periods": "2025-Q3"}
        ),
        BooksWarning(
            code=WarningCode.NEWER_ENTRIES_LOST,
            params={"entries": sum(lost.values()), "after": max(last.values())},
        ),
    )
    # Accounts whose balance differs, the largest change first; the bank certainly moved.
    assert result.accounts_differing >= len(result.accounts) > 0
    changes = [abs(a.change) for a in result.accounts]
    assert changes == sorted(changes, reverse=True)
    bank = next(a for a in result.accounts if a.account == "1100")
    assert bank.name == "Bank" and bank.change == bank.backup_balance - bank.live_balance != 0


def test_a_transfer_to_an_empty_administration_shows_the_backup_only():
    backup = seeded(entries=200)
    result = preview(InMemoryRecords(backup), None, backup_documents=3)
    assert result.live is None and not result.identical
    assert result.warnings == ()
    assert (result.journals, result.vat_returns, result.accounts) == ((), (), ())
    assert result.backup.entries == 200 and result.backup.documents == 3


def test_entries_that_do_not_balance_are_counted_and_flagged_never_dropped():
    backup = seeded(entries=100)
    lines = [{"account": "4000", "debit": "10.00"}, {"account": "1100", "credit": "9.99"}]
    odd = {
        "id": "je-odd",
        "date": "2025-06-01",
        "journal": "memoriaal",
        "description": "Scheef",
        "lines": lines,
    }
    backup["journal_entries"] += jsonl([odd])
    summary = summarize(InMemoryRecords(backup))
    assert summary.entries == 101 and summary.unbalanced_entries == 1
    assert summary.unbalanced_examples == ("je-odd",)
    assert summary.debit - summary.credit == Decimal("0.01")
    assert next(j for j in summary.journals if j.journal == "memoriaal").unbalanced == 1
    result = compare(summary, None)
    assert result.warnings == (BooksWarning(code=WarningCode.BACKUP_UNBALANCED, params={"entries": 1}),)


def test_unreadable_records_are_counted_not_fatal():
    backup = seeded(entries=50)
    backup["journal_entries"] += b"{not json\n" + jsonl([{"id": "x", "journal": "bank"}])
    summary = summarize(InMemoryRecords(backup))
    assert summary.entries == 50
    assert summary.unreadable_records == 2
    assert [(p.dataset, p.line) for p in summary.unreadable_examples] == [
        ("journal_entries", 51),
        ("journal_entries", 52),
    ]
    warning = compare(summary, summary).warnings
    assert warning == (BooksWarning(code=WarningCode.BACKUP_UNREADABLE_RECORDS, params={"records": 2}),)


def test_a_preview_is_data_a_client_renders_and_a_job_stores():
    live = seeded(entries=300)
    result = preview(InMemoryRecords(older_backup(live)), InMemoryRecords(live))
    view = result.view()
    assert view["warnings"][0] == {
        "code": "books.filed_vat_returns_reopened",
        "params": {"returns": 1, "periods": "2025-Q3"},
    }
    assert set(view["journals"][0]) == {
        "journal",
        "backupEntries",
        "liveEntries",
        "lostEntries",
        "lostAfter",
        "backupDebit",
        "liveDebit",
    }
    assert (
        isinstance(view["backup"]["debit"], str) and "." in view["backup"]["debit"]
    )  # a decimal, not a float
    stored = json.loads(json.dumps(result.model_dump(mode="json")))  # as the jobs table holds it
    assert BooksPreview.model_validate(stored) == result
    assert BooksPreview.model_validate(view) == result


def many(prefix: str, count: int, make: Any) -> list[dict[str, Any]]:
    return [make(f"{prefix}{n:05d}", n) for n in range(count)]


def test_a_preview_stays_small_whatever_the_books():
    long = "x" * 900
    accounts = many("A", 3000, lambda code, n: {"code": code, "name": long})
    entries = many(
        "e",
        6000,
        lambda id, n: {
            "id": id + long,
            "date": f"2025-{n % 12 + 1:02d}-01",
            "journal": f"journal-{n % 400}-{long}",
            "lines": [{"account": f"A{n % 3000:05d}", "debit": "1.00"}, {"account": "X", "credit": "0.99"}],
        },
    )
    returns = many(
        "", 200, lambda _, n: {"year": str(2000 + n // 4), "quarter": n % 4 + 1, "status": "filed"}
    )
    backup = {
        "ledger_accounts": jsonl(accounts),
        "journal_entries": jsonl(entries),
        "vat_returns": jsonl(returns),
    }
    live = {"journal_entries": jsonl(entries[:10])}
    result = preview(InMemoryRecords(backup), InMemoryRecords(live))
    assert result.journals_differing == 400 and result.accounts_differing == 3001
    assert result.backup.journals_omitted == 380 and result.backup.vat_returns_omitted == 176
    size = len(json.dumps(result.model_dump(mode="json")))
    assert size < 48 * 1024, size  # a job item must stay far under DynamoDB's 400 KB


def traced_peak(entries: int) -> int:
    tracemalloc.start()
    try:
        summarize(GeneratedRecords(entries=entries))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_entries_grow():
    small, large = traced_peak(500), traced_peak(5_000)
    assert large < small * 1.1 + 64 * 1024, (small, large)
