"""Demo data: administrations/years full of plausible Dutch bookkeeping, written as live generations.

`make run` seeds the local stack with it, the tests seed small sets, and `make bench` seeds multi-GB
sets with the same code, so sizes are parameters and generation is fast: each PDF is laid out once
with fpdf2 (a real invoice that matches its journal entry) and brought to its target size with an
uncompressed attachment of pseudo-random bytes, which costs little more than the bytes themselves.

Everything derives from `SeedSpec.seed` through string-seeded `random.Random` streams (seeded with
SHA-512 of the string, so independent of PYTHONHASHSEED): the same spec gives the same records and the
same document bytes, on any machine, whatever the number of upload threads. Only the generation id is
new on every run, so re-seeding writes a new generation and flips `HEAD`, as a restore does.

    python -m kluis.seed --bucket kluis-data --preset demo
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, cast

import boto3
from botocore.config import Config

from kluis.scope import Scope, check_administration, check_year
from kluis.store import DataStore, new_generation_id

__all__ = [
    "DATASETS",
    "DEFAULT_ADMINISTRATIONS",
    "PRESETS",
    "AdministrationSpec",
    "DocumentPlan",
    "ScopeData",
    "ScopeReport",
    "SeedReport",
    "SeedSpec",
    "build_scope",
    "check_pdf",
    "main",
    "seed",
]

KIB = 1024
MIB = 1024 * KIB
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

DATASETS = ("ledger_accounts", "relations", "journal_entries", "vat_returns", "fiscal_year")
JOURNALS = ("verkoop", "inkoop", "bank", "memoriaal")
# Which catalogue of goods and services an administration trades in (see SALES_ITEMS, GOODS_ITEMS).
SECTORS = ("bakkerij", "installatie", "stichting", "algemeen")


# -- the spec -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AdministrationSpec:
    """One administration of the customer and the fiscal years to seed for it.

    `sector` picks the catalogue the invoices are drawn from, so a bakery buys flour at 9% VAT and an
    installer sells boiler installations at 21%: the VAT returns then look like real ones.
    """

    administration: str
    name: str
    years: tuple[str, ...]
    sector: str = "algemeen"

    def __post_init__(self) -> None:
        check_administration(self.administration)
        years = tuple(sorted({check_year(str(year)) for year in self.years}))
        if not years:
            raise ValueError(f"administration {self.administration} needs at least one fiscal year")
        object.__setattr__(self, "years", years)
        if self.sector not in SECTORS:
            raise ValueError(f"unknown sector {self.sector!r}; one of {', '.join(SECTORS)}")


DEFAULT_ADMINISTRATIONS: tuple[AdministrationSpec, ...] = (
    AdministrationSpec("00017", "Bakkerij De Gouden Korst B.V.", ("2024", "2025"), "bakkerij"),
    AdministrationSpec("00023", "Installatiebedrijf Van Dijk", ("2025",), "installatie"),
    AdministrationSpec("00042", "Stichting Buurthuis De Linde", ("2023", "2024"), "stichting"),
)

AdministrationsArg = (
    Sequence[AdministrationSpec | tuple[str, Sequence[str | int]]] | Mapping[str, Sequence[str | int]]
)


def _known(administration: str) -> AdministrationSpec | None:
    return next((a for a in DEFAULT_ADMINISTRATIONS if a.administration == administration), None)


def _administration(administration: str, years: Sequence[str | int]) -> AdministrationSpec:
    """(administration, years) -> spec, keeping the demo company's name and sector when it is one."""
    known = _known(administration)
    if known:
        return replace(known, years=tuple(str(y) for y in years))
    return AdministrationSpec(administration, f"Administratie {administration}", tuple(str(y) for y in years))


