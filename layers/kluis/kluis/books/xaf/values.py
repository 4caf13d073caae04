"""Values as the XAF schemas accept them: text cleaned and clipped, identifiers, amounts, codes.

Real records break the XSD in a few ways, always the same ones: control characters (which XML
1.0 forbids outright), texts longer than the element allows (names, postal codes), identifiers
over 35 characters, amounts with more than two decimals. Each is mapped here, once, so every
element of every version gets the same treatment.
"""

from __future__ import annotations

import hashlib
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
IDENT_LENGTH = 35
# Amount2decimals has at most 20 digits, 2 of them after the point.
AMOUNT_LIMIT = Decimal(10) ** 18
# Decimal8: at most 8 digits, 3 after the point, never negative.
PERCENT_LIMIT = Decimal("99999.999")

# C0 and C1 controls (tab and newlines too: every XAF text is one line), and what XML 1.0 cannot
# carry at all: lone surrogates (json.loads makes them from "\ud800") and U+FFFE/U+FFFF.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")

# The codes XAF 3.2 enumerates (ISO 3166 and ISO 4217 as of 2014); XAF 4.0 takes any two letters
# for a country and any three for a currency, so a code from these lists is valid in both.
_COUNTRY_CODES = (
    "AD AE AF AG AI AL AM AN AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CS CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA "
    "LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY "
    "MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS "
    "RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM "
    "TN TO TR TT TV TW TZ UA UG UK UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
)
_CURRENCY_CODES = (
    "AED AFA ALL AMD ANG AOA ARS AUD AWG AZM BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYR "
    "BZD CAD CDF CHF CLP CNY COP CRC CSD CUP CVE CYP CZK DJF DKK DOP DZD EEK EGP ERN ETB EUR FJD FKP "
    "GBP GEL GGP GHC GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS IMP INR IQD IRR ISK JEP JMD JOD "
    "JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LTL LVL LYD MAD MDL MGA MKD MMK MNT "
    "MOP MRO MTL MUR MVR MWK MXN MYR MZM NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR "
    "ROL RUR RWF SAR SBD SCR SDD SEK SGD SHP SIT SKK SLL SOS SPL SRD STD SVC SYP SZL THB TJS TMM TND "
    "TOP TRL TTD TVD TWD TZS UAH UGX USD UYU UZS VEB VND VUV WST XAF XCD XOF XPF YER ZAR ZMK ZWD ZZZ"
)
COUNTRIES = frozenset(_COUNTRY_CODES.split())
CURRENCIES = frozenset(_CURRENCY_CODES.split())
DEFAULT_CURRENCY = "EUR"
# XAF's own "no known currency": better than claiming euros for an amount in something else.
UNKNOWN_CURRENCY = "ZZZ"


def clean(value: str) -> str:
    """A text XML 1.0 can carry: controls become spaces, what it cannot carry becomes U+FFFD."""
    if _CONTROLS.search(value):
        value = _CONTROLS.sub(" ", value)
    if _NOT_XML.search(value):
        value = _NOT_XML.sub("\ufffd", value)
    return value.strip()


def text(value: str | None, limit: int | None = None) -> str:
    """Cleaned, and clipped to `limit` characters (the XSD's maxLength counts characters)."""
    if not value:
        return ""
    value = clean(value)
    if limit is not None and len(value) > limit:
        value = value[:limit].rstrip()
    return value


def postal_code(value: str | None, limit: int = 10) -> str:
    """A postal code that fits: spaces go first ("1234 AB" stays, "SW1A 1AA 123" loses them)."""
    value = text(value)
    if len(value) > limit:
        value = _SPACES.sub("", value)
    return value[:limit]


def ident(value: str | None) -> str:
    """An identifier of at most 35 characters that stays unique: a longer one keeps its start and
    gets a short hash of the whole, so two long ids that share their first 35 characters differ."""
    value = text(value)
    if len(value) <= IDENT_LENGTH:
        return value
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{value[: IDENT_LENGTH - 9].rstrip()}~{digest}"


def cents(value: Decimal) -> Decimal:
    """The amount as the auditfile states it: two decimals, half up (the records' amounts are cents
    already; this guards the XSD). Totals are sums of these, so they agree with the lines."""
    try:
        rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        rounded = AMOUNT_LIMIT  # beyond what Decimal's context holds: refused just below
    if abs(rounded) >= AMOUNT_LIMIT:
        raise ValueError(f"amount {value} does not fit an auditfile (20 digits)")
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never "-0.00"


def amount(value: Decimal) -> str:
    return format(cents(value), "f")


def percentage(value: Decimal | None) -> str:
    rate = Decimal(0) if value is None else max(Decimal(0), min(PERCENT_LIMIT, value))
    return format(rate.quantize(MILLI, rounding=ROUND_HALF_UP), "f")


def country(value: str | None) -> str | None:
    code = text(value).upper()
    return code if code in COUNTRIES else None


def currency(value: str | None) -> str:
    code = text(value).upper()
    if not code:
        return DEFAULT_CURRENCY
    return code if code in CURRENCIES else UNKNOWN_CURRENCY
