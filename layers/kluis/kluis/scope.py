"""The unit a user backs up and restores: customer/administration/fiscal year, validated."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kluis.errors import KluisError
from kluis.reasons import shown

# fullmatch, and ASCII digits only: `$` lets a final newline through, and `\d` takes any script's digits.
CUSTOMER_PATTERN = re.compile(r"[0-9]{1,10}")
ADMINISTRATION_PATTERN = re.compile(r"[0-9]{5}")
YEAR_PATTERN = re.compile(r"(19|20|21)[0-9]{2}")


class InvalidScope(KluisError):
    """A customer, administration or fiscal year that is not well formed."""

    default_code = "scope.invalid_customer"


def _check(value: object, pattern: re.Pattern[str], code: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise InvalidScope(code, value=shown(str(value)))
    return value


def check_customer(value: object) -> str:
    return _check(value, CUSTOMER_PATTERN, "scope.invalid_customer")


def check_administration(value: object) -> str:
    return _check(value, ADMINISTRATION_PATTERN, "scope.invalid_administration")


def check_year(value: object) -> str:
    return _check(value, YEAR_PATTERN, "scope.invalid_year")


@dataclass(frozen=True, order=True)
class Scope:
    """customer/administration/year; constructing one validates all three parts."""

    customer: str
    administration: str
    year: str

    def __post_init__(self) -> None:
        check_customer(self.customer)
        check_administration(self.administration)
        check_year(self.year)

    @classmethod
    def parse(cls, text: str) -> Scope:
        """The scope `str(scope)` wrote: customer/administration/year."""
        parts = text.split("/")
        if len(parts) != 3:
            raise InvalidScope("scope.invalid_customer", value=shown(text))
        return cls(*parts)

    @property
    def prefix(self) -> str:
        """The data-bucket prefix under which this administration/year lives."""
        return f"data/{self.customer}/{self.administration}/{self.year}/"

    @property
    def lock_name(self) -> str:
        return f"{self.administration}#{self.year}"

    def __str__(self) -> str:
        return f"{self.customer}/{self.administration}/{self.year}"

    def backup_filename(self) -> str:
        """The name the browser saves a backup under; the archive's identity is in its manifest."""
        return f"{self.customer} - {self.administration} - {self.year} - Backup.zip"

    def auditfile_filename(self, version: str = "4.0") -> str:
        """The name the browser saves an auditfile made on request under (kluis.flows.auditfiles)."""
        return f"{self.customer} - {self.administration} - {self.year} - Auditfile XAF {version}.xaf"


class NoSuchScope(KluisError):
    """The administration/year does not exist or holds no data (no live generation)."""

    default_code = "scope.not_found"
    http_status = 404
