"""A customer's request to have administrations/years restored from the system backups, and its price.

POST /system-restore-requests   the customer records a request (items, point in time, note) and is
                                told what it costs; nothing is restored by the API (operators
                                fulfil it, `kluis.flows.system_restore.fulfilment`)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from kluis.errors import KluisError
from kluis.jobs.model import RequestItem, SystemRestoreRequest, new_job_id
from kluis.reasons import shown
from kluis.scope import check_administration, check_year
from kluis.storage.requests import RequestStore
from kluis.storage.versions import iso

MAX_ITEMS = 20
MAX_NOTE = 1000
CURRENCY = "EUR"


class InvalidRequest(KluisError):
    """A request a customer may not file (the reason says why)."""

    default_code = "system_restore.item_count"


def parse_point_in_time(value: str, now: datetime, retention_days: int) -> datetime:
    """An ISO 8601 moment with a time zone, in the past, and within the versions' retention."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest("system_restore.point_in_time_format", value=shown(value)) from error
    if moment.tzinfo is None:
        raise InvalidRequest("system_restore.point_in_time_zone")
    moment = moment.astimezone(UTC)
    if moment >= now:
        raise InvalidRequest("system_restore.point_in_time_future")
    if moment < now - timedelta(days=retention_days):
        raise InvalidRequest("system_restore.point_in_time_too_old", days=retention_days)
    return moment


def check_items(items: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Well-formed administration/years, 1 to MAX_ITEMS of them, none twice (InvalidScope otherwise)."""
    checked = [(check_administration(administration), check_year(year)) for administration, year in items]
    if not 1 <= len(checked) <= MAX_ITEMS:
        raise InvalidRequest("system_restore.item_count", limit=MAX_ITEMS)
    if len(set(checked)) != len(checked):
        raise InvalidRequest("system_restore.duplicate_item")
    return checked


def costs(price_cents: int, count: int) -> dict[str, Any]:
    """The costs rule as the customer is told it; the operator invoices from the same numbers."""
    price, total = price_cents / 100, price_cents * count / 100
    return {
        "currency": CURRENCY,
        "pricePerItemCents": price_cents,
        "items": count,
        "totalCents": price_cents * count,
        "rule": f"A restore from a system backup is charged at EUR {price:.2f} per administration and "
        f"fiscal year; this request comes to EUR {total:.2f}.",
    }


def pricing(price_cents: int, retention_days: int) -> dict[str, Any]:
    """The costs rule before anything is requested: shown first, so nobody files unawares."""
    return {
        "currency": CURRENCY,
        "pricePerItemCents": price_cents,
        "retentionDays": retention_days,
        "rule": f"A restore from a system backup is charged at EUR {price_cents / 100:.2f} per "
        f"administration and fiscal year. Points in time up to {retention_days} days back can be restored.",
    }


def public_view(request: SystemRestoreRequest) -> dict[str, Any]:
    """What the customer sees: no version ids, generations or operator notes."""
    return {
        "requestId": request.request_id,
        "status": str(request.status),
        "pointInTime": request.point_in_time,
        "note": request.note,
        "items": [item.view() for item in request.items],
        "createdAt": request.created_at,
        "updatedAt": request.updated_at,
        "costs": costs(request.price_cents, len(request.items)),
    }


def file_request(
    requests: RequestStore,
    customer: str,
    items: Iterable[tuple[str, str]],
    point_in_time: str,
    note: str,
    *,
    price_cents: int,
    retention_days: int,
    now: datetime | None = None,
) -> SystemRestoreRequest:
    """Record a customer's request; the price is fixed now, so a later price change is not retroactive."""
    if len(note) > MAX_NOTE:
        raise InvalidRequest("system_restore.note_too_long", limit=MAX_NOTE)
    moment = parse_point_in_time(point_in_time, now or datetime.now(UTC), retention_days)
    request = SystemRestoreRequest(
        request_id=new_job_id(),
        customer=customer,
        point_in_time=iso(moment),
        items=tuple(RequestItem(administration=a, year=y) for a, y in check_items(items)),
        note=note,
        price_cents=price_cents,
        currency=CURRENCY,
    )
    return requests.create(request)
