"""Parties, relations and invoices of the demo books, and the small money and number helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kluis_tools.seed.spec import CENT, ZERO
from kluis_tools.seed.vocabulary import BANKS, CITIES, PURCHASE_CATEGORIES, STREETS


# -- small helpers ------------------------------------------------------------------------------
def money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _vat(net: Decimal, rate: int) -> Decimal:
    return (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def eur(value: Decimal) -> str:
    """Dutch notation on the invoices: € 1.234,56."""
    text = f"{value.quantize(CENT):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def titled(surname: str) -> str:
    """'van Dijk' at the start of a name is written 'Van Dijk' (str.capitalize would give 'Van dijk')."""
    return surname[:1].upper() + surname[1:]


def _postcode(rng: random.Random, low: int, high: int) -> str:
    # PostNL never issues SA, SD or SS.
    letters = "ABCDEFGHJKLMNPRTVWXZ"
    return f"{rng.randint(low, high)} {rng.choice(letters)}{rng.choice(letters)}"


def _vat_number(rng: random.Random) -> str:
    """NL + 9 digits passing the eleven-test (as the older VAT numbers do) + B01."""
    while True:
        digits = [rng.randint(0, 9) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "NL" + "".join(map(str, digits)) + str(check) + "B01"


def _iban(rng: random.Random) -> str:
    """A Dutch IBAN with correct mod-97 check digits, so validators in the UI accept it."""
    bank = rng.choice(BANKS)
    account = f"{rng.randint(0, 9_999_999_999):010d}"
    numeric = "".join(str(int(ch, 36)) for ch in bank + account + "NL00")
    check = 98 - int(numeric) % 97
    return f"NL{check:02d}{bank}{account}"


@dataclass(frozen=True)
class Party:
    name: str
    street: str
    postcode: str
    city: str
    kvk: str
    vat_number: str
    iban: str

    @classmethod
    def random(cls, rng: random.Random, name: str) -> Party:
        city, low, high = rng.choice(CITIES)
        return cls(
            name=name,
            street=f"{rng.choice(STREETS)} {rng.randint(1, 240)}",
            postcode=_postcode(rng, low, high),
            city=city,
            kvk=f"{rng.randint(10_000_000, 99_999_999)}",
            vat_number=_vat_number(rng),
            iban=_iban(rng),
        )


@dataclass(frozen=True)
class Relation:
    id: str
    kind: str  # "customer" (debiteur) or "supplier" (crediteur)
    party: Party
    category: str | None  # suppliers: what they sell, and so the ledger account their invoices go to

    def record(self) -> dict[str, Any]:
        p = self.party
        return {
            "id": self.id,
            "name": p.name,
            "kind": self.kind,
            "address": p.street,
            "postcode": p.postcode,
            "city": p.city,
            "country": "NL",
            "kvk_number": p.kvk,
            "vat_number": p.vat_number,
            "iban": p.iban,
            "default_account": PURCHASE_CATEGORIES[self.category][0] if self.category else "1300",
            "payment_terms_days": 30 if self.kind == "customer" else 14,
        }


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: int
    unit_price: Decimal
    rate: int

    @property
    def amount(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(CENT)


@dataclass(frozen=True)
class Invoice:
    number: str
    issued: date
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]

    def net_by_rate(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for line in self.lines:
            totals[line.rate] = totals.get(line.rate, ZERO) + line.amount
        return dict(sorted(totals.items(), reverse=True))

    def vat_by_rate(self) -> dict[int, Decimal]:
        # VAT per rate over the invoice total, as Dutch invoices show it (not per line).
        return {rate: _vat(net, rate) for rate, net in self.net_by_rate().items()}

    @property
    def total(self) -> Decimal:
        return sum(self.net_by_rate().values(), ZERO) + sum(self.vat_by_rate().values(), ZERO)
