"""Every AWS call each principal makes is allowed by its policies, as AWS would decide it.

Table-driven over the catalogue (calls.json, recorded from the integration tests' code paths), the
state machines' tasks and S3 replication; each call expands into the requests IAM and KMS evaluate,
including what S3 and DynamoDB ask KMS on the caller's behalf (infra/iam/calls.py), and each request is judged
by the evaluator (infra/iam/evaluator.py) against the deployed template's identity policies, bucket policies
and key policies (infra/iam/deployment.py).
"""

from __future__ import annotations

import pytest

from infra.iam.calls import (
    expand,
    failure_destination_calls,
    replication_requests,
    requests,
    state_machine_calls,
)
from infra.iam.deployment import Deployment
from infra.iam.evaluator import Request, Verdict, evaluate
from tests.policy.catalogue import load_catalogue

DEPLOYMENT = Deployment()


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
            verdict = DEPLOYMENT.judge(each.principal, request)
            assert verdict.allowed, explain(request, verdict)


@pytest.mark.parametrize(
    "request_", replication_requests(DEPLOYMENT), ids=lambda r: f"{r.action}:{r.resource[-40:]}"
)
def test_s3_replication_is_allowed_everything_it_asks_of_the_replication_role(request_):
    verdict = DEPLOYMENT.judge("ReplicationRole", request_)
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
            assert not DEPLOYMENT.judge(principal.logical_id, request).allowed, (
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
        if DEPLOYMENT.judge(
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