@dataclass(frozen=True)
class SeedSpec:
    """What to seed. Sizes are parameters so the same tool makes demo sets and multi-GB benchmarks.

    `administrations` takes AdministrationSpec objects, (administration, years) pairs or a mapping
    administration -> years; it is normalised to a tuple of AdministrationSpec.
    """

    customer: str = "10234"
    administrations: AdministrationsArg = DEFAULT_ADMINISTRATIONS
    entries_per_year: int = 3000
    documents_per_year: int = 40
    document_bytes: int = 200 * KIB  # target *average* size of one PDF
    proposals: int = 3  # pending Scan & Recognize proposals per administration/year
    seed: int = 20250101
    relations: int = 150
    # Each document's size is target * a factor in [1 - spread, 1 + spread], rescaled so that the
    # average is the target exactly: benchmarks get realistic variety and predictable totals.
    size_spread: float = 0.5

    def __post_init__(self) -> None:
        Scope(self.customer, "00001", "2000")  # validates the customer number
        items: Iterable[Any] = (
            self.administrations.items()
            if isinstance(self.administrations, Mapping)
            else self.administrations
        )
        normalised: list[AdministrationSpec] = []
        for item in items:
            if isinstance(item, AdministrationSpec):
                normalised.append(item)
            else:
                administration, years = item
                normalised.append(_administration(str(administration), list(years)))
        if not normalised:
            raise ValueError("no administrations to seed")
        if len({a.administration for a in normalised}) != len(normalised):
            raise ValueError("an administration is listed twice; give all its years in one entry")
        object.__setattr__(self, "administrations", tuple(normalised))
        for name in ("entries_per_year", "documents_per_year", "document_bytes", "proposals"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.documents_per_year > self.entries_per_year:
            # Every document belongs to exactly one journal entry.
            raise ValueError("documents_per_year cannot exceed entries_per_year")
        if self.relations < 10:
            raise ValueError("relations must be at least 10 (customers and one supplier per category)")
        if not 0 <= self.size_spread < 1:
            raise ValueError("size_spread must be in [0, 1)")

    @property
    def administration_specs(self) -> tuple[AdministrationSpec, ...]:
        # Normalised to AdministrationSpec objects in __post_init__.
        return cast(tuple[AdministrationSpec, ...], self.administrations)

    def scopes(self) -> list[tuple[Scope, AdministrationSpec]]:
        return [
            (Scope(self.customer, a.administration, year), a)
            for a in self.administration_specs
            for year in a.years
        ]


PRESETS: dict[str, dict[str, Any]] = {
    # What `make run` shows a bookkeeper.
    "demo": {},
    # Seconds, not minutes: for trying the flows by hand.
    "small": {
        "administrations": (("00017", ("2025",)),),
        "entries_per_year": 200,
        "documents_per_year": 5,
        "document_bytes": 50 * KIB,
        "proposals": 2,
    },
    # ~4 GiB in one administration/year: backups above 4 GiB need ZIP64 and multipart streaming.
    "bench": {
        "administrations": (("00017", ("2025",)),),
        "entries_per_year": 3000,
        "documents_per_year": 2000,
        "document_bytes": 2 * MIB,
        "proposals": 3,
    },
}


# -- the Dutch vocabulary -----------------------------------------------------------------------
# (code, name, kind, side, vat_code); kind: balance sheet or profit & loss.
LEDGER_ACCOUNTS: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("0100", "Gebouwen", "balance", "debit", None),
    ("0110", "Afschrijving gebouwen", "balance", "credit", None),
    ("0200", "Inventaris", "balance", "debit", None),
    ("0210", "Afschrijving inventaris", "balance", "credit", None),
    ("0300", "Vervoermiddelen", "balance", "debit", None),
    ("0310", "Afschrijving vervoermiddelen", "balance", "credit", None),
    ("0500", "Eigen vermogen", "balance", "credit", None),
    ("0600", "Lening o/g", "balance", "credit", None),
    ("0700", "Voorzieningen", "balance", "credit", None),
    ("1000", "Kas", "balance", "debit", None),
    ("1100", "Bank", "balance", "debit", None),
    ("1110", "Spaarrekening", "balance", "debit", None),
    ("1200", "Kruisposten", "balance", "debit", None),
    ("1300", "Debiteuren", "balance", "debit", None),
    ("1400", "Vooruitbetaalde kosten", "balance", "debit", None),
    ("1600", "Crediteuren", "balance", "credit", None),
    ("1700", "Te betalen nettolonen", "balance", "credit", None),
    ("1710", "Af te dragen loonheffing", "balance", "credit", None),
    ("1720", "Af te dragen pensioenpremie", "balance", "credit", None),
    ("1800", "BTW af te dragen hoog", "balance", "credit", "V21"),
    ("1805", "BTW af te dragen laag", "balance", "credit", "V9"),
    ("1810", "BTW te vorderen", "balance", "debit", "I21"),
    ("1820", "Afdracht BTW", "balance", "credit", None),
    ("1900", "Vraagposten", "balance", "debit", None),
    ("3000", "Voorraad", "balance", "debit", None),
    ("4000", "Lonen en salarissen", "profit_loss", "debit", None),
    ("4010", "Sociale lasten", "profit_loss", "debit", None),
    ("4020", "Pensioenlasten", "profit_loss", "debit", None),
    ("4100", "Afschrijvingen", "profit_loss", "debit", None),
    ("4300", "Huisvestingskosten", "profit_loss", "debit", "I21"),
    ("4310", "Energiekosten", "profit_loss", "debit", "I21"),
    ("4400", "Kantoorkosten", "profit_loss", "debit", "I21"),
    ("4500", "Autokosten", "profit_loss", "debit", "I21"),
    ("4600", "Verkoopkosten en reclame", "profit_loss", "debit", "I21"),
    ("4700", "Advies- en administratiekosten", "profit_loss", "debit", "I21"),
    ("4710", "Verzekeringen", "profit_loss", "debit", None),
    ("4800", "Telefoon en internet", "profit_loss", "debit", "I21"),
    ("4900", "Bankkosten", "profit_loss", "debit", None),
    ("7000", "Inkoopwaarde van de omzet", "profit_loss", "debit", "I9"),
    ("8000", "Omzet hoog", "profit_loss", "credit", "V21"),
    ("8100", "Omzet laag", "profit_loss", "credit", "V9"),
    ("8200", "Omzet vrijgesteld", "profit_loss", "credit", "V0"),
    ("8900", "Overige opbrengsten", "profit_loss", "credit", None),
    ("9000", "Rentebaten", "profit_loss", "credit", None),
    ("9100", "Rentelasten", "profit_loss", "debit", None),
)

