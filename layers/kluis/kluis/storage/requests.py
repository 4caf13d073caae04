"""Requests for a restore from the system backups, in the jobs table: `pk = customer`, `sk = request#{id}`.

A customer reads only their own; operators scan all. Status changes of a request and of each of its
items are conditional writes on the moves `kluis.jobs.lifecycle` declares.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from kluis.errors import KluisError
from kluis.jobs.lifecycle import ItemStatus, Kind, Status, item_sources, sources
from kluis.jobs.model import FulfilmentRun, RequestItem, SystemRestoreRequest, is_job_id, now_iso
from kluis.storage.dynamo import to_dynamo

REQUEST_PREFIX = "request#"


class RequestNotFound(KluisError):
    default_code = "system_restore.request_not_found"
    http_status = 404


class RequestBusy(KluisError):
    """The request is being fulfilled already (or moved meanwhile)."""

    default_code = "system_restore.busy"
    http_status = 409


def _key(customer: str, request_id: str) -> dict[str, str]:
    return {"pk": customer, "sk": REQUEST_PREFIX + request_id}


def _from_item(item: dict[str, Any]) -> SystemRestoreRequest:
    return SystemRestoreRequest.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


class RequestStore:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    def create(self, request: SystemRestoreRequest) -> SystemRestoreRequest:
        item = to_dynamo(request.model_dump(mode="json", exclude_none=True))
        self.table.put_item(
            Item=item | _key(request.customer, request.request_id),
            ConditionExpression=Attr("pk").not_exists(),
        )
        return request

    def get(self, customer: str, request_id: str) -> SystemRestoreRequest:
        if not is_job_id(request_id):
            raise RequestNotFound()
        item = self.table.get_item(Key=_key(customer, request_id), ConsistentRead=True).get("Item")
        if not item:
            raise RequestNotFound()
        return _from_item(item)

    def of_customer(self, customer: str, limit: int = 50) -> list[SystemRestoreRequest]:
        """The customer's requests, newest first."""
        page = self.table.query(
            KeyConditionExpression=Key("pk").eq(customer) & Key("sk").begins_with(REQUEST_PREFIX),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_from_item(item) for item in page.get("Items", [])]

    def all(self, status: Status | None = None) -> list[SystemRestoreRequest]:
        """Every customer's requests, for operators. A Scan: requests are few, and this is no hot path."""
        condition = Attr("sk").begins_with(REQUEST_PREFIX)
        if status:
            condition = condition & Attr("status").eq(str(status))
        scan: dict[str, Any] = {"FilterExpression": condition}
        found: list[SystemRestoreRequest] = []
        while True:
            page = self.table.scan(**scan)
            found.extend(_from_item(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return sorted(found, key=lambda request: request.request_id, reverse=True)

    def find(self, request_id: str) -> SystemRestoreRequest:
        for request in self.all():
            if request.request_id == request_id:
                return request
        raise RequestNotFound()

    def begin(self, request: SystemRestoreRequest, execution: str, source: str) -> SystemRestoreRequest:
        """Mark the request in progress, once: two operators cannot fulfil it at the same time."""
        run = FulfilmentRun(execution=execution, source=source, started_at=now_iso())
        return self._move(
            request,
            Status.IN_PROGRESS,
            "fulfilments = list_append(fulfilments, :run)",
            {":run": [run.model_dump(mode="json")]},
        )

    def finish(self, request: SystemRestoreRequest, status: Status) -> SystemRestoreRequest:
        return self._move(request, status)

    def _move(
        self, request: SystemRestoreRequest, to: Status, extra: str = "", values: dict[str, Any] | None = None
    ) -> SystemRestoreRequest:
        allowed = [str(s) for s in sources(Kind.SYSTEM_RESTORE, to)]
        try:
            response = self.table.update_item(
                Key=_key(request.customer, request.request_id),
                UpdateExpression="SET #status = :to, updated_at = :now" + (f", {extra}" if extra else ""),
                ConditionExpression=Attr("status").is_in(allowed),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":to": str(to), ":now": now_iso(), **(values or {})},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RequestBusy(request=request.request_id) from error
            raise
        return _from_item(response["Attributes"])

    def move_item(self, request: SystemRestoreRequest, index: int, item: RequestItem) -> None:
        """Replace one item only, if its status allows the move: the Map runs items in parallel."""
        allowed = [str(s) for s in item_sources(ItemStatus(item.status))]
        try:
            self.table.update_item(
                Key=_key(request.customer, request.request_id),
                UpdateExpression=f"SET #items[{int(index)}] = :item, updated_at = :now",
                ConditionExpression=Attr(f"items[{int(index)}].status").is_in(allowed),
                ExpressionAttributeNames={"#items": "items"},
                ExpressionAttributeValues={
                    ":item": to_dynamo(item.model_dump(mode="json", exclude_none=True)),
                    ":now": now_iso(),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RequestBusy(request=request.request_id) from error
            raise
