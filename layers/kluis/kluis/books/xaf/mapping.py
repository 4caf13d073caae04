"""From records to the values of auditfile elements, the same for every XAF version.

Each function takes records and returns `Values` keyed by XAF 3.2 element names; a version's
layout (`kluis.books.xaf.layout`) decides which of them it writes, in which order, under which
name. The rules a bookkeeper or auditor may ask about are here:

- a line's amount is its debit minus its credit, written as a positive amount with its side (D/C);
- the VAT of an entry (its lines on VAT accounts) is shown on the lines it was charged on (the
  other lines with the same VAT code), shared in proportion when there are several;
- a line's document reference is its PDF in the same archive when documents are included, else
  the invoice number, else the entry's id;
- a transaction's period is the month of the fiscal year its date falls in.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from kluis.archive.names import DOCUMENT_NAME
from kluis.books import vat
from kluis.books.records import (
    ZERO,
    FiscalYear,
    JournalEntry,
    LedgerAccount,
    Line,
    OpeningBalanceLine,
    Relation,
)
from kluis.books.xaf.layout import Values
from kluis.books.xaf.values import amount, cents, country, currency, ident, percentage, postal_code, text

DEBIT, CREDIT = "D", "C"
MAX_PERIODS = 120  # a fiscal year of ten years is already a data error; periodNumber has 3 digits
# Journal codes of the product: (description, XAF journal type).
JOURNALS: dict[str, tuple[str, str]] = {
    "verkoop": ("Verkoopboek", "S"),
    "inkoop": ("Inkoopboek", "P"),
    "bank": ("Bank", "B"),
    "kas": ("Kas", "C"),
    "memoriaal": ("Memoriaal", "M"),
    "beginbalans": ("Beginbalans", "O"),
    "salaris": ("Salarissen", "Y"),
}
OTHER_JOURNAL_TYPE = "Z"
ACCOUNT_TYPES = {"balance": "B", "profit_loss": "P"}
RELATION_TYPES = {"customer": "C", "supplier": "S", "both": "B"}
# "Kerkstraat 12", "Kerkstraat 12a", "Plein 1940-1945 3": the last number is the house number.
STREET_AND_NUMBER = re.compile(r"(?P<street>.*\S)\s+(?P<number>[0-9]+)\s*(?P<extension>.*)")


def side_amount(signed: Decimal) -> tuple[Decimal, str]:
    """A signed amount (debit positive) as the auditfile states it: positive, with its side."""
    rounded = cents(signed)
    return (rounded, DEBIT) if rounded >= 0 else (-rounded, CREDIT)


def _optional(value: str | None) -> str | None:
    return text(value) or None


def _year_label(year: FiscalYear) -> str:
    # 4.0 allows "2025" or "2024-2025" only; a year record always has its dates.
    if re.fullmatch(r"[0-9]{4}", year.year):
        return year.year
    if year.start.year == year.end.year:
        return str(year.start.year)
    return f"{year.start.year}-{year.end.year}"


# -- header and company --------------------------------------------------------------------------
def header(year: FiscalYear, created: date, software: str, software_version: str) -> Values:
    return {
        "fiscalYear": _year_label(year),
        "startDate": year.start.isoformat(),
        "endDate": year.end.isoformat(),
        "curCode": currency(year.currency),
        "dateCreated": created.isoformat(),
        "softwareDesc": software,
        "softwareVersion": software_version,
        "RGSVersion": _optional(year.rgs_version),  # XAF 4.0 only
    }


def address(street: str | None, postcode: str | None, city: str | None, land: str | None) -> Values | None:
    values: dict[str, str | None] = {
        "city": _optional(city),
        "postalCode": postal_code(postcode) or None,
        "country": country(land),
    }
    street = text(street)
    match = STREET_AND_NUMBER.fullmatch(street)
    if match:
        values |= {
            "streetname": match["street"],
            "number": match["number"],
            "numberExtension": match["extension"] or None,
        }
    else:
        values["streetname"] = street or None
    return values if any(values.values()) else None


def company(year: FiscalYear) -> Values:
    name = text(year.administration_name) or f"Administratie {year.administration or ''}".strip()
    return {
        "companyIdent": _optional(year.kvk_number),
        "companyName": name,
        "taxRegistrationCountry": country(year.country) or "NL",
        "taxRegIdent": text(year.vat_number),
        "streetAddress": address(year.address, year.postcode, year.city, year.country or "NL"),
    }


# -- master data ---------------------------------------------------------------------------------
def customer_supplier(relation: Relation) -> Values:
    vat_number = text(relation.vat_number)
    return {
        "custSupID": ident(relation.id),
        "custSupName": _optional(relation.name),
        "eMail": _optional(relation.email),
        "commerceNr": _optional(relation.kvk_number),
        "taxRegistrationCountry": country(vat_number[:2]) if vat_number else None,
        "taxRegIdent": vat_number or None,
        "custSupTp": RELATION_TYPES.get(relation.kind or ""),
        "streetAddress": address(relation.address, relation.postcode, relation.city, relation.country),
        "bankAccount": {"bankAccNr": ident(relation.iban)} if text(relation.iban) else None,
    }


def unknown_relation(relation_id: str) -> Values:
    """A relation that entries name but the relations do not: listed, so every reference resolves."""
    return {"custSupID": ident(relation_id), "custSupName": f"Relatie {text(relation_id)} (onbekend)"}


def account_type(account: LedgerAccount | None, code: str) -> str:
    kind = ACCOUNT_TYPES.get(account.kind or "") if account else None
    # Without a kind, the Dutch numbering decides: classes 0-3 are the balance sheet.
    return kind or ("B" if code[:1] in "0123" else "P")


def ledger_account(account: LedgerAccount) -> Values:
    return {
        "accID": ident(account.code),
        "accDesc": text(account.name) or f"Rekening {text(account.code)}",
        "accTp": account_type(account, account.code),
        "RGScode": _optional(account.rgs_code),  # XAF 4.0 only
    }


def unknown_account(code: str) -> Values:
    """An account that lines name but the ledger does not: listed, so every reference resolves."""
    return {
        "accID": ident(code),
        "accDesc": f"Rekening {text(code)} (onbekend)",
        "accTp": account_type(None, code),
    }


def vat_code(code: vat.VatCode, accounts: Mapping[str, LedgerAccount], used_on: str | None) -> Values:
    """A VAT code, with the account its VAT is booked on as the account to pay or to claim from.

    That account is a balance account carrying the code in the ledger, else the VAT account its
    lines were seen on (`used_on`). Which of the two it is follows the code's side of the return,
    or else the account's usual side (credit: to pay).
    """
    account = next(
        (acc for acc in accounts.values() if acc.vat_code == code.code and acc.kind == "balance"),
        accounts.get(used_on or ""),
    )
    values: dict[str, str | None] = {
        "vatID": ident(code.code),
        "vatDesc": code.description,
    }
    if account is None:
        return values
    to_pay = code.side is vat.VatSide.SALES if code.side else account.side != "debit"
    values["vatToPayAccID" if to_pay else "vatToClaimAccID"] = ident(account.code)
    return values


# -- periods -------------------------------------------------------------------------------------
def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # the same day of the month, or the month's last day
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class Periods:
    """The fiscal year in months: period 1 starts on its first day."""

    starts: tuple[date, ...]
    end: date

    @classmethod
    def of(cls, year: FiscalYear) -> Periods:
        starts: list[date] = []
        start = year.start
        while start <= year.end and len(starts) < MAX_PERIODS:
            starts.append(start)
            start = _add_months(year.start, len(starts))
        return cls(tuple(starts) or (year.start,), max(year.end, year.start))

    def number_of(self, day: date) -> int:
        """The period a date falls in; a date outside the year counts in its first or last period."""
        return max(1, min(len(self.starts), bisect_right(self.starts, day)))

    def values(self) -> Iterator[Values]:
        for index, start in enumerate(self.starts):
            last = self.starts[index + 1] - timedelta(days=1) if index + 1 < len(self.starts) else self.end
            yield {
                "periodNumber": str(index + 1),
                "periodDesc": f"{start.isoformat()} - {last.isoformat()}",
                "startDatePeriod": start.isoformat(),
                "endDatePeriod": last.isoformat(),
            }


# -- opening balance and transactions -------------------------------------------------------------
def opening_balance(year: FiscalYear, lines: int, debit: Decimal, credit: Decimal) -> Values:
    return {
        "opBalDate": year.start.isoformat(),
        "opBalDesc": "Beginbalans",
        "linesCount": str(lines),
        "totalDebit": amount(debit),
        "totalCredit": amount(credit),
    }


def opening_line(number: int, line: OpeningBalanceLine) -> Values:
    value, side = side_amount(line.signed)
    return {"nr": str(number), "accID": ident(line.account), "amnt": amount(value), "amntTp": side}


def totals(lines: int, debit: Decimal, credit: Decimal) -> Values:
    return {"linesCount": str(lines), "totalDebit": amount(debit), "totalCredit": amount(credit)}


def journal(journal_id: str) -> Values:
    description, kind = JOURNALS.get(journal_id.lower(), (text(journal_id), OTHER_JOURNAL_TYPE))
    return {"jrnID": ident(journal_id), "desc": description or "Dagboek", "jrnTp": kind}


@dataclass(frozen=True)
class EntryContext:
    """What mapping an entry needs to know beyond the entry itself."""

    periods: Periods
    vat_accounts: frozenset[str]  # balance accounts that carry a VAT code: their lines are the VAT
    vat_rates: Mapping[str, Decimal | None]
    include_documents: bool

    def document_ref(self, entry: JournalEntry) -> str:
        document = entry.document_id
        if self.include_documents and document:
            path = f"documents/{document}.pdf"
            if DOCUMENT_NAME.fullmatch(path):
                return path
        return text(entry.invoice_number) or text(entry.id)


def transaction(entry: JournalEntry, context: EntryContext) -> Values:
    reference = context.document_ref(entry)
    vats = line_vat(entry.lines, context)
    lines = []
    for number, (line, line_vat_values) in enumerate(zip(entry.lines, vats, strict=True), start=1):
        value, side = side_amount(line.signed)
        relation = line.relation_id or entry.relation_id
        lines.append(
            {
                "nr": str(number),
                "accID": ident(line.account),
                "docRef": reference,
                "effDate": entry.date.isoformat(),
                "desc": _optional(line.description) or _optional(entry.description),
                "amnt": amount(value),
                "amntTp": side,
                "custSupID": ident(relation) if relation else None,
                "invRef": _optional(entry.invoice_number),
                "vat": line_vat_values,
            }
        )
    return {
        "nr": ident(entry.id),
        "desc": _optional(entry.description),
        "periodNumber": str(context.periods.number_of(entry.date)),
        "trDt": entry.date.isoformat(),
        "trLine": lines,
    }


# -- VAT per line ----------------------------------------------------------------------------------
def _vat_values(code: str, rate: Decimal | None, signed: Decimal, line_side: str) -> Values:
    value, side = side_amount(signed)
    return {
        "vatID": ident(code),
        "vatPerc": percentage(rate),
        "vatAmnt": amount(value),
        "vatAmntTp": side if value else line_side,
    }


def _share(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`total` in cents over the weights, in proportion; the last takes what rounding leaves."""
    whole = sum(weights, ZERO)
    if not whole:
        return [total, *([ZERO] * (len(weights) - 1))]
    shares = [cents(total * weight / whole) for weight in weights[:-1]]
    return [*shares, cents(total) - sum(shares, ZERO)]


