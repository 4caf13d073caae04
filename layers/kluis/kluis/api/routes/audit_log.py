"""/audit-log: the customer's own log (the page's "Logboek"), newest first, per administration/year."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router

from kluis.api.auth import customer, resources_of
from kluis.api.query import ScopeFilter

router = Router()
MAX_SHOWN = 200
MAX_READ = 5000  # records looked at for one answer: a filter on a rare administration stops here


@router.get("/audit-log")
def audit_log() -> dict[str, Any]:
    """The latest records (at most 200), optionally of one administration/year (?administration=&year=)."""
    only = ScopeFilter.of(router)
    shown = []
    records = resources_of(router).audit.records(customer(router), newest_first=True, limit=MAX_READ)
    for record in records:
        if not only.admits(record.administration, record.year):
            continue
        shown.append(record.view())
        if len(shown) >= MAX_SHOWN:
            break
    return {"records": shown}