SALES_ACCOUNT = {21: "8000", 9: "8100", 0: "8200"}
SALES_VAT = {21: ("1800", "V21"), 9: ("1805", "V9"), 0: (None, "V0")}
PURCHASE_VAT_CODE = {21: "I21", 9: "I9", 0: None}

# (description, VAT rate, unit price, max quantity)
Item = tuple[str, int, str, int]
SALES_ITEMS: dict[str, tuple[Item, ...]] = {
    "bakkerij": (
        ("Brood en broodjes", 9, "2.35", 120),
        ("Banket en gebak", 9, "3.95", 60),
        ("Taart op bestelling", 9, "32.50", 6),
        ("Lunchcatering per persoon", 9, "12.75", 40),
        ("Bezorging", 21, "15.00", 1),
        ("Verhuur koffieautomaat", 21, "45.00", 1),
    ),
    "installatie": (
        ("Installatie HR-ketel incl. materiaal", 21, "2450.00", 1),
        ("Onderhoud cv-installatie", 21, "119.00", 3),
        ("Storingsdienst per uur", 21, "78.50", 6),
        ("Arbeid isolatie woning", 9, "55.00", 24),
        ("Materiaal loodgieterswerk", 21, "18.40", 30),
        ("Voorrijkosten", 21, "35.00", 1),
    ),
    "stichting": (
        ("Zaalverhuur dagdeel", 21, "85.00", 4),
        ("Consumpties", 9, "2.50", 80),
        ("Cursusbijdrage", 0, "45.00", 12),
        ("Bijdrage activiteit", 0, "7.50", 40),
    ),
    "algemeen": (
        ("Advieswerkzaamheden per uur", 21, "95.00", 16),
        ("Levering goederen", 21, "24.95", 40),
        ("Levering voedingsmiddelen", 9, "6.80", 40),
    ),
}

