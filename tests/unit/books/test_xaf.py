"""auditfile.xaf: valid against the official XSDs, and read back by pyxaf as the records say.

The XSDs are the ones pyxaf ships (XmlAuditfileFinancieel3.2.xsd and 4.0, published by
auditfiles.nl and the Belastingdienst), checked with lxml; pyxaf's own validator adds the checks
an XSD cannot make (totals, balance, references).
"""

from __future__ import annotations

import functools
import io
import re
import tracemalloc
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import pyxaf
from lxml import etree

from kluis.books import records
from kluis.books.records import InMemoryRecords, RecordError, RecordSource
from kluis.books.xaf import XAF_32, XAF_40, AuditfileOptions, SurveyedBooks, XafVersion, auditfile_chunks
from kluis.books.xaf.values import COUNTRIES, CURRENCIES
from tests.unit.books.data import GeneratedRecords, awkward, jsonl, rows, seeded

SCHEMA_FILES = {"3.2": "XmlAuditfileFinancieel3.2.xsd", "4.0": "XmlAuditfileFinancieel4.0.xsd"}
VERSIONS = [pytest.param(XAF_32, id="3.2"), pytest.param(XAF_40, id="4.0")]
CREATED = date(2025, 11, 25)


@functools.cache
def schema(version: str) -> Any:
    xsd = resources.files("pyxaf.schemas").joinpath(SCHEMA_FILES[version]).read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


