"""Every AWS call each principal makes is allowed by its policies, as AWS would decide it.

Table-driven over the catalogue (calls.json, recorded from the integration tests' code paths), the
state machines' tasks and S3 replication; each call expands into the requests IAM and KMS evaluate,
including what S3 and DynamoDB ask KMS on the caller's behalf (calls.py), and each request is judged
by the evaluator (evaluator.py) against the deployed template's identity policies, bucket policies
and key policies (deployment.py).
"""

from __future__ import annotations

import pytest

from tests.policy.calls import (
    Call,
    failure_destination_calls,
    load_catalogue,
    machines_waiting_for_task_tokens,
    replication_requests,
    requests,
    state_machine_calls,
)
from tests.policy.deployment import Deployment
from tests.policy.evaluator import Request, Verdict, evaluate, evaluate_kms

DEPLOYMENT = Deployment()


def judge(deployment: Deployment, principal: str, request: Request) -> Verdict:
    identity = deployment.principals[principal].policies
    if request.action.startswith("kms:"):
        return evaluate_kms(request, identity, deployment.key_policies[request.resource])
    resource_policy = None
    if request.action.startswith("s3:"):
        bucket = request.resource.split(":::", 1)[1].split("/", 1)[0]
        resource_policy = deployment.bucket_policies.get(bucket)
    return evaluate(request, identity, resource_policy)


def expand(deployment: Deployment, call: Call) -> list[Call]:
    """A task-token answer names no state machine: it may answer any machine that waits for one."""
    if call.resource != "{task-token}":
        return [call]
    waiting = machines_waiting_for_task_tokens(deployment)
    assert waiting, "a task token with no state machine waiting for one"
    return [Call(**(call.as_dict() | {"resource": machine})) for machine in waiting]


def explain(request: Request, verdict: Verdict) -> str:
    return (
        f"{request.why}\n  {request.action} on {request.resource}\n"
        f"  context {dict(request.context)}\n  {verdict.decision}"
    )


CALLS = sorted(
    set(load_catalogue()) | set(state_machine_calls(DEPLOYMENT)) | set(failure_destination_calls(DEPLOYMENT))
)


def test_the_catalogue_covers_every_function_and_state_machine():
    principals = {call.principal for call in CALLS}
    functions = set(DEPLOYMENT.main.resources("AWS::Serverless::Function", "AWS::Serverless::StateMachine"))
    assert functions <= principals, f"no calls recorded for {sorted(functions - principals)}"
    assert "OperatorRole" in principals


@pytest.mark.parametrize(
    "call", CALLS, ids=lambda c: f"{c.principal}:{c.service}.{c.operation}:{c.resource}:{c.key}"
)
def test_each_call_is_allowed_with_what_aws_asks_on_its_behalf(call):
    for each in expand(DEPLOYMENT, call):
        for request in requests(DEPLOYMENT, each):
            verdict = judge(DEPLOYMENT, each.principal, request)
            assert verdict.allowed, explain(request, verdict)


@pytest.mark.parametrize(
    "request_", replication_requests(DEPLOYMENT), ids=lambda r: f"{r.action}:{r.resource[-40:]}"
)
def test_s3_replication_is_allowed_everything_it_asks_of_the_replication_role(request_):
    verdict = judge(DEPLOYMENT, "ReplicationRole", request_)
    assert verdict.allowed, (
        f"{request_.why}\n  {request_.action} on {request_.resource}\n  {dict(request_.context)}"
    )


# -- and nothing more: the conditions keep each grant to its purpose -------------------------------------
def test_the_data_key_is_usable_only_through_s3_and_dynamodb_for_our_buckets_and_table():
    """A function may not decrypt with the data key directly, nor through another bucket or table."""
    key = DEPLOYMENT.arn_of("DataKey")
    for principal in DEPLOYMENT.principals.values():
        for context in (
            {},  # a direct call to KMS
            {
                "kms:ViaService": "s3.eu-west-1.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::elsewhere",
            },
            {
                "kms:ViaService": "dynamodb.eu-west-1.amazonaws.com",
                "kms:EncryptionContext:aws:dynamodb:tableName": "other",
            },
        ):
            request = Request("kms:Decrypt", key, principal.arn, context, principal.logical_id)
            assert not judge(DEPLOYMENT, principal.logical_id, request).allowed, (
                principal.logical_id,
                context,
            )


def test_only_the_retention_writer_may_write_or_retag_the_retention_bucket():
    """Issue 15: nothing but RetainArchiveFunction writes retention archives, nor changes the tags
    the lifecycle reads; the bucket policy denies it to everyone else, whatever they are granted."""
    bucket = DEPLOYMENT.bucket("RetentionBucket")["arn"]
    archive = f"{bucket}/retained/10234/00017/2023/20261120T101500-0123456789ab.zip"
    actions = ("s3:PutObject", "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionTagging")
    writers = {
        principal.logical_id
        for principal in DEPLOYMENT.principals.values()
        for action in actions
        if judge(
            DEPLOYMENT,
            principal.logical_id,
            Request(
                action, archive, principal.arn, {"aws:PrincipalArn": principal.arn}, principal.logical_id
            ),
        ).allowed
    }
    assert writers == {"RetainArchiveFunction"}
    admin = "arn:aws:iam::111122223333:role/admin"
    anyone = Request("s3:PutObject", archive, admin, {"aws:PrincipalArn": admin})
    policy = DEPLOYMENT.bucket_policies[bucket.split(":::")[1]]
    everything = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ]
    assert evaluate(anyone, everything, policy).decision == "explicitly denied"