# category -> (ledger account, weight among purchase invoices, supplier name patterns)
PURCHASE_CATEGORIES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "goederen": ("7000", 50, ("Groothandel {s}", "{s} Foodservice B.V.", "{s} & Zn. B.V.", "Handelmij. {s}")),
    "huisvesting": ("4300", 5, ("Vastgoed {s} B.V.", "{s} Beheer B.V.")),
    "energie": ("4310", 8, ("{c} Energie B.V.", "Energiecoöperatie {c}")),
    "kantoor": ("4400", 10, ("Kantoorvakhandel {s}", "{s} Office Supplies B.V.")),
    "auto": ("4500", 10, ("Autobedrijf {s}", "Garage {s} V.O.F.", "Tankstation {c}")),
    "reclame": ("4600", 5, ("Drukkerij {s}", "Reclamebureau {s}", "Weekblad {c}")),
    "advies": ("4700", 5, ("{s} Accountants", "Administratiekantoor {s}")),
    "verzekering": ("4710", 2, ("Verzekeringen {s} B.V.", "Assurantiekantoor {s}")),
    "telecom": ("4800", 5, ("{c} Telecom B.V.", "{s} ICT-diensten")),
}
PURCHASE_ITEMS: dict[str, tuple[Item, ...]] = {
    "huisvesting": (("Huur bedrijfsruimte", 21, "1850.00", 1), ("Servicekosten", 21, "145.00", 1)),
    "energie": (("Levering elektriciteit", 21, "412.30", 1), ("Levering gas", 21, "268.90", 1)),
    "kantoor": (
        ("Printpapier A4, doos 5 pak", 21, "27.95", 4),
        ("Tonercartridge", 21, "89.00", 2),
        ("Kantoorartikelen", 21, "12.50", 6),
    ),
    "auto": (
        ("Brandstof diesel", 21, "1.79", 80),
        ("Onderhoudsbeurt bestelbus", 21, "385.00", 1),
        ("Winterbanden", 21, "129.00", 4),
    ),
    "reclame": (("Advertentie huis-aan-huisblad", 21, "245.00", 1), ("Flyers 2500 stuks", 21, "189.00", 1)),
    "advies": (
        ("Samenstellen jaarrekening", 21, "1450.00", 1),
        ("Administratieve ondersteuning", 21, "85.00", 8),
    ),
    "verzekering": (
        ("Premie bedrijfsaansprakelijkheid", 0, "312.40", 1),
        ("Premie inventaris", 0, "98.15", 1),
    ),
    "telecom": (("Abonnement internet en telefonie", 21, "79.95", 1), ("Mobiel abonnement", 21, "22.50", 3)),
}
GOODS_ITEMS: dict[str, tuple[Item, ...]] = {
    "bakkerij": (
        ("Tarwebloem 25 kg", 9, "18.40", 20),
        ("Roomboter 10 kg", 9, "64.50", 6),
        ("Kristalsuiker 25 kg", 9, "21.75", 8),
        ("Bakkersgist 500 g", 9, "3.10", 20),
        ("Scharreleieren 180 st", 9, "38.00", 5),
        ("Verpakkingsmateriaal", 21, "54.00", 4),
    ),
    "installatie": (
        ("HR-combiketel 28 kW", 21, "1295.00", 1),
        ("Koperen buis 15 mm, 5 m", 21, "24.60", 20),
        ("Paneelradiator 600x1000", 21, "142.00", 4),
        ("Fittingen assortiment", 21, "36.90", 5),
        ("Installatiekabel 3x2,5 mm2, 50 m", 21, "74.25", 3),
    ),
    "stichting": (
        ("Koffie en thee", 9, "14.95", 6),
        ("Frisdrank, krat", 9, "11.40", 10),
        ("Knutselmateriaal", 21, "8.75", 10),
        ("Schoonmaakmiddelen", 21, "6.30", 12),
    ),
    "algemeen": (("Handelsgoederen", 21, "18.00", 30), ("Voedingsmiddelen", 9, "4.20", 40)),
}

SURNAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
    "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
    "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "van der Heijden",
    "Schouten", "Willems", "van Wijk", "Hoekstra", "Koster", "Prins", "Blom", "Huisman", "Kuipers",
    "Veenstra", "Post", "Kramer", "van Vliet", "Maas", "Verhoeven", "Timmermans", "Groen",
    "Koning", "Lammers",
)  # fmt: skip
INITIALS = "ABCDEGHJKLMPRSTW"
VENUES = (
    "Restaurant",
    "Hotel",
    "Café",
    "Brasserie",
    "Lunchroom",
    "Zorgcentrum",
    "Sportvereniging",
    "Camping",
)
VENUE_NAMES = (
    "De Zwaan", "Het Anker", "De Gouden Leeuw", "De Posthoorn", "De Molen", "'t Hoekje", "De Kroon",
    "Het Hert", "De Zon", "De Poort", "Het Veerhuis", "De Boerin", "Het Wapen", "De Eendracht", "Zonnehof",
    "De Vijverhof",
)  # fmt: skip
TRADES = (
    "Transport",
    "Bouwbedrijf",
    "Schoonmaakbedrijf",
    "Hoveniers",
    "Schilders",
    "Adviesgroep",
    "Makelaardij",
)
STREETS = (
    "Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Industrieweg", "Hoofdstraat", "Schoolstraat",
    "Marktplein", "Nieuwstraat", "Julianastraat", "Wilhelminastraat", "Beatrixlaan", "Parallelweg",
    "Havenweg", "Energieweg", "Ambachtsweg", "Lindelaan", "Eikenlaan", "Zuiderweg", "Noordeinde",
)  # fmt: skip
# (city, first and last four-digit postcode area)
CITIES = (
    ("Amsterdam", 1011, 1109), ("Rotterdam", 3011, 3089), ("Utrecht", 3511, 3585), ("Den Haag", 2491, 2597),
    ("Eindhoven", 5611, 5658), ("Groningen", 9711, 9747), ("Tilburg", 5011, 5049), ("Almere", 1311, 1363),
    ("Breda", 4811, 4839), ("Nijmegen", 6511, 6546), ("Apeldoorn", 7311, 7339), ("Haarlem", 2011, 2037),
    ("Arnhem", 6811, 6846), ("Zwolle", 8011, 8043), ("Leiden", 2311, 2334), ("Amersfoort", 3811, 3829),
    ("Maastricht", 6211, 6229), ("Deventer", 7411, 7429), ("Delft", 2611, 2629), ("Alkmaar", 1811, 1827),
    ("Leeuwarden", 8911, 8939), ("Enschede", 7511, 7548), ("'s-Hertogenbosch", 5211, 5248),
    ("Gouda", 2801, 2809),
)  # fmt: skip
BANKS = ("ABNA", "INGB", "RABO", "SNSB", "TRIO", "KNAB", "BUNQ", "ASNB")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


