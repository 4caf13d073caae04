"""The VAT codes of the books: what each code means, its rate, and which side of the return it is on.

The product records a VAT code on journal lines (and a default one on ledger accounts), but no
table of codes. An auditfile needs one (description and percentage per code), so the codes the
product uses are described here; a code not in this table is still written, as "Btw-code X" with
the rate its lines give, or 0 when they give none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class VatSide(StrEnum):
    SALES = "sales"  # VAT to pay (af te dragen)
    PURCHASES = "purchases"  # VAT to claim back (voorbelasting)


@dataclass(frozen=True)
class VatCode:
    code: str
    description: str
    rate: Decimal | None
    side: VatSide | None


KNOWN_CODES: dict[str, VatCode] = {
    code.code: code
    for code in (
        VatCode("V21", "Btw verkopen hoog tarief (21%)", Decimal(21), VatSide.SALES),
        VatCode("V9", "Btw verkopen laag tarief (9%)", Decimal(9), VatSide.SALES),
        VatCode("V0", "Verkopen 0% of vrijgesteld", Decimal(0), VatSide.SALES),
        VatCode("VV", "Verkopen btw verlegd", Decimal(0), VatSide.SALES),
        VatCode("VEU", "Leveringen naar landen binnen de EU", Decimal(0), VatSide.SALES),
        VatCode("VEX", "Leveringen naar landen buiten de EU", Decimal(0), VatSide.SALES),
        VatCode("I21", "Btw inkopen hoog tarief (21%)", Decimal(21), VatSide.PURCHASES),
        VatCode("I9", "Btw inkopen laag tarief (9%)", Decimal(9), VatSide.PURCHASES),
        VatCode("I0", "Inkopen 0% of vrijgesteld", Decimal(0), VatSide.PURCHASES),
        VatCode("IV", "Inkopen btw verlegd", Decimal(0), VatSide.PURCHASES),
    )
}


def describe(code: str, rate: Decimal | None = None) -> VatCode:
    """The code as the table knows it, or as far as the books tell (`rate` from its lines)."""
    known = KNOWN_CODES.get(code)
    if known:
        return known
    return VatCode(code, f"Btw-code {code}", rate, None)
