"""The local stack fails requests as AWS fails them, when asked (infra/local/faults.py).

Each transient fault is the service's own answer: the status, the error code botocore reads, a
request id. The product's code treats every one of them as worth retrying (kluis.transient),
its SDK clients retry them, and only the product's own requests are ever failed: never the stack's
set-up, the tests' harness or a browser's presigned request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.faults import FAULTS, INTERPRETER_KEY, Fault
from kluis.runtime.resources import S3_CONFIG
from kluis.transient import is_transient
from tests.integration.harness import Harness

ONCE = Config(retries={"mode": "standard", "total_max_attempts": 1})


def a_request_of(harness: Harness, service: str) -> Callable[[Any], Any]:
    """A call of `service` as the product makes it (a function's role, or the Step Functions
    interpreter for Lambda), given a client config."""
    stack = harness.stack
    if service == "lambda":

        def invoke(config: Any) -> Any:
            client = boto3.client(
                "lambda",
                endpoint_url=stack.endpoint,
                region_name="eu-west-1",
                aws_access_key_id=INTERPRETER_KEY,
                aws_secret_access_key="sk",
                config=config,
            )
            return client.invoke(FunctionName=stack.name_of("JobFailedFunction"), Payload=b"{}")

        return invoke
    principal = {"s3": "BuildBackupFunction", "dynamodb": "ApiFunction", "states": "ApiFunction"}
    calls = {
        "s3": lambda c: c.list_objects_v2(Bucket=stack.name_of("ArchivesBucket"), Prefix="checkpoints/"),
        "dynamodb": lambda c: c.describe_table(TableName=stack.name_of("JobsTable")),
        "states": lambda c: c.list_state_machines(),
        "kms": lambda c: c.list_keys(),
    }
    name = {"states": "stepfunctions"}.get(service, service)
    who = principal.get(service, "BuildBackupFunction")
    return lambda config: calls[service](
        stack.client_as(who, name) if config is None else _client(stack, who, name, config)
    )


def _client(stack: Any, principal: str, service: str, config: Config) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.endpoint,
        region_name="eu-west-1",
        config=config,
        **stack.credentials_of(principal),
    )


FAULT_LIST = [fault for faults in FAULTS.values() for fault in faults]


@pytest.mark.parametrize(
    "fault", FAULT_LIST, ids=[f"{f.service}-{f.code.rsplit('#', 1)[-1]}" for f in FAULT_LIST]
)
def test_each_fault_is_the_services_own_answer_and_a_transient_one(harness: Harness, fault: Fault):
    planned = harness.stack.faults.plan(fault.service, fault=fault)
    calls_before = len(harness.stack.runtime.calls)
    with pytest.raises(ClientError) as raised:
        a_request_of(harness, fault.service)(ONCE)
    answer = raised.value.response
    assert answer["Error"]["Code"] == fault.code.rsplit("#", 1)[-1]
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == fault.status
    assert answer["ResponseMetadata"]["RequestId"]
    assert is_transient(raised.value)
    assert planned.answered == 1
    assert len(harness.stack.runtime.calls) == calls_before  # a refused invocation ran nothing


def test_the_products_clients_retry_a_fault_and_the_stack_counts_the_retries(harness: Harness):
    before = harness.stack.faults.counts.retries
    planned = harness.stack.faults.plan("s3", times=2)
    s3 = _client(harness.stack, "BuildBackupFunction", "s3", S3_CONFIG)  # as every function's client
    key = f"checkpoints/faults-{uuid.uuid4().hex}.json"
    s3.put_object(Bucket=harness.stack.name_of("ArchivesBucket"), Key=key, Body=b"{}")
    assert planned.answered == 2
    assert harness.stack.faults.counts.retries - before >= 2


def test_the_harness_and_the_browser_are_never_failed(harness: Harness):
    bucket = harness.stack.name_of("ArchivesBucket")
    key = f"checkpoints/faults-{uuid.uuid4().hex}.json"
    harness.stack.client("s3").put_object(Bucket=bucket, Key=key, Body=b"{}")
    planned = harness.stack.faults.plan("s3", lambda environ: key in environ.get("PATH_INFO", ""))
    harness.stack.client("s3").get_object(Bucket=bucket, Key=key)  # the stack's own key
    url = _client(harness.stack, "BuildBackupFunction", "s3", S3_CONFIG).generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}
    )
    assert requests.get(url, timeout=10).status_code == 200  # a browser's presigned GET
    assert planned.answered == 0
    with pytest.raises(ClientError):
        _client(harness.stack, "BuildBackupFunction", "s3", S3_CONFIG.merge(ONCE)).get_object(
            Bucket=bucket, Key=key
        )
    assert planned.answered == 1