# -- small helpers ------------------------------------------------------------------------------
def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _vat(net: Decimal, rate: int) -> Decimal:
    return (net * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _eur(value: Decimal) -> str:
    """Dutch notation on the invoices: € 1.234,56."""
    text = f"{value.quantize(CENT):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def _title(surname: str) -> str:
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


# -- documents ----------------------------------------------------------------------------------
def check_pdf(data: bytes) -> None:
    """A structural check, as no PDF parser can be assumed: header, trailer, and a startxref that
    points at the cross-reference table. Raises ValueError."""
    if not data.startswith(b"%PDF-1."):
        raise ValueError("not a PDF: no %PDF- header")
    tail = data[-1024:]
    if not tail.rstrip().endswith(b"%%EOF"):
        raise ValueError("PDF does not end with %%EOF")
    at = tail.rfind(b"startxref")
    if at < 0:
        raise ValueError("PDF has no startxref")
    try:
        offset = int(tail[at + len(b"startxref") :].split()[0])
    except (IndexError, ValueError) as error:
        raise ValueError("PDF startxref is not a number") from error
    if data[offset : offset + 4] != b"xref":
        raise ValueError("PDF startxref does not point at the xref table")


@dataclass(frozen=True)
class DocumentPlan:
    """Everything needed to render one PDF; rendering happens in the upload threads, so a multi-GB
    set is never held in memory."""

    document_id: str
    invoice: Invoice
    size: int  # target size in bytes
    stamp: str  # what the bookkeeping stamped on the scan: the journal entry, or "not yet booked"
    payload_seed: str

    def render(self, overhead: int | None = None) -> bytes:
        """The invoice as PDF bytes, about `size` long.

        `overhead` is the size of the PDF around its payload; by default a typical invoice's,
        measured once per process, which lands every document within a few hundred bytes of its size.
        """
        if overhead is None:
            overhead = _typical_overhead()
        return _render_invoice(self, max(0, self.size - overhead))


@cache
def _typical_overhead() -> int:
    party = Party(
        "Voorbeeld B.V.", "Kerkstraat 1", "1011 AB", "Amsterdam", "12345678", "NL000000000B01", "NL00ABNA0"
    )
    lines = tuple(InvoiceLine(f"Artikel {n}", n, Decimal("12.50"), 21) for n in (1, 2))
    invoice = Invoice("F2025-00001", date(2025, 1, 1), party, party, lines)
    plan = DocumentPlan("doc-2025-000001", invoice, 0, "Geboekt: je-2025-000001 (inkoop)", "overhead")
    # One payload byte makes fpdf2 add the attachment's objects; they belong to the overhead too.
    return len(_render_invoice(plan, 1)) - 1


def _render_invoice(plan: DocumentPlan, payload_bytes: int) -> bytes:
    invoice = plan.invoice
    seller, buyer = invoice.seller, invoice.buyer
    # Imported here: fpdf2 is a development dependency, not one of the Lambda layer's, and modules
    # such as kluis.cli may import this one where only the records are needed.
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    # cp1252 is what the core fonts' WinAnsiEncoding covers: it has the euro sign, latin-1 has not.
    pdf.core_fonts_encoding = "windows-1252"
    # A fixed creation date (and so a fixed /ID, which fpdf2 hashes from content and date) keeps the
    # bytes reproducible.
    pdf.set_creation_date(
        datetime(invoice.issued.year, invoice.issued.month, invoice.issued.day, 9, tzinfo=UTC)
    )
    pdf.set_title(f"Factuur {invoice.number}")
    pdf.set_author(seller.name)
    pdf.set_subject(plan.stamp)
    pdf.set_keywords(plan.document_id)
    pdf.set_creator("Kluis seed")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # pdf.text() places strings directly; cell() layout costs several times more and documents must
    # render at well over 100 MB/s.
    pdf.set_font("Helvetica", "B", 16)
    pdf.text(20, 25, seller.name)
    pdf.set_font("Helvetica", "", 9)
    y = 31.0
    for text in (
        seller.street,
        f"{seller.postcode}  {seller.city}",
        f"KvK {seller.kvk}   BTW {seller.vat_number}",
        f"IBAN {seller.iban}",
    ):
        pdf.text(20, y, text)
        y += 4.5
    pdf.set_font("Helvetica", "B", 22)
    pdf.text(150, 25, "FACTUUR")
    pdf.set_font("Helvetica", "", 10)
    y = 62.0
    for text in (buyer.name, buyer.street, f"{buyer.postcode}  {buyer.city}"):
        pdf.text(20, y, text)
        y += 5
    due = invoice.issued + timedelta(days=30)
    y = 62.0
    for label, value in (
        ("Factuurnummer", invoice.number),
        ("Factuurdatum", invoice.issued.strftime("%d-%m-%Y")),
        ("Vervaldatum", due.strftime("%d-%m-%Y")),
        ("Uw BTW-nummer", buyer.vat_number),
    ):
        pdf.text(120, y, label)
        pdf.text(155, y, value)
        y += 5
    y = 95.0
    pdf.set_font("Helvetica", "B", 10)
    for x, text in ((20, "Omschrijving"), (115, "Aantal"), (135, "Prijs"), (158, "BTW"), (175, "Bedrag")):
        pdf.text(x, y, text)
    pdf.line(20, y + 2, 195, y + 2)
    pdf.set_font("Helvetica", "", 10)
    y += 8
    for line in invoice.lines:
        pdf.text(20, y, line.description)
        pdf.text(118, y, str(line.quantity))
        pdf.text(133, y, _eur(line.unit_price))
        pdf.text(158, y, f"{line.rate}%")
        pdf.text(173, y, _eur(line.amount))
        y += 6
    pdf.line(20, y, 195, y)
    y += 7
    nets, vats = invoice.net_by_rate(), invoice.vat_by_rate()
    totals = [("Subtotaal", sum(nets.values(), ZERO))]
    totals += [(f"BTW {rate}% over {_eur(net)}", vats[rate]) for rate, net in nets.items() if rate]
    totals += [("Vrijgesteld van BTW", net) for rate, net in nets.items() if not rate]
    for label, amount in totals:
        pdf.text(110, y, label)
        pdf.text(173, y, _eur(amount))
        y += 6
    pdf.set_font("Helvetica", "B", 11)
    pdf.text(110, y + 1, "Totaal te betalen")
    pdf.text(173, y + 1, _eur(invoice.total))
    pdf.set_font("Helvetica", "", 8)
    pdf.text(
        20,
        268,
        f"Wij verzoeken u vriendelijk het totaalbedrag binnen 30 dagen over te maken op {seller.iban}",
    )
    pdf.text(20, 272, f"onder vermelding van factuurnummer {invoice.number}.")
    # The Scan & Recognize stamp: which journal entry this scan was booked in.
    pdf.set_text_color(180, 20, 20)
    pdf.set_font("Helvetica", "B", 9)
    pdf.text(120, 45, plan.stamp)
    pdf.text(120, 50, plan.document_id)
    if payload_bytes:
        # The "original scan": incompressible bytes stored uncompressed, so a document's size is
        # what the spec asks and archive sizes in benchmarks are honest (ZIP cannot shrink them).
        payload = random.Random(plan.payload_seed).randbytes(payload_bytes)
        pdf.embed_file(
            bytes=payload,
            basename=f"scan-{plan.document_id}.bin",
            mime_type="application/octet-stream",
            desc="Origineel van de scan (testdata: pseudo-willekeurige bytes)",
            compress=False,
        )
    data = bytes(pdf.output())
    check_pdf(data)
    return data


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
            name = pattern.format(s=_title(rng.choice(SURNAMES)), c=rng.choice(CITIES)[0])
            kind = "supplier"
        else:
            category = None
            style = rng.random()
            if style < 0.4:
                name = f"{rng.choice(VENUES)} {rng.choice(VENUE_NAMES)}"
            elif style < 0.7:
                form = rng.choice(("B.V.", "V.O.F.", ""))
                name = f"{_title(rng.choice(SURNAMES))} {rng.choice(TRADES)} {form}"
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
    return {"account": account, "debit": _money(debit), "credit": _money(credit), "vat_code": vat_code}


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
        "total": _money(debit),
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
                "turnover_high": _money(sums["8000"]),  # rubriek 1a
                "vat_high": _money(high),
                "turnover_low": _money(sums["8100"]),  # rubriek 1b
                "vat_low": _money(low),
                "turnover_exempt": _money(sums["8200"]),
                "input_vat": _money(input_vat),  # rubriek 5b
                "payable": _money(high + low - input_vat),  # rubriek 5g
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
                "total": _money(entry.invoice.total),
                "journal": "inkoop",
                "lines": entry.lines,
                "confidence": round(rng.uniform(0.62, 0.99), 2),
            },
        }
        result.append((proposal_id, plan, _jsonl([proposal])))
    return tuple(result)


