"""Records for the tests of kluis.books: the seed's realistic books, awkward real-world ones, and
books of any size generated while they are read (so a test can measure the reader, not the data)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kluis.books.records import InMemoryRecords
from kluis_tools.seed.books import build_scope
from kluis_tools.seed.spec import SeedSpec

MAX_NAME = "Stichting " + "Zeer Lange Naam " * 80  # 1290 characters


def jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """UTF-8 as the product writes it; a row with a lone surrogate as "\\ud800" (UTF-8 cannot hold it)."""
    out = []
    for row in rows:
        try:
            out.append(json.dumps(row, ensure_ascii=False, default=str).encode())
        except UnicodeEncodeError:
            out.append(json.dumps(row, default=str).encode())
    return b"\n".join(out) + b"\n"


def seeded(entries: int = 400, year: str = "2025", documents: int = 10) -> dict[str, bytes]:
    """One administration/year of the demo books (the product's own record format)."""
    spec = SeedSpec(
        administrations=(("00017", (year,)),),
        entries_per_year=entries,
        documents_per_year=documents,
        proposals=0,
        relations=40,
    )
    adm = spec.administration_specs[0]
    return dict(build_scope(spec, adm, year).records)


def records(datasets: Mapping[str, bytes]) -> InMemoryRecords:
    return InMemoryRecords(datasets)


def rows(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line, parse_float=Decimal) for line in data.splitlines() if line.strip()]


def awkward() -> dict[str, bytes]:
    """Books as real exports have them: too long, control characters, odd types, loose references."""
    long_id = "RELATIE-" + "X" * 40
    fiscal_year = {
        "year": "2025",
        "start": "2025-01-01",
        "end": "2025-12-31",
        "administration": "00017",
        "administration_name": "Bakkerij \x00De\x07 Gouden\tKorst\r\n" + MAX_NAME,
        "currency": "EUR",
        "kvk_number": "12345678 (hoofdvestiging Amsterdam, nevenvestiging Utrecht)",
        "vat_number": "NL123456789B01 en ook NL987654321B02 (fiscale eenheid)",
        "address": "Burgemeester van Nispen tot Sevenaerstraat 12-14 bis",
        "postcode": "1234 AB AMSTERDAM",
        "city": "Amsterdam-Zuidoost (Bijlmermeer), gemeente Amsterdam, Noord-Holland",
        "country": "Nederland",
        "unknown_field": {"nested": [1, 2, 3]},
    }
    relations = [
        {
            "id": "R1",
            "name": "Café \u201cDe Sluis\u201d \U0001f37a \x1b[31m",
            "kind": "customer",
            "postcode": "SW1A 1AA LONDON",
            "country": "GB",
            "vat_number": "GB123456789",
            "iban": None,
        },
        {"id": "R1", "name": "duplicate id, must be listed once", "kind": "customer"},
        {
            "id": 42,
            "name": MAX_NAME,
            "kind": "supplier",
            "address": "Postbus",
            "postcode": "12345-6789 X",
            "country": "XK",
            "kvk_number": "9" * 120,
            "email": "  info@example.nl  ",
        },
        {"id": long_id + "A", "name": "Ærøskøbing Æblemost ApS", "kind": "both", "country": "dk"},
        {"id": long_id + "B", "name": "Ünïcödé GmbH\ud800 surrogate", "kind": "other"},
        {"id": "R-empty", "name": None, "address": None, "postcode": None},
    ]
    ledger = [
        {"code": "1100", "name": "Bank", "kind": "balance", "side": "debit"},
        {"code": "1100", "name": "Bank (duplicate code)", "kind": "balance"},
        {"code": 1300, "name": "Debiteuren", "kind": "balance", "side": "debit"},
        {
            "code": "1800",
            "name": "BTW af te dragen hoog",
            "kind": "balance",
            "side": "credit",
            "vat_code": "V21",
        },
        {"code": "8000", "name": "Omzet \x0b hoog " + MAX_NAME, "kind": "profit_loss", "vat_code": "V21"},
        {"code": "4000", "kind": None},
    ]
    journal = "Grootboek-ÄÖ met een hele lange naam van meer dan vijfendertig tekens"
    entries = [
        {
            "id": "e1",
            "date": "2025-01-05T10:00:00Z",
            "journal": "verkoop",
            "description": "Factuur\x0c 1",
            "relation_id": "R1",
            "invoice_number": "F-" + "1" * 300,
            "document_id": "doc-1",
            "lines": [
                {"account": "1300", "debit": 121, "credit": None},
                {"account": "8000", "debit": "0", "credit": Decimal("100.00"), "vat_code": "V21"},
                {"account": "1800", "credit": "21.00", "vat_code": "V21"},
            ],
            "total": "121.00",
            "extra": "ignored",
        },
        {
            "id": "e2",
            "date": "2025-02-01",
            "journal": "bank",
            "description": "Ontvangst",
            "relation_id": 42,
            "lines": [{"account": "1100", "debit": "12.345"}, {"account": "1300", "credit": "12.345"}],
        },
        {
            "id": "e3",
            "date": "2025-03-01",
            "journal": journal,
            "description": "Onbekende rekening en relatie",
            "relation_id": "R-GHOST",
            "lines": [
                {"account": "9999", "debit": "10.00", "vat_code": "X7", "vat_rate": 7},
                {"account": "1100", "credit": "10.00", "relation_id": long_id + "B"},
            ],
        },
        {
            "id": "e4",
            "date": "2025-04-01",
            "journal": "memoriaal",
            "description": "Klopt niet",
            "lines": [{"account": "4000", "debit": "50.00"}, {"account": "1100", "credit": "40.00"}],
        },
        {
            "id": "e5",
            "date": "2025-05-01",
            "journal": "memoriaal",
            "description": "Zonder regels",
            "lines": [],
        },
        {
            "id": "e6",
            "date": "2026-02-01",
            "journal": "memoriaal",
            "description": "Na het boekjaar",
            "lines": [{"account": "4000", "debit": "-5.00"}, {"account": "1100", "credit": "-5.00"}],
        },
        {
            "id": "e-" + "7" * 60,
            "date": "2024-12-31",
            "journal": "memoriaal",
            "description": "Voor het boekjaar",
            "lines": [
                {"account": "4000", "debit": "1.00", "credit": "0.50"},
                {"account": "1100", "credit": "0.50"},
            ],
        },
    ]
    opening = [
        {"account": "1100", "debit": "1000.00"},
        {"account": "0500", "credit": "1000.00"},  # not in the ledger: listed as unknown
    ]
    vat_returns = [{"year": "2025", "quarter": 1, "status": "filed", "payable": "21.00"}]
    return {
        "fiscal_year": jsonl([fiscal_year]),
        "relations": jsonl(relations),
        "ledger_accounts": jsonl(ledger),
        "journal_entries": jsonl(entries),
        "opening_balance": jsonl(opening),
        "vat_returns": jsonl(vat_returns),
    }


