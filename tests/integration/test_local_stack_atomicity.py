"""The local stack's writes are atomic as AWS's are: a conditional write's check and its write are one
step against every concurrent request, and no reader ever sees a write half-applied.

DynamoDB applies each PutItem, UpdateItem, DeleteItem and TransactWriteItems as one step (Developer
Guide, "Condition expressions": the condition is evaluated against the item as it is *when the write
is applied*; "Read consistency": a strongly consistent read returns the item with every write that
succeeded before it). S3's conditional writes are the same (User Guide, "Conditional writes": of
concurrent writes with If-None-Match, one succeeds and the others get 412; with If-Match, a write
whose ETag has changed gets 412). moto's server answers on many threads and checks, then writes, with
nothing between the two (infra.local.atomic closes that gap); these races would show it.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.stack import REGION
from tests.integration.harness import Harness

pytestmark = pytest.mark.minutes(1)

THREADS = 24
ATTEMPTS_PER_THREAD = 8
RUNS = 10
# Many requests in flight from one client: one connection per thread, and no retry that could hide a
# lost write behind a second attempt.
RACING = Config(max_pool_connections=THREADS * 2, retries={"total_max_attempts": 1})


def dynamodb(harness: Harness) -> Any:
    import boto3

    return boto3.client("dynamodb", endpoint_url=harness.stack.endpoint, region_name=REGION, config=RACING)


def s3(harness: Harness) -> Any:
    import boto3

    from kluis.runtime.resources import S3_CONFIG

    return boto3.client(
        "s3", endpoint_url=harness.stack.endpoint, region_name=REGION, config=S3_CONFIG.merge(RACING)
    )


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Any:
    """The server and these clients share one interpreter: switching threads every microsecond (not
    every 5 ms) lets a request be interrupted anywhere, so a gap between a check and its write shows
    in every run instead of now and then."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def race(work: Callable[[int], Any], threads: int = THREADS) -> list[Any]:
    """Run `work(i)` on `threads` threads that start together; their results in order."""
    barrier = threading.Barrier(threads)

    def run(index: int) -> Any:
        barrier.wait()
        return work(index)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


CONDITION_FAILED = ("ConditionalCheckFailedException",)
PRECONDITION_FAILED = ("PreconditionFailed", "ConditionalRequestConflict")  # S3's 412 and 409


def succeeds(write: Callable[[], Any], *refusals: str) -> bool:
    """Whether `write` succeeded; False if it was refused with one of `refusals`, as a lost race is
    (any other error fails the test)."""
    try:
        write()
        return True
    except ClientError as error:
        assert error.response["Error"]["Code"] in refusals, error
        return False


@pytest.fixture(scope="module")
def table(harness: Harness) -> str:
    return harness.stack.name_of("JobsTable")


@pytest.fixture(scope="module")
def bucket(harness: Harness) -> str:
    return harness.stack.name_of("UploadsBucket")


def key(name: str) -> dict[str, Any]:
    return {"pk": {"S": "race"}, "sk": {"S": f"{name}#{uuid.uuid4().hex}"}}


# -- DynamoDB ---------------------------------------------------------------------------------------


def optimistic_increments(client: Any, table: str, item: dict[str, Any]) -> int:
    """Each thread reads the counter and writes counter+1 on the condition that it is still what it
    read; returns how many writes succeeded."""

    def work(_: int) -> int:
        won = 0
        for _ in range(ATTEMPTS_PER_THREAD):
            read = client.get_item(TableName=table, Key=item, ConsistentRead=True)["Item"]
            seen = int(read["v"]["N"])
            won += succeeds(
                lambda seen=seen: client.update_item(
                    TableName=table,
                    Key=item,
                    UpdateExpression="SET v = :new, previous = :seen",
                    ConditionExpression="v = :seen",
                    ExpressionAttributeValues={":new": {"N": str(seen + 1)}, ":seen": {"N": str(seen)}},
                ),
                *CONDITION_FAILED,
            )
        return won

    return sum(race(work))