# -- writing ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScopeReport:
    scope: str
    generation: str
    previous: str | None
    records: dict[str, int]
    record_bytes: int
    documents: int
    document_bytes: int
    proposals: int
    seconds: float


@dataclass
class SeedReport:
    scopes: list[ScopeReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def document_bytes(self) -> int:
        return sum(s.document_bytes for s in self.scopes)

    def summary(self) -> str:
        lines = []
        for s in self.scopes:
            counts = ", ".join(f"{name} {count}" for name, count in s.records.items())
            was = f" (was {s.previous})" if s.previous else ""
            lines.append(
                f"{s.scope}: HEAD -> {s.generation}{was}\n"
                f"    records: {counts}\n"
                f"    documents: {s.documents} ({_size(s.document_bytes)}), proposals: {s.proposals}, "
                f"{s.seconds:.1f} s"
            )
        rate = self.document_bytes / self.seconds / 1e6 if self.seconds else 0.0
        lines.append(
            f"seeded {len(self.scopes)} administration/year(s), {sum(s.documents for s in self.scopes)} "
            f"documents ({_size(self.document_bytes)}) in {self.seconds:.1f} s ({rate:.0f} MB/s of documents)"
        )
        return "\n".join(lines)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _bounded(pool: ThreadPoolExecutor, tasks: Iterable[Callable[[], int]], window: int) -> Iterator[int]:
    """Run tasks with at most `window` in flight, yielding results: memory stays bounded by the
    window, whatever the number of documents."""
    pending: set[Future[int]] = set()
    try:
        for task in tasks:
            if len(pending) >= window:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
            pending.add(pool.submit(task))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
    finally:
        # On failure, let uploads already running finish before the caller deletes the generation,
        # or they would write objects into it afterwards.
        for future in pending:
            future.cancel()
        wait(pending)


def seed(
    store: DataStore,
    spec: SeedSpec,
    *,
    workers: int = 8,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Write every administration/year of `spec` as a new generation and flip `HEAD` to it.

    A failure half way deletes the partial generation and leaves `HEAD` (the live data) as it was.
    Proposals are written under proposals/ with fixed names, so re-seeding overwrites rather than piles up.
    """
    say = progress or (lambda _message: None)
    report = SeedReport()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kluis-seed") as pool:
        for scope, adm in spec.scopes():
            report.scopes.append(_seed_scope(store, spec, scope, adm, pool, max(1, workers) * 2, say))
    report.seconds = time.perf_counter() - started
    return report


def _seed_scope(
    store: DataStore,
    spec: SeedSpec,
    scope: Scope,
    adm: AdministrationSpec,
    pool: ThreadPoolExecutor,
    window: int,
    say: Callable[[str], None],
) -> ScopeReport:
    started = time.perf_counter()
    data = build_scope(spec, adm, scope.year)
    generation = new_generation_id()
    say(f"{scope}: writing generation {generation}")
    document_bytes = 0
    try:
        for name, body in data.records.items():
            store.put(scope, generation, f"records/{name}.jsonl", body)

        def upload(plan: DocumentPlan) -> Callable[[], int]:
            def run() -> int:
                body = plan.render()
                store.put(scope, generation, f"documents/{plan.document_id}.pdf", body)
                return len(body)

            return run

        total = len(data.documents)
        step = max(1, total // 10)
        with closing(_bounded(pool, map(upload, data.documents), window)) as sizes:
            for done, size in enumerate(sizes, start=1):
                document_bytes += size
                if done % step == 0 or done == total:
                    say(f"{scope}: documents {done}/{total} ({_size(document_bytes)})")
    except BaseException:
        store.delete_generation(scope, generation)
        raise
    for proposal_id, plan, body in data.proposals:
        store.put_proposal(scope, f"{proposal_id}.pdf", plan.render())
        store.put_proposal(scope, f"{proposal_id}.json", body)
    previous = store.head(scope)
    store.flip_head(scope, generation, expected=previous, source="seed", seed=spec.seed)
    say(f"{scope}: HEAD -> {generation}")
    return ScopeReport(
        scope=str(scope),
        generation=generation,
        previous=previous.generation if previous else None,
        records=data.counts,
        record_bytes=sum(len(body) for body in data.records.values()),
        documents=len(data.documents),
        document_bytes=document_bytes,
        proposals=len(data.proposals),
        seconds=time.perf_counter() - started,
    )


# -- command line -------------------------------------------------------------------------------
def _parse_administration(text: str) -> tuple[str, list[str]]:
    """'00017' or '00017:2024,2025'."""
    administration, _, years = text.partition(":")
    return administration.strip(), [y.strip() for y in years.split(",") if y.strip()]


def build_spec(args: argparse.Namespace) -> SeedSpec:
    values: dict[str, Any] = dict(PRESETS[args.preset])
    if args.administration:
        chosen = []
        for text in args.administration:
            administration, years = _parse_administration(text)
            known = _known(administration)
            years = years or list(args.year or ()) or list(known.years if known else ())
            if not years:
                raise ValueError(
                    f"administration {administration}: give its years (--year or 00017:2024,2025)"
                )
            chosen.append((administration, years))
        values["administrations"] = tuple(chosen)
    elif args.year:
        # --year alone: those years for every administration of the preset.
        base = SeedSpec(**values).administration_specs
        values["administrations"] = tuple((a.administration, list(args.year)) for a in base)
    for option, key in (
        ("customer", "customer"),
        ("entries", "entries_per_year"),
        ("documents", "documents_per_year"),
        ("proposals", "proposals"),
        ("seed", "seed"),
        ("relations", "relations"),
    ):
        if getattr(args, option) is not None:
            values[key] = getattr(args, option)
    if args.document_kib is not None:
        values["document_bytes"] = round(args.document_kib * KIB)
    return SeedSpec(**values)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kluis seed",
        description="Seed the data bucket with demo administrations: records, documents and proposals.",
    )
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL") or None)
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    )
    parser.add_argument(
        "--bucket", default=os.environ.get("DATA_BUCKET") or None, help="data bucket ($DATA_BUCKET)"
    )
    parser.add_argument(
        "--preset", choices=sorted(PRESETS), default="demo", help="demo (default), small, bench"
    )
    parser.add_argument("--customer", help="customer number (default 10234)")
    parser.add_argument(
        "--administration",
        action="append",
        metavar="ADM[:YEARS]",
        help="repeatable; e.g. 00017 or 00017:2024,2025 (default: the preset's administrations)",
    )
    parser.add_argument(
        "--year", action="append", help="repeatable; fiscal years for administrations without own"
    )
    parser.add_argument("--entries", type=int, help="journal entries per administration/year")
    parser.add_argument("--documents", type=int, help="documents per administration/year")
    parser.add_argument("--document-kib", type=float, help="average document size in KiB")
    parser.add_argument("--proposals", type=int, help="pending proposals per administration/year")
    parser.add_argument("--relations", type=int, help="customers and suppliers per administration")
    parser.add_argument("--seed", type=int, help="same seed, same data")
    parser.add_argument("--workers", type=int, default=8, help="concurrent document uploads")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.bucket:
        parser.error("--bucket is required (or set DATA_BUCKET)")
    try:
        spec = build_spec(args)
    except ValueError as error:  # InvalidScope is a ValueError too
        parser.error(str(error))
    # One pooled connection per upload thread; botocore's default of 10 would make threads queue.
    config = Config(max_pool_connections=max(10, args.workers + 2), retries={"mode": "standard"})
    s3 = boto3.client(
        "s3", endpoint_url=args.endpoint_url, region_name=args.region or "us-east-1", config=config
    )
    progress = None if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    report = seed(DataStore(s3, args.bucket), spec, workers=args.workers, progress=progress)
    print(report.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
