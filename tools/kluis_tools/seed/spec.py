"""What to seed: customers, administrations, years and sizes; presets for demo, tests and bench."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from kluis.scope import Scope, check_administration, check_year

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


def known_administration(administration: str) -> AdministrationSpec | None:
    return next((a for a in DEFAULT_ADMINISTRATIONS if a.administration == administration), None)


def _administration(administration: str, years: Sequence[str | int]) -> AdministrationSpec:
    """(administration, years) -> spec, keeping the demo company's name and sector when it is one."""
    known = known_administration(administration)
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
