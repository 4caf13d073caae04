"""The audit log in the jobs table, and its export to a bucket under Object Lock.

Items: `pk = customer`, `sk = audit#{seq:012d}` per record, and `sk = audit#head` holding how far
the log has been exported. Appending reads the customer's last record and writes the next one with a
conditional put (`attribute_not_exists`): of two appends racing for the same number exactly one is
written, the other reads the new last record and tries the next number. So the chain has no gaps and
no forks, and a single-item conditional write is all it needs. Records never expire (no `expires_at`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from kluis.audit import GENESIS, Entry, Record, seal
from kluis.storage.dynamo import plain, to_dynamo

PREFIX = "audit#"
# pk of the list of customers with a log, which the export reads instead of scanning the table
# (customers are digits, so no customer's items share it).
REGISTRY = "audit-log"
HEAD = PREFIX + "head"
FIRST, LAST = 1, 10**12 - 1
APPEND_ATTEMPTS = 50


class AuditLog:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def append(self, entry: Entry) -> Record:
        for _ in range(APPEND_ATTEMPTS):
            last = next(self.records(entry.customer, newest_first=True, limit=1), None)
            seq, previous = (last.seq, last.hash) if last else (0, GENESIS)
            record = seal(entry, seq + 1, datetime.now(UTC).isoformat(timespec="milliseconds"), previous)
            item = to_dynamo(record.model_dump(mode="json", exclude_none=True))
            if last is None:  # listed before the first record, so a crash between leaves none unlisted
                self.table.put_item(Item={"pk": REGISTRY, "sk": record.customer})
            try:
                self.table.put_item(
                    Item=item | {"pk": record.customer, "sk": _sk(record.seq)},
                    ConditionExpression=Attr("pk").not_exists(),
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                continue
            return record
        raise RuntimeError(f"the audit log of {entry.customer}: too many concurrent appends")

    def records(
        self, customer: str, *, newest_first: bool = False, after: int = 0, limit: int | None = None
    ) -> Iterator[Record]:
        """The customer's records in sequence order (or newest first), from `after` + 1 on."""
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(customer) & Key("sk").between(_sk(after + 1), _sk(LAST)),
            "ScanIndexForward": not newest_first,
            "ConsistentRead": True,
        }
        count = 0
        while True:
            page = self.table.query(**query)
            for item in page.get("Items", []):
                yield Record.model_validate({k: v for k, v in plain(item).items() if k not in ("pk", "sk")})
                count += 1
                if limit is not None and count >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def exported(self, customer: str) -> int:
        """How far the customer's log has been exported (0: not at all)."""
        item = self.table.get_item(Key={"pk": customer, "sk": HEAD}, ConsistentRead=True).get("Item") or {}
        return int(item.get("exported", 0))

    def mark_exported(self, customer: str, seq: int) -> None:
        self.table.put_item(Item={"pk": customer, "sk": HEAD, "exported": seq})

    def customers(self) -> list[str]:
        """Customers with an audit log (the export's and operators' list)."""
        query: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(REGISTRY)}
        found: list[str] = []
        while True:
            page = self.table.query(**query)
            found += [str(item["sk"]) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def export_lines(records: list[Record]) -> bytes:
    """JSON Lines of records, as the export writes them to the Object Lock bucket."""
    return b"".join(json.dumps(r.model_dump(mode="json"), sort_keys=True).encode() + b"\n" for r in records)


def _sk(seq: int) -> str:
    return f"{PREFIX}{seq:012d}"