def test_optimistic_increments_lose_no_update_in_ten_runs(harness: Harness, table: str):
    client = dynamodb(harness)
    for run in range(RUNS):
        item = key("increment")
        client.put_item(TableName=table, Item={**item, "v": {"N": "0"}})

        succeeded = optimistic_increments(client, table, item)

        final = int(client.get_item(TableName=table, Key=item, ConsistentRead=True)["Item"]["v"]["N"])
        assert succeeded > 0
        assert final == succeeded, f"run {run + 1}: {succeeded} conditional writes succeeded, counter {final}"


def test_a_reader_never_sees_an_update_half_applied(harness: Harness, table: str):
    """An update that sets `status` and `code` together (as a restore's move to awaiting-confirmation
    does) is seen whole or not at all, by GetItem and Query alike."""
    client = dynamodb(harness)
    item = key("pair")
    client.put_item(TableName=table, Item={**item, "status": {"S": "0"}, "code": {"S": "0"}})
    done = threading.Event()
    torn: list[dict[str, Any]] = []

    def write(_: int) -> None:
        for n in range(1, 150):
            client.update_item(
                TableName=table,
                Key=item,
                UpdateExpression="SET #s = :n, code = :n REMOVE gone",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":n": {"S": str(n)}},
            )
        done.set()

    def read(index: int) -> None:
        while not done.is_set():
            if index % 2:
                seen = client.get_item(TableName=table, Key=item, ConsistentRead=True)["Item"]
            else:
                found = client.query(
                    TableName=table,
                    KeyConditionExpression="pk = :pk AND sk = :sk",
                    ExpressionAttributeValues={":pk": item["pk"], ":sk": item["sk"]},
                    ConsistentRead=True,
                )["Items"]
                seen = found[0]
            if seen["status"] != seen.get("code"):
                torn.append(seen)

    race(lambda index: write(index) if index == 0 else read(index), threads=8)

    assert torn == []


def racing_creates(client: Any, table: str, item: dict[str, Any]) -> list[int]:
    """Every thread puts the item on the condition that it does not exist; the winners' indexes."""

    def create(index: int) -> bool:
        return succeeds(
            lambda: client.put_item(
                TableName=table,
                Item={**item, "by": {"N": str(index)}},
                ConditionExpression="attribute_not_exists(pk)",
            ),
            *CONDITION_FAILED,
        )

    return [index for index, won in enumerate(race(create)) if won]


def test_of_racing_creators_exactly_one_wins(harness: Harness, table: str):
    client = dynamodb(harness)
    for _ in range(RUNS):
        item = key("create")

        winners = racing_creates(client, table, item)

        assert len(winners) == 1
        stored = client.get_item(TableName=table, Key=item, ConsistentRead=True)["Item"]
        assert stored["by"]["N"] == str(winners[0])


def racing_deletes(client: Any, table: str, item: dict[str, Any]) -> int:
    """Every thread deletes the item on the condition that it exists; how many did."""

    def delete(_: int) -> bool:
        return succeeds(
            lambda: client.delete_item(TableName=table, Key=item, ConditionExpression="attribute_exists(pk)"),
            *CONDITION_FAILED,
        )

    return sum(race(delete))


def test_of_racing_conditional_deletes_exactly_one_deletes(harness: Harness, table: str):
    client = dynamodb(harness)
    for _ in range(RUNS):
        item = key("delete")
        client.put_item(TableName=table, Item={**item, "v": {"N": "1"}})

        assert racing_deletes(client, table, item) == 1


