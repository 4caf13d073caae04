"""The records of one administration/year: relations, journal entries, VAT returns; pure, no I/O."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kluis.scope import Scope
from kluis_tools.seed.documents import DocumentPlan
from kluis_tools.seed.invoices import Invoice, InvoiceLine, Party, Relation, money, titled
from kluis_tools.seed.spec import CENT, JOURNALS, ZERO, AdministrationSpec, SeedSpec
from kluis_tools.seed.vocabulary import (
    CITIES,
    GOODS_ITEMS,
    INITIALS,
    LEDGER_ACCOUNTS,
    MONTHS,
    PURCHASE_CATEGORIES,
    PURCHASE_ITEMS,
    PURCHASE_VAT_CODE,
    RGS_CODES,
    SALES_ACCOUNT,
    SALES_ITEMS,
    SALES_VAT,
    SURNAMES,
    TRADES,
    VENUE_NAMES,
    VENUES,
    Item,
)


# -- records ------------------------------------------------------------------------------------
def _jsonl(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """One JSON object per line, UTF-8, sorted keys: byte-identical for the same data."""
    return b"".join(
        json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        for row in rows
    )


def _make_relations(rng: random.Random, count: int) -> list[Relation]:
    suppliers = max(len(PURCHASE_CATEGORIES), count * 2 // 5)
    seen: set[str] = set()
    relations: list[Relation] = []

    def unique(name: str) -> str:
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name} ({n})", n + 1
        seen.add(candidate)
        return candidate

    categories = list(PURCHASE_CATEGORIES)
    weights = [weight for _, weight, _ in PURCHASE_CATEGORIES.values()]
    for index in range(count):
        if index < suppliers:
            # One supplier of every category first, so every cost account sees invoices.
            category = categories[index] if index < len(categories) else rng.choices(categories, weights)[0]
            pattern = rng.choice(PURCHASE_CATEGORIES[category][2])
            name = pattern.format(s=titled(rng.choice(SURNAMES)), c=rng.choice(CITIES)[0])
            kind = "supplier"
        else:
            category = None
            style = rng.random()
            if style < 0.4:
                name = f"{rng.choice(VENUES)} {rng.choice(VENUE_NAMES)}"
            elif style < 0.7:
                form = rng.choice(("B.V.", "V.O.F.", ""))
                name = f"{titled(rng.choice(SURNAMES))} {rng.choice(TRADES)} {form}"
            else:
                name = f"{rng.choice(INITIALS)}. {rng.choice(SURNAMES)}"
            kind = "customer"
        party = Party.random(rng, unique(" ".join(name.split())))
        relations.append(Relation(f"R{index + 1:05d}", kind, party, category))
    return relations


def _lines(rng: random.Random, catalogue: Sequence[Item], most: int) -> tuple[InvoiceLine, ...]:
    chosen = rng.sample(list(catalogue), k=rng.randint(1, min(most, len(catalogue))))
    return tuple(
        InvoiceLine(
            description=text,
            quantity=rng.randint(1, top),
            # Prices drift a little between invoices, as they do.
            unit_price=(Decimal(price) * Decimal(rng.randint(85, 120)) / 100).quantize(CENT),
            rate=rate,
        )
        for text, rate, price, top in chosen
    )


def _line(
    account: str, debit: Decimal = ZERO, credit: Decimal = ZERO, vat_code: str | None = None
) -> dict[str, Any]:
    return {"account": account, "debit": money(debit), "credit": money(credit), "vat_code": vat_code}


@dataclass
class _Entry:
    journal: str
    day: date
    description: str
    relation: Relation | None
    lines: list[dict[str, Any]]
    invoice: Invoice | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class ScopeData:
    """One administration/year, generated: record datasets as JSON Lines bytes, documents as plans."""

    scope: Scope
    records: dict[str, bytes]
    documents: tuple[DocumentPlan, ...]
    proposals: tuple[tuple[str, DocumentPlan, bytes], ...]  # (id, its PDF's plan, its JSON)
    counts: dict[str, int]


def _stream(spec: SeedSpec, *parts: str) -> random.Random:
    return random.Random("/".join(("kluis-seed", str(spec.seed), spec.customer, *parts)))


def _company(spec: SeedSpec, adm: AdministrationSpec) -> tuple[Party, list[Relation]]:
    # Per administration, not per year: the relations and the company's details stay the same from one
    # fiscal year to the next, as in a real administration.
    rng = _stream(spec, adm.administration)
    company = Party.random(rng, adm.name)
    return company, _make_relations(rng, spec.relations)


def _sale(rng: random.Random, adm: AdministrationSpec, company: Party, customer: Relation, day: date,
          number: str) -> _Entry:  # fmt: skip
    invoice = Invoice(number, day, company, customer.party, _lines(rng, SALES_ITEMS[adm.sector], 4))
    lines = [_line("1300", debit=invoice.total)]
    for rate, net in invoice.net_by_rate().items():
        vat_account, code = SALES_VAT[rate]
        lines.append(_line(SALES_ACCOUNT[rate], credit=net, vat_code=code))
        if vat_account:
            lines.append(_line(vat_account, credit=invoice.vat_by_rate()[rate], vat_code=code))
    return _Entry("verkoop", day, f"Factuur {number} {customer.party.name}", customer, lines, invoice)


def _purchase(rng: random.Random, adm: AdministrationSpec, company: Party, supplier: Relation,
              day: date) -> _Entry:  # fmt: skip
    category = supplier.category or "goederen"
    items = GOODS_ITEMS[adm.sector] if category == "goederen" else PURCHASE_ITEMS[category]
    number = rng.choice(("F{y}-{n:05d}", "INV-{n:06d}", "{y}.{n:04d}", "{n:07d}")).format(
        y=day.year, n=rng.randint(1, 999_999) % 10 ** rng.choice((4, 5, 6))
    )
    invoice = Invoice(number, day, supplier.party, company, _lines(rng, items, 3))
    account = PURCHASE_CATEGORIES[category][0]
    lines = [
        _line(account, debit=net, vat_code=PURCHASE_VAT_CODE[rate])
        for rate, net in invoice.net_by_rate().items()
    ]
    for rate, vat in invoice.vat_by_rate().items():
        if vat:
            lines.append(_line("1810", debit=vat, vat_code=PURCHASE_VAT_CODE[rate]))
    lines.append(_line("1600", credit=invoice.total))
    description = f"Factuur {number} {supplier.party.name}"
    return _Entry("inkoop", day, description, supplier, lines, invoice)


def build_scope(spec: SeedSpec, adm: AdministrationSpec, year: str) -> ScopeData:
    """Generate one administration/year; pure and deterministic (no I/O, no clock)."""
    scope = Scope(spec.customer, adm.administration, year)
    company, relations = _company(spec, adm)
    customers = [r for r in relations if r.kind == "customer"]
    suppliers = [r for r in relations if r.kind == "supplier"]
    supplier_weights = [PURCHASE_CATEGORIES[s.category or "goederen"][1] for s in suppliers]
    rng = _stream(spec, adm.administration, year)
    first, last = date(int(year), 1, 1), date(int(year), 12, 31)
    days = (last - first).days + 1

    n = spec.entries_per_year
    dates = sorted(first + timedelta(days=rng.randrange(days)) for _ in range(n))
    kinds = rng.choices(JOURNALS, weights=(33, 34, 28, 5), k=n)
    # Every document belongs to an invoice entry; with many documents per year, turn other entries into
    # purchase invoices until there are enough.
    others = [i for i, kind in enumerate(kinds) if kind in ("bank", "memoriaal")]
    shortfall = spec.documents_per_year - (n - len(others))
    for i in rng.sample(others, k=max(0, shortfall)):
        kinds[i] = "inkoop"

    entries: list[_Entry] = []
    open_sales: list[_Entry] = []
    open_purchases: list[_Entry] = []
    sales_number = 0
    for day, kind in zip(dates, kinds, strict=True):
        if kind == "verkoop":
            sales_number += 1
            entry = _sale(rng, adm, company, rng.choice(customers), day, f"{year}-{sales_number:05d}")
            open_sales.append(entry)
        elif kind == "inkoop":
            entry = _purchase(rng, adm, company, rng.choices(suppliers, supplier_weights)[0], day)
            open_purchases.append(entry)
        elif kind == "bank":
            entry = _bank(rng, day, open_sales, open_purchases)
        else:
            entry = _memorial(rng, day)
        entries.append(entry)

    # Documents: scanned purchase invoices first (that is what Scan & Recognize is for), then our own
    # sales invoices; spread over the year in date order.
    purchases = [e for e in entries if e.journal == "inkoop"]
    sales = [e for e in entries if e.journal == "verkoop"]
    k = spec.documents_per_year
    with_document = rng.sample(purchases, k=min(k, len(purchases)))
    with_document += rng.sample(sales, k=k - len(with_document))
    sizes = _sizes(rng, k, spec.document_bytes, spec.size_spread)
    chosen = {id(e) for e in with_document}
    documents: list[DocumentPlan] = []
    records: list[dict[str, Any]] = []
    for number, entry in enumerate(entries, start=1):
        entry_id = f"je-{year}-{number:06d}"
        if id(entry) in chosen and entry.invoice:
            entry.document_id = f"doc-{year}-{len(documents) + 1:06d}"
            documents.append(
                DocumentPlan(
                    document_id=entry.document_id,
                    invoice=entry.invoice,
                    size=sizes[len(documents)],
                    stamp=f"Geboekt: {entry_id} ({entry.journal})",
                    payload_seed=f"{spec.seed}/{scope}/{entry.document_id}",
                )
            )
        records.append(_entry_record(entry_id, entry))

    fiscal_year = {
        "administration": adm.administration,
        "administration_name": adm.name,
        "customer": spec.customer,
        "year": year,
        "start": first.isoformat(),
        "end": last.isoformat(),
        # The latest seeded year is the one being worked in; earlier ones are closed.
        "status": "open" if year == adm.years[-1] else "closed",
        "currency": "EUR",
        "kvk_number": company.kvk,
        "vat_number": company.vat_number,
        "address": company.street,
        "postcode": company.postcode,
        "city": company.city,
        "sector": adm.sector,
    }
    datasets: dict[str, list[dict[str, Any]]] = {
        "ledger_accounts": [
            {"code": code, "name": name, "kind": kind, "side": side, "vat_code": vat, "active": True}
            | ({"rgs_code": RGS_CODES[code]} if code in RGS_CODES else {})
            for code, name, kind, side, vat in LEDGER_ACCOUNTS
        ],
        "relations": [r.record() for r in relations],
        "journal_entries": records,
        "vat_returns": _vat_returns(records, int(year), fiscal_year["status"] == "closed"),
        "fiscal_year": [fiscal_year],
    }
    proposals = _proposals(spec, scope, adm, company, suppliers, supplier_weights, last)
    return ScopeData(
        scope=scope,
        records={name: _jsonl(rows) for name, rows in datasets.items()},
        documents=tuple(documents),
        proposals=proposals,
        counts={name: len(rows) for name, rows in datasets.items()},
    )


def _sizes(rng: random.Random, count: int, target: int, spread: float) -> list[int]:
    factors = [1 + rng.uniform(-spread, spread) for _ in range(count)]
    scale = count / sum(factors) if count else 1.0
    return [round(target * f * scale) for f in factors]


def _bank(rng: random.Random, day: date, open_sales: list[_Entry], open_purchases: list[_Entry]) -> _Entry:
    roll = rng.random()
    if roll < 0.45 and open_sales:
        paid = open_sales.pop(rng.randrange(min(len(open_sales), 5)))
        amount = Decimal(paid.lines[0]["debit"])
        assert paid.relation and paid.invoice
        lines = [_line("1100", debit=amount), _line("1300", credit=amount)]
        text = f"Ontvangst factuur {paid.invoice.number} {paid.relation.party.name}"
        return _Entry("bank", day, text, paid.relation, lines)
    if roll < 0.9 and open_purchases:
        paid = open_purchases.pop(rng.randrange(min(len(open_purchases), 5)))
        amount = Decimal(paid.lines[-1]["credit"])
        assert paid.relation and paid.invoice
        lines = [_line("1600", debit=amount), _line("1100", credit=amount)]
        text = f"Betaling factuur {paid.invoice.number} {paid.relation.party.name}"
        return _Entry("bank", day, text, paid.relation, lines)
    if roll < 0.95:
        amount = Decimal(rng.randint(80_000, 900_000)) / 100
        lines = [_line("1710", debit=amount), _line("1100", credit=amount)]
        return _Entry("bank", day, f"Afdracht loonheffing {MONTHS[day.month - 1]}", None, lines)
    amount = Decimal(rng.randint(950, 4_500)) / 100
    lines = [_line("4900", debit=amount), _line("1100", credit=amount)]
    return _Entry("bank", day, f"Bankkosten {MONTHS[day.month - 1]}", None, lines)


def _memorial(rng: random.Random, day: date) -> _Entry:
    month = MONTHS[day.month - 1]
    if rng.random() < 0.6:
        gross = Decimal(rng.randint(250_000, 1_800_000)) / 100
        social = (gross * Decimal("0.19")).quantize(CENT)
        tax = (gross * Decimal("0.31")).quantize(CENT)
        lines = [
            _line("4000", debit=gross),
            _line("4010", debit=social),
            _line("1710", credit=tax + social),
            _line("1700", credit=gross - tax),
        ]
        return _Entry("memoriaal", day, f"Loonjournaal {month}", None, lines)
    amount = Decimal(rng.randint(15_000, 250_000)) / 100
    lines = [_line("4100", debit=amount), _line("0210", credit=amount)]
    return _Entry("memoriaal", day, f"Afschrijving inventaris {month}", None, lines)


def _entry_record(entry_id: str, entry: _Entry) -> dict[str, Any]:
    debit = sum((Decimal(line["debit"]) for line in entry.lines), ZERO)
    credit = sum((Decimal(line["credit"]) for line in entry.lines), ZERO)
    if debit != credit:  # a bug here would poison every restore test downstream: fail loudly
        raise AssertionError(f"entry {entry_id} does not balance: {debit} != {credit}")
    return {
        "id": entry_id,
        "date": entry.day.isoformat(),
        "journal": entry.journal,
        "description": entry.description,
        "relation_id": entry.relation.id if entry.relation else None,
        "invoice_number": entry.invoice.number if entry.invoice else None,
        "lines": entry.lines,
        "total": money(debit),
        "document_id": entry.document_id,
    }


def _vat_returns(entries: Sequence[Mapping[str, Any]], year: int, closed: bool) -> list[dict[str, Any]]:
    """The four quarterly returns (aangifte omzetbelasting), computed from the booked lines."""
    quarters = []
    for quarter in range(1, 5):
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        sums = dict.fromkeys(("8000", "8100", "8200", "1800", "1805", "1810"), ZERO)
        for entry in entries:
            if not start.isoformat() <= entry["date"] < end.isoformat():
                continue
            for line in entry["lines"]:
                if line["account"] in sums:
                    sums[line["account"]] += Decimal(line["credit"]) - Decimal(line["debit"])
        high, low, input_vat = sums["1800"], sums["1805"], -sums["1810"]
        quarters.append(
            {
                "year": str(year),
                "quarter": quarter,
                "period_start": start.isoformat(),
                "period_end": (end - timedelta(days=1)).isoformat(),
                "turnover_high": money(sums["8000"]),  # rubriek 1a
                "vat_high": money(high),
                "turnover_low": money(sums["8100"]),  # rubriek 1b
                "vat_low": money(low),
                "turnover_exempt": money(sums["8200"]),
                "input_vat": money(input_vat),  # rubriek 5b
                "payable": money(high + low - input_vat),  # rubriek 5g
                # In the open year the last quarter is still to be filed.
                "status": "filed" if closed or quarter < 4 else "open",
            }
        )
    return quarters


def _proposals(spec: SeedSpec, scope: Scope, adm: AdministrationSpec, company: Party,
               suppliers: list[Relation], weights: list[int], last: date,
               ) -> tuple[tuple[str, DocumentPlan, bytes], ...]:  # fmt: skip
    """Scans that arrived in the last weeks of the year and are not booked yet."""
    rng = _stream(spec, adm.administration, scope.year, "proposals")
    sizes = _sizes(rng, spec.proposals, spec.document_bytes, spec.size_spread)
    result = []
    for index in range(spec.proposals):
        proposal_id = f"prop-{scope.year}-{index + 1:04d}"
        supplier = rng.choices(suppliers, weights)[0]
        day = last - timedelta(days=rng.randrange(21))
        entry = _purchase(rng, adm, company, supplier, day)
        assert entry.invoice
        plan = DocumentPlan(
            proposal_id, entry.invoice, sizes[index], "Nog niet geboekt", f"{spec.seed}/{scope}/{proposal_id}"
        )
        proposal = {
            "id": proposal_id,
            "status": "pending",
            "source": rng.choice(("scan", "email", "upload")),
            "received_at": f"{day.isoformat()}T{rng.randint(7, 18):02d}:{rng.randint(0, 59):02d}:00Z",
            "document": f"{proposal_id}.pdf",
            "recognized": {
                "supplier_name": supplier.party.name,
                "relation_id": supplier.id,
                "invoice_number": entry.invoice.number,
                "invoice_date": day.isoformat(),
                "total": money(entry.invoice.total),
                "journal": "inkoop",
                "lines": entry.lines,
                "confidence": round(rng.uniform(0.62, 0.99), 2),
            },
        }
        result.append((proposal_id, plan, _jsonl([proposal])))
    return tuple(result)
