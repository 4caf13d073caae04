"""Restore jobs still waiting for their upload since before a moment: what the sweeper expires.

A Scan, filtered on the server: the sweeper runs hourly and the table holds a month of jobs (TTL),
so a scan costs little next to keeping an index of waiting jobs in every write of the job store.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.conditions import Attr

from kluis.jobs.lifecycle import Kind, Status
from kluis.storage.jobs import JOB_PREFIX


class StaleRestores:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def waiting_since_before(self, cutoff_iso: str) -> Iterator[tuple[str, str]]:
        """(customer, job id) of every restore awaiting its upload, created before `cutoff_iso`."""
        scan: dict[str, Any] = {
            "FilterExpression": Attr("sk").begins_with(JOB_PREFIX)
            & Attr("kind").eq(str(Kind.RESTORE))
            & Attr("status").eq(str(Status.AWAITING_UPLOAD))
            & Attr("created_at").lt(cutoff_iso),
            "ProjectionExpression": "pk, sk",
        }
        while True:
            page = self.table.scan(**scan)
            for item in page.get("Items", []):
                yield str(item["pk"]), str(item["sk"])[len(JOB_PREFIX) :]
            if "LastEvaluatedKey" not in page:
                return
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