def xsd_errors(data: bytes, version: XafVersion) -> list[str]:
    """Every error of the official XSD of `version` (an empty list: the file is valid)."""
    checker = schema(version.name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    document = etree.parse(io.BytesIO(data), parser)
    checker.validate(document)
    return [f"line {error.line}: {error.message}" for error in checker.error_log]


def write(source: RecordSource, version: XafVersion = XAF_40, **options: Any) -> bytes:
    options = AuditfileOptions(created=CREATED, software_version="1.0", **options)
    return b"".join(auditfile_chunks(source, options, version))


def record_totals(entries: list[dict[str, Any]]) -> tuple[int, Decimal, Decimal]:
    lines = [line for entry in entries for line in entry["lines"]]
    return len(lines), sum(Decimal(x["debit"]) for x in lines), sum(Decimal(x["credit"]) for x in lines)


# -- the demo books -----------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_the_demo_books_validate_and_read_back_as_the_records(version):
    datasets = seeded(entries=600, documents=20)
    data = write(InMemoryRecords(datasets), version=version, include_documents=True)

    assert xsd_errors(data, version) == []
    report = pyxaf.validate(data, xsd=True)
    assert "L4x xsd" in report.checked
    assert report.ok, report.errors
    assert not report.warnings or {f.code for f in report.warnings} == {"XAF7006"}  # no opening balance

    entries = rows(datasets["journal_entries"])
    with pyxaf.open(data) as af:
        assert af.version.value == version.name
        transactions = list(af.transactions())
        assert len(transactions) == len(entries)
        lines, debit, credit = record_totals(entries)
        read = [line for tx in transactions for line in tx.lines]
        assert (len(read), sum(x.debit for x in read), sum(x.credit for x in read)) == (lines, debit, credit)
        totals = af.transaction_totals
        assert (totals.lines_count, totals.total_debit, totals.total_credit) == (lines, debit, credit)
        assert set(af.accounts) == {row["code"] for row in rows(datasets["ledger_accounts"])}
        assert set(af.relations) == {row["id"] for row in rows(datasets["relations"])}
        assert af.header.fiscal_year == "2025" and af.header.currency == "EUR"
        assert af.header.created == CREATED and af.header.software_name == "Kluis"
        assert af.company.name == "Bakkerij De Gouden Korst B.V."
        by_id = {entry["id"]: entry for entry in entries}
        for tx in transactions:
            entry = by_id[tx.number]
            assert (tx.journal_id, tx.date.isoformat(), tx.description) == (
                entry["journal"],
                entry["date"],
                entry["description"],
            )
            assert [(x.account_id, x.debit, x.credit) for x in tx.lines] == [
                (x["account"], Decimal(x["debit"]), Decimal(x["credit"])) for x in entry["lines"]
            ]
            assert tx.period_number == int(entry["date"][5:7])


def test_journals_hold_their_entries_in_the_records_order():
    datasets = seeded(entries=300)
    with pyxaf.open(write(InMemoryRecords(datasets))) as af:
        read = [(tx.journal_id, tx.number) for tx in af.transactions()]
        assert {jrn.id: jrn.journal_type.code for jrn in af.journals.values()} == {
            "bank": "B",
            "inkoop": "P",
            "memoriaal": "M",
            "verkoop": "S",
        }
    entries = rows(datasets["journal_entries"])
    journals = sorted({e["journal"] for e in entries})
    expected = [(e["journal"], e["id"]) for journal in journals for e in entries if e["journal"] == journal]
    assert read == expected


def test_documents_are_referenced_by_their_place_in_the_archive():
    datasets = seeded(entries=300, documents=12)
    entries = {e["id"]: e for e in rows(datasets["journal_entries"])}
    for include, expected in ((True, "documents/{document_id}.pdf"), (False, "{invoice_number}")):
        with pyxaf.open(write(InMemoryRecords(datasets), include_documents=include)) as af:
            linked = [tx for tx in af.transactions() if entries[tx.number]["document_id"]]
        assert len(linked) == 12
        for tx in linked:
            assert {line.document_ref for line in tx.lines} == {expected.format(**entries[tx.number])}


def test_vat_is_shown_on_the_lines_it_was_charged_on():
    datasets = seeded(entries=300)
    with pyxaf.open(write(InMemoryRecords(datasets))) as af:
        assert {code: vat.description for code, vat in af.vat_codes.items()} == {
            "I21": "Btw inkopen hoog tarief (21%)",
            "I9": "Btw inkopen laag tarief (9%)",
            "V21": "Btw verkopen hoog tarief (21%)",
            "V9": "Btw verkopen laag tarief (9%)",
        }
        for tx in af.transactions():
            vat_lines = [line for line in tx.lines if line.account_id in ("1800", "1805", "1810")]
            charged = sum((vat.amount for line in tx.lines for vat in line.vat), Decimal(0))
            # Every cent of VAT booked is on a line it was charged on, never twice.
            assert charged == sum((x.amount for x in vat_lines), Decimal(0))
            assert all(not line.vat for line in vat_lines)
            for line in tx.lines:
                for vat in line.vat:
                    assert vat.percentage == {"V21": 21, "I21": 21, "V9": 9, "I9": 9}[vat.code]


def test_the_opening_balance_is_written_where_the_data_has_one():
    datasets = seeded(entries=100)
    datasets["opening_balance"] = jsonl(
        [{"account": "1100", "debit": "2500.00"}, {"account": "0500", "credit": "2500.00"}]
    )
    for version in (XAF_32, XAF_40):
        data = write(InMemoryRecords(datasets), version=version)
        assert xsd_errors(data, version) == []
        with pyxaf.open(data) as af:
            assert af.opening_balance().by_account() == {
                "1100": Decimal("2500.00"),
                "0500": Decimal("-2500.00"),
            }


@pytest.mark.parametrize("year", ["2020", "2025", "2026", "2027"])
def test_every_fiscal_year_is_written_as_xaf_40_unless_asked_otherwise(year):
    """From 1 January 2027 the Belastingdienst accepts only XAF 4.0, whatever year it examines:
    the version is the day's, not the fiscal year's."""
    data = write(InMemoryRecords(seeded(entries=50, year=year)))
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="http://www.odb.')
    assert xsd_errors(data, XAF_40) == []
    older = write(InMemoryRecords(seeded(entries=50, year=year)), version=XAF_32)
    assert older.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="http://www.auditfiles.nl/XAF/3.2"'
    )


def test_xaf_40_carries_the_rgs_codes_of_the_accounts_that_have_them_and_32_stays_valid_without():
    datasets = seeded(entries=50)
    accounts = rows(datasets["ledger_accounts"])
    mapped = {account["code"]: account["rgs_code"] for account in accounts if "rgs_code" in account}
    assert mapped["1100"] == "BLimBanRba" and len(mapped) < len(accounts)  # the demo maps some
    year = rows(datasets["fiscal_year"])[0] | {"rgs_version": "3.7"}
    datasets["fiscal_year"] = jsonl([year])
    data = write(InMemoryRecords(datasets))
    assert xsd_errors(data, XAF_40) == []
    report = pyxaf.validate(data, xsd=True)
    assert report.ok and not [f for f in report.findings if f.code.startswith("XAF8")], report.findings
    with pyxaf.open(data) as af:
        assert af.header.rgs_version == "3.7"
        found = {code: account.rgs.raw for code, account in af.accounts.items() if account.rgs is not None}
    assert found == mapped
    older = write(InMemoryRecords(datasets), version=XAF_32)
    assert xsd_errors(older, XAF_32) == [] and b"RGS" not in older


