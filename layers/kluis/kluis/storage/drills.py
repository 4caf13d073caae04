"""Drill results in the jobs table, under `pk = "ops"`: customers are digits only, so none can read them."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Key

from kluis.storage.dynamo import plain, to_dynamo

DRILL_PK = "ops"
DRILL_PREFIX = "drill#"
KEEP_DAYS = 400


class DrillLog:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def record(self, drill_id: str, result: dict[str, Any]) -> None:
        item = {"pk": DRILL_PK, "sk": DRILL_PREFIX + drill_id, **result}
        self.table.put_item(Item=to_dynamo(item | {"expires_at": int(time.time()) + KEEP_DAYS * 86400}))

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(DRILL_PK) & Key("sk").begins_with(DRILL_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
        )
        hidden = ("pk", "sk", "expires_at")
        return [plain({k: v for k, v in item.items() if k not in hidden}) for item in page["Items"]]
