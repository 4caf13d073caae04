"""The unit a user backs up and restores: customer/administration/fiscal year, validated."""

from __future__ import annotations

import re
from dataclasses import dataclass

CUSTOMER_PATTERN = re.compile(r"^[0-9]{1,10}$")
ADMINISTRATION_PATTERN = re.compile(r"^[0-9]{5}$")
YEAR_PATTERN = re.compile(r"^(19|20|21)[0-9]{2}$")


class InvalidScope(ValueError):
    """A customer, administration or fiscal year that is not well formed."""


def _check(value: object, pattern: re.Pattern[str], what: str, example: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise InvalidScope(f"{what} must look like {example!r}, got {value!r}")
    return value


def check_customer(value: object) -> str:
    return _check(value, CUSTOMER_PATTERN, "customer number", "10234")


def check_administration(value: object) -> str:
    return _check(value, ADMINISTRATION_PATTERN, "administration number (5 digits)", "00017")


def check_year(value: object) -> str:
    return _check(value, YEAR_PATTERN, "fiscal year (4 digits)", "2025")


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
        """The name the browser saves a backup under (DESIGN.md: the identity is in the manifest)."""
        return f"{self.customer} - {self.administration} - {self.year} - Backup.zip"