def test_the_same_records_give_the_same_bytes_in_chunks():
    datasets = seeded(entries=800)
    chunks = list(auditfile_chunks(InMemoryRecords(datasets), AuditfileOptions(CREATED, "1.0")))
    assert len(chunks) > 3
    assert b"".join(chunks) == write(InMemoryRecords(datasets))


class CountingRecords(InMemoryRecords):
    """Counts how often each dataset is opened: a survey reads the journal entries once."""

    def __init__(self, datasets: dict[str, bytes]) -> None:
        super().__init__(datasets)
        self.opened: dict[str, int] = {}

    def open(self, dataset: str) -> Any:
        self.opened[dataset] = self.opened.get(dataset, 0) + 1
        return super().open(dataset)


def test_both_versions_are_written_from_one_reading_of_the_journal_entries():
    datasets = seeded(entries=300)
    source = CountingRecords(datasets)
    options = AuditfileOptions(CREATED, "1.0")
    with SurveyedBooks.read(source, options) as books:
        both = {version.name: b"".join(books.chunks(version)) for version in (XAF_40, XAF_32)}
    assert source.opened[records.JOURNAL_ENTRIES] == 1
    assert both == {"4.0": write(InMemoryRecords(datasets)), "3.2": write(InMemoryRecords(datasets), XAF_32)}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_year_without_anything_booked_is_still_an_auditfile(version):
    year = {"year": "2025", "start": "2025-01-01", "end": "2025-12-31"}
    data = write(InMemoryRecords({"fiscal_year": jsonl([year])}), version=version)
    assert xsd_errors(data, version) == []
    with pyxaf.open(data) as af:
        assert list(af.transactions()) == [] and af.company.name == "Administratie"


def test_an_unreadable_relation_is_left_out_only_when_asked():
    datasets = seeded(entries=100)
    relations = rows(datasets["relations"])
    broken = relations[0] | {"id": None}  # no id: not a relation
    datasets["relations"] = jsonl([broken, *relations[1:]])
    with pytest.raises(RecordError, match=r"relations\.jsonl line 1: id"):
        write(InMemoryRecords(datasets))
    problems: list[RecordError] = []
    data = write(InMemoryRecords(datasets), on_invalid=problems.append)
    assert [(p.dataset, p.line) for p in problems] == [("relations", 1)]
    assert xsd_errors(data, XAF_40) == []
    with pyxaf.open(data) as af:
        assert len(af.relations) == len(relations)  # entries naming it still find it, as unknown
        assert af.relations[relations[0]["id"]].name == f"Relatie {relations[0]['id']} (onbekend)"


def test_many_journals_share_the_spool_files():
    entries = [
        {"id": f"e{n}", "date": "2025-06-01", "journal": f"bank-{n % 40:02d}",
         "lines": [{"account": "1100", "debit": "1.00"}, {"account": "1200", "credit": "1.00"}]}
        for n in range(400)
    ]  # fmt: skip
    year = {"year": "2025", "start": "2025-01-01", "end": "2025-12-31"}
    data = write(InMemoryRecords({"fiscal_year": jsonl([year]), "journal_entries": jsonl(entries)}))
    assert xsd_errors(data, XAF_40) == []
    with pyxaf.open(data) as af:
        read = [(tx.journal_id, tx.number) for tx in af.transactions()]
    expected = sorted(
        ((e["journal"], e["id"]) for e in entries), key=lambda pair: pair[0]
    )  # stable: file order
    assert read == expected


def test_without_a_fiscal_year_there_is_no_auditfile():
    datasets = seeded(entries=10)
    del datasets["fiscal_year"]
    with pytest.raises(RecordError, match="no fiscal year"):
        write(InMemoryRecords(datasets))