class GeneratedRecords:
    """A RecordSource whose journal entries are made while they are read: memory never holds them.

    Each `open` of `journal_entries` yields the same entries again (a fixed seed), in chunks.
    """

    JOURNALS = ("verkoop", "inkoop", "bank", "memoriaal", "kas")

    def __init__(self, entries: int, year: int = 2025, relations: int = 50) -> None:
        self.entries, self.year, self.relation_count = entries, year, relations

    def open(self, dataset: str) -> Iterable[bytes] | None:
        if dataset == "journal_entries":
            return self._entries()
        small = self._small()
        return (small[dataset],) if dataset in small else None

    def _small(self) -> dict[str, bytes]:
        year = {
            "year": str(self.year),
            "start": f"{self.year}-01-01",
            "end": f"{self.year}-12-31",
            "administration": "00017",
            "administration_name": "Groot B.V.",
            "currency": "EUR",
        }
        ledger = [
            {"code": code, "name": name, "kind": kind, "vat_code": vat}
            for code, name, kind, vat in (
                ("1100", "Bank", "balance", None),
                ("1300", "Debiteuren", "balance", None),
                ("1800", "BTW hoog", "balance", "V21"),
                ("8000", "Omzet", "profit_loss", "V21"),
            )
        ]
        relations = [
            {"id": f"R{n}", "name": f"Relatie {n}", "kind": "customer"} for n in range(self.relation_count)
        ]
        return {"fiscal_year": jsonl([year]), "ledger_accounts": jsonl(ledger), "relations": jsonl(relations)}

    def _entries(self) -> Iterator[bytes]:
        rng = random.Random(7)
        first = date(self.year, 1, 1)
        batch: list[bytes] = []
        for number in range(self.entries):
            net = Decimal(rng.randint(100, 500_000)) / 100
            vat = (net * Decimal("0.21")).quantize(Decimal("0.01"))
            entry = {
                "id": f"je-{number:08d}",
                "date": (first + timedelta(days=number * 365 // max(1, self.entries))).isoformat(),
                "journal": self.JOURNALS[number % len(self.JOURNALS)],
                "description": f"Factuur {number} " + "x" * rng.randint(0, 40),
                "relation_id": f"R{rng.randrange(self.relation_count)}",
                "lines": [
                    {"account": "1300", "debit": str(net + vat), "credit": "0.00"},
                    {"account": "8000", "debit": "0.00", "credit": str(net), "vat_code": "V21"},
                    {"account": "1800", "debit": "0.00", "credit": str(vat), "vat_code": "V21"},
                ],
            }
            batch.append(json.dumps(entry).encode() + b"\n")
            if len(batch) == 200:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