def test_transactions_move_a_total_between_two_items_without_losing_any(harness: Harness, table: str):
    """Each transaction moves one unit from `a` to `b`, conditional on both counts it read: the sum
    stays what it was, and every success is counted on both sides."""
    client = dynamodb(harness)
    a, b = key("tx-a"), key("tx-b")
    client.put_item(TableName=table, Item={**a, "v": {"N": "1000"}})
    client.put_item(TableName=table, Item={**b, "v": {"N": "0"}})

    def transfer(seen_a: int, seen_b: int) -> None:
        client.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": side,
                        "UpdateExpression": "SET v = :new",
                        "ConditionExpression": "v = :seen",
                        "ExpressionAttributeValues": {":new": {"N": str(new)}, ":seen": {"N": str(seen)}},
                    }
                }
                for side, seen, new in ((a, seen_a, seen_a - 1), (b, seen_b, seen_b + 1))
            ]
        )

    def move(_: int) -> int:
        won = 0
        for _ in range(ATTEMPTS_PER_THREAD):
            gets = [{"Get": {"TableName": table, "Key": side}} for side in (a, b)]
            read = client.transact_get_items(TransactItems=gets)["Responses"]
            va, vb = (int(r["Item"]["v"]["N"]) for r in read)
            won += succeeds(lambda va=va, vb=vb: transfer(va, vb), "TransactionCanceledException")
        return won

    succeeded = sum(race(move))

    final_a = int(client.get_item(TableName=table, Key=a, ConsistentRead=True)["Item"]["v"]["N"])
    final_b = int(client.get_item(TableName=table, Key=b, ConsistentRead=True)["Item"]["v"]["N"])
    assert (final_a, final_b) == (1000 - succeeded, succeeded)


# -- S3 ---------------------------------------------------------------------------------------------


def racing_new_puts(client: Any, bucket: str, name: str) -> list[int]:
    """Every thread puts the key if none is there (If-None-Match: *); the winners' indexes."""

    def put(index: int) -> bool:
        return succeeds(
            lambda: client.put_object(Bucket=bucket, Key=name, Body=str(index).encode(), IfNoneMatch="*"),
            *PRECONDITION_FAILED,
        )

    return [index for index, won in enumerate(race(put)) if won]


def test_of_racing_if_none_match_puts_exactly_one_is_stored(harness: Harness, bucket: str):
    client = s3(harness)
    for _ in range(RUNS):
        name = f"race/{uuid.uuid4().hex}"

        winners = racing_new_puts(client, bucket, name)

        assert len(winners) == 1
        assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == str(winners[0]).encode()


def test_optimistic_increments_by_if_match_lose_no_update(harness: Harness, bucket: str):
    client = s3(harness)
    name = f"race/{uuid.uuid4().hex}"
    client.put_object(Bucket=bucket, Key=name, Body=b"0")

    def work(_: int) -> int:
        won = 0
        for _ in range(ATTEMPTS_PER_THREAD):
            read = client.get_object(Bucket=bucket, Key=name)
            body, etag = str(int(read["Body"].read()) + 1).encode(), read["ETag"]
            won += succeeds(
                lambda body=body, etag=etag: client.put_object(
                    Bucket=bucket, Key=name, Body=body, IfMatch=etag
                ),
                *PRECONDITION_FAILED,
            )
        return won

    succeeded = sum(race(work))

    assert int(client.get_object(Bucket=bucket, Key=name)["Body"].read()) == succeeded


def racing_completions(client: Any, bucket: str, name: str, uploads: int = 8) -> list[int]:
    """`uploads` multipart uploads of the key, each of one part, completed at once with
    If-None-Match: *; the winners' indexes."""
    started = []
    for index in range(uploads):
        upload = client.create_multipart_upload(Bucket=bucket, Key=name)["UploadId"]
        etag = client.upload_part(
            Bucket=bucket, Key=name, UploadId=upload, PartNumber=1, Body=str(index).encode()
        )["ETag"]
        started.append((upload, etag))

    def complete(index: int) -> bool:
        upload, etag = started[index]
        return succeeds(
            lambda: client.complete_multipart_upload(
                Bucket=bucket,
                Key=name,
                UploadId=upload,
                MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
                IfNoneMatch="*",
            ),
            *PRECONDITION_FAILED,
        )

    return [index for index, won in enumerate(race(complete, threads=uploads)) if won]


def test_of_racing_multipart_completions_with_if_none_match_exactly_one_is_stored(
    harness: Harness, bucket: str
):
    client = s3(harness)
    for _ in range(3):
        name = f"race/{uuid.uuid4().hex}"

        winners = racing_completions(client, bucket, name)

        assert len(winners) == 1
        assert client.get_object(Bucket=bucket, Key=name)["Body"].read() == str(winners[0]).encode()