def line_vat(lines: Sequence[Line], context: EntryContext) -> list[Values | None]:
    """The `vat` element of each line (None: the line has none)."""
    result: list[Values | None] = [None] * len(lines)
    charged: dict[str, Decimal] = {}  # per code: the VAT booked on VAT accounts
    bases: dict[str, list[int]] = {}  # per code: the lines the VAT was charged on
    vat_lines: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        code = line.vat_code
        if not code:
            continue
        if line.vat_amount is not None:  # the product recorded it: that is the truth
            signed = line.vat_amount if line.signed >= 0 else -line.vat_amount
            rate = line.vat_rate if line.vat_rate is not None else context.vat_rates.get(code)
            result[index] = _vat_values(code, rate, signed, side_amount(line.signed)[1])
        elif line.account in context.vat_accounts:
            charged[code] = charged.get(code, ZERO) + line.signed
            vat_lines.setdefault(code, []).append(index)
        else:
            bases.setdefault(code, []).append(index)
    for code, indexes in bases.items():
        shares = _share(charged.get(code, ZERO), [abs(lines[i].signed) for i in indexes])
        for index, share in zip(indexes, shares, strict=True):
            line = lines[index]
            rate = line.vat_rate if line.vat_rate is not None else context.vat_rates.get(code)
            result[index] = _vat_values(code, rate, share, side_amount(line.signed)[1])
    for code, indexes in vat_lines.items():
        if code in bases:
            continue  # shown on the lines it was charged on
        for index in indexes:  # VAT without a base in this entry (a correction): shown on itself
            line = lines[index]
            rate = line.vat_rate if line.vat_rate is not None else context.vat_rates.get(code)
            result[index] = _vat_values(code, rate, line.signed, side_amount(line.signed)[1])
    return result
