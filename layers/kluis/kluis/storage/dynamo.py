"""DynamoDB's number type, in both directions: it stores Decimals, and refuses Python floats."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any


def to_dynamo(value: Any) -> Any:
    """A JSON-like value as DynamoDB takes it: floats as Decimal, enums as their strings."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_dynamo(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """A value as DynamoDB gives it, with its Decimals as ints (or floats where not whole)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
