"""Per-administration/year locks in the jobs table: a conditional write with a lease.

A restore's apply and a backup's build of the same administration/year never interleave, nor do
two restores. A lock whose lease ran out (its holder died) may be taken over; its holder renews
the lease while it works. Items: pk = customer, sk = "lock#{administration}#{year}".
"""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from kluis.errors import KluisError
from kluis.scope import Scope


class LockBusy(KluisError):
    """Another job holds the administration/year; retry later (the state machines do)."""

    default_code = "lock.busy"
    http_status = 409


class Locks:
    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self.table = dynamodb.Table(table_name)

    @staticmethod
    def _key(scope: Scope) -> dict[str, str]:
        return {"pk": scope.customer, "sk": f"lock#{scope.lock_name}"}

    def acquire(
        self, scope: Scope, owner: str, lease_seconds: int, *, busy: str = LockBusy.default_code
    ) -> None:
        """Take (or renew) the lock for `owner`; LockBusy if another owner's lease still runs.

        `busy` is the reason the LockBusy carries: the caller knows what could not start.
        """
        now = int(time.time())
        condition = Attr("pk").not_exists() | Attr("owner").eq(owner) | Attr("lease_until").lt(now)
        try:
            self.table.put_item(
                Item={
                    **self._key(scope),
                    "owner": owner,
                    "lease_until": now + lease_seconds,
                    "expires_at": now + 86400,
                },
                ConditionExpression=condition,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise LockBusy(busy) from error
            raise

    def release(self, scope: Scope, owner: str) -> None:
        """Release if still ours; a lock taken over after our lease ran out is left alone."""
        try:
            self.table.delete_item(Key=self._key(scope), ConditionExpression=Attr("owner").eq(owner))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def holder(self, scope: Scope) -> str | None:
        item = self.table.get_item(Key=self._key(scope), ConsistentRead=True).get("Item")
        if not item or int(item["lease_until"]) < time.time():
            return None
        return str(item["owner"])