def test_an_entry_that_cannot_be_written_truthfully_stops_it():
    datasets = seeded(entries=10)
    datasets["journal_entries"] += b'{"id": "broken", "journal": "bank", "lines": []}\n'
    with pytest.raises(RecordError, match="line 11: date"):
        write(InMemoryRecords(datasets))


# -- awkward books ------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_awkward_books_still_validate(version):
    datasets = awkward()
    data = write(InMemoryRecords(datasets), version=version, include_documents=True)

    assert xsd_errors(data, version) == []
    text = data.decode("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", text)
    with pyxaf.open(data) as af:
        transactions = {tx.number: tx for tx in af.transactions()}
        assert len(transactions) == 7  # every entry, also unbalanced, empty or outside the year
        assert not transactions["e4"].balanced
        assert transactions["e5"].lines == ()
        assert transactions["e1"].lines[0].document_ref == "documents/doc-1.pdf"
        assert transactions["e2"].lines[0].amount == Decimal("12.35")  # half up to cents
        assert transactions["e6"].period_number == 12 and transactions["e6"].lines[0].side.value == "C"
        assert len(next(t for n, t in transactions.items() if n.startswith("e-777")).number) == 35
        # A reference the books cannot resolve is listed, so every reference in the file resolves.
        assert {"9999", "0500", "1100", "1300", "1800", "8000", "4000"} == set(af.accounts)
        assert af.accounts["1100"].description == "Bank"  # the first of a code listed twice
        assert {"R1", "42", "R-GHOST", "R-empty"} <= set(af.relations)
        assert len(af.relations) == 6  # R1 once; both long ids kept apart
        assert all(len(r) <= 35 for r in af.relations)
        assert af.relations["42"].addresses[0].postal_code == "12345-6789"
        assert af.relations["R1"].addresses[0].postal_code == "SW1A1AALON"
        assert af.relations["R1"].name == "Café \u201cDe Sluis\u201d \U0001f37a  [31m"
        assert all(len(r.name or "") <= 50 for r in af.relations.values())
        assert af.company.name.startswith("Bakkerij  De  Gouden Korst  Stichting")
        assert len(af.company.name) <= (999 if version is XAF_32 else 255)
        assert af.vat_codes["X7"].description == "Btw-code X7"
        assert [v.percentage for v in transactions["e3"].lines[0].vat] == [Decimal(7)]
        assert af.opening_balance().by_account() == {"1100": Decimal("1000.00"), "0500": Decimal("-1000.00")}


def test_the_embedded_code_lists_are_the_xsds():
    document = etree.fromstring(resources.files("pyxaf.schemas").joinpath(SCHEMA_FILES["3.2"]).read_bytes())
    ns = {"xsd": "http://www.w3.org/2001/XMLSchema"}

    def enumeration(name: str) -> set[str]:
        return set(document.xpath(f"//xsd:simpleType[@name='{name}']//xsd:enumeration/@value", namespaces=ns))

    assert enumeration("CountrycodeIso3166") == COUNTRIES
    assert enumeration("CurrencycodeIso4217") == CURRENCIES


# -- a large year, in bounded memory ---------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_a_large_year_validates_and_reads_back(version):
    source = GeneratedRecords(entries=20_000)
    data = write(source, version=version)
    assert xsd_errors(data, version) == []
    with pyxaf.open(data) as af:
        count, debit = 0, Decimal(0)
        for tx in af.transactions():
            count += 1
            debit += tx.total_debit
        assert count == 20_000
        assert debit == af.transaction_totals.total_debit
    expected = sum(
        (e.debit for e in records.journal_entries(source)),
        Decimal(0),
    )
    assert debit == expected


def traced_peak(source: RecordSource) -> tuple[int, int]:
    """The peak of Python's allocations while the whole auditfile streams by, and its size."""
    tracemalloc.start()
    try:
        size = sum(len(chunk) for chunk in auditfile_chunks(source, AuditfileOptions(CREATED, "1.0")))
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_entries_grow():
    small_peak, small_size = traced_peak(GeneratedRecords(entries=500))
    large_peak, large_size = traced_peak(GeneratedRecords(entries=5_000))
    assert large_size > 9 * small_size
    # Ten times the entries, the same memory: a chunk, a spool buffer per journal, one entry at a time.
    assert large_peak < small_peak * 1.1 + 64 * 1024, (small_peak, large_peak)
    assert large_peak < 8 * 1024 * 1024
