"""How many backups and restores may start per hour, per customer and per administration/year.

A counter per clock hour in the jobs table (`pk = customer`, `sk = limit#{what}#{hour}`), raised by a
conditional update that holds only below the limit: two requests racing for the last slot cannot
both get it. Counters expire a day after their hour. A request over a limit is refused with 429 and
the moment the next hour starts, when it may try again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from kluis.errors import KluisError

HOUR = 3600


class LimitReached(KluisError):
    """Too many of these started this hour; try again from `retry_at`."""

    default_code = "limit.backups_per_customer"
    http_status = 429

    def __init__(self, code: str, limit: int, retry_at: int) -> None:
        moment = datetime.fromtimestamp(retry_at, UTC).isoformat(timespec="seconds")
        super().__init__(code, limit=limit, retryAt=moment)
        self.retry_after = max(1, retry_at - int(time.time()))


class RateLimits:
    def __init__(self, dynamodb: Any, table_name: str, clock: Callable[[], float] = time.time) -> None:
        self.table = dynamodb.Table(table_name)
        self.clock = clock

    def take(self, customer: str, what: str, limit: int, code: str) -> None:
        """Count one more `what` this hour for `customer` (LimitReached if `limit` are counted)."""
        hour = int(self.clock()) // HOUR * HOUR
        try:
            self.table.update_item(
                Key={"pk": customer, "sk": f"limit#{what}#{hour}"},
                UpdateExpression="ADD #count :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": 1, ":limit": limit, ":expires": hour + HOUR + 86400},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LimitReached(code, limit, hour + HOUR) from error
            raise
