"""The AWS calls each principal makes, and the authorization requests AWS makes of each.

`calls.json` beside this file is the catalogue: every call the code paths of the integration tests
make, per function (recorded by `tests/integration/conftest.py` with botocore hooks on each handler's
session, see `recording.py`), as a *shape*: bucket, table, key and state machine by logical id, object
keys with their variable parts named (`{job}`, `{generation}`, `{n}` for a number, `{member}` for a
file of a generation). The calls AWS services make themselves (Step Functions' tasks, S3
replication) are not recorded but derived here from the ASL files and the S3 documentation.

`requests()` turns one call into what IAM is asked, including what S3 and DynamoDB ask KMS on the
caller's behalf, with the encryption contexts AWS uses:

- S3 SSE-KMS: PutObject, CreateMultipartUpload and the target of CopyObject/UploadPartCopy need
  `kms:GenerateDataKey`; GetObject, UploadPart, CompleteMultipartUpload and the source of a copy need
  `kms:Decrypt` (S3 User Guide, "Protecting data with server-side encryption using AWS KMS keys",
  permissions; S3 API Reference, CreateMultipartUpload: "the requester must have permission to the
  kms:Decrypt and kms:GenerateDataKey actions ... because Amazon S3 must decrypt and read data from
  the encrypted file parts before it completes the multipart upload"). HeadObject, listing and
  deleting need no KMS permission.
- With an S3 Bucket Key the encryption context is the *bucket* ARN, not the object ARN: "When an S3
  Bucket Key is enabled for the source or destination bucket, the encryption context will be the
  bucket Amazon Resource Name (ARN) and not the object ARN" (S3 User Guide, "Configuring your bucket
  to use an S3 Bucket Key with SSE-KMS for new objects"). `kms:ViaService` is `s3.<region>.amazonaws.com`.
- DynamoDB with a customer managed key: "When you first access an encrypted table, DynamoDB sends a
  request to AWS KMS to use the KMS key to decrypt the table key" on behalf of the caller, with the
  encryption context `aws:dynamodb:tableName` and `aws:dynamodb:subscriberId` (KMS Developer Guide,
  "How Amazon DynamoDB uses AWS KMS": table keys, authorizing use of your KMS key, encryption
  context). Every data-plane call, read or write, therefore needs `kms:Decrypt` via
  `dynamodb.<region>.amazonaws.com` (a PutItem without it fails: aws/aws-cdk#10010).
- Step Functions: a Lambda task needs `lambda:InvokeFunction` on the function, a DynamoDB task the
  DynamoDB action on the table (and so the KMS request above); `.waitForTaskToken` callbacks are
  answered with `states:SendTaskSuccess`/`SendTaskFailure` on the state machine.
- Replication: see `replication_requests`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.iam.deployment import ACCOUNT, REGION, Deployment
from infra.iam.evaluator import Request

# -- shapes of recorded calls ------------------------------------------------------------------------
JOB = re.compile(r"\d{8}T\d{6}-[0-9a-f]{12}")
GENERATION = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
# An audit export's range of sequence numbers: how far the log had grown differs from run to run.
SEQUENCE_RANGE = re.compile(r"^\d+-\d+(?=\.jsonl$)")
SAMPLES = {
    "{job}": "20261120T101500-0123456789ab",
    "{generation}": "20261120T101500Z-89abcdef",
    "{n}": "10234",
    "{member}": "records/ledger_accounts.jsonl",
}


def key_shape(key: str) -> str:
    """An object key with its variable parts named: what a policy's resource pattern is matched with."""
    key = JOB.sub("{job}", GENERATION.sub("{generation}", key))
    parts = ["{n}" if part.isdigit() else SEQUENCE_RANGE.sub("{n}-{n}", part) for part in key.split("/")]
    if parts[0] == "drill" and len(parts) > 5:  # drill/{drill}/{customer}/{administration}/{year}/...
        parts = [*parts[:5], "{member}"]
    key = "/".join(parts)
    for marker in ("/gen/{generation}/", "/proposals/"):
        if marker in key:
            key = key.split(marker, 1)[0] + marker + "{member}"
    return key


def instantiate(shape: str) -> str:
    for placeholder, sample in SAMPLES.items():
        shape = shape.replace(placeholder, sample)
    return shape


@dataclass(frozen=True, order=True)
class Call:
    principal: str  # logical id of the function, state machine or role
    service: str  # botocore's service name: s3, dynamodb, kms, stepfunctions, cloudformation, lambda
    operation: str  # the API operation, e.g. PutObject; PostObject for a presigned POST
    resource: str = ""  # logical id of the bucket, table, key or state machine
    key: str = ""  # object key shape (S3)
    source: str = ""  # CopySource "Logical/key-shape" (S3 copies)
    version: bool = False  # the call names a VersionId (s3:GetObjectVersion and friends)
    leading_key: str = ""  # DynamoDB partition key value shape (dynamodb:LeadingKeys)
    presigned: bool = False  # a presigned URL or POST: the holder's request is made as this principal
    sets: tuple[str, ...] = ()  # what an S3 write sets besides the object: retention, legal-hold, tagging
    # A GetObject/HeadObject the code expects may find no key: S3 says 404 (not 403) only to a caller
    # that may s3:ListBucket the bucket (S3 API Reference, GetObject, "Permissions").
    missing: bool = False
    # The Object Lock headers of a GetObject/HeadObject's answer the code reads ("retention",
    # "legal-hold"): S3 returns them only to a caller with s3:GetObjectRetention, resp.
    # s3:GetObjectLegalHold (S3 API Reference, HeadObject).
    reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", tuple(self.sets))  # as read from JSON: a list
        object.__setattr__(self, "reads", tuple(self.reads))

    def as_dict(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in self.__dict__.items()
            if v not in ("", False, ())
        }


# -- from calls to authorization requests ------------------------------------------------------------
S3_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "PostObject": "s3:PutObject",
    "CopyObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "UploadPartCopy": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "DeleteObject": "s3:DeleteObject",
    "DeleteObjects": "s3:DeleteObject",  # a batch: s3:DeleteObject on each key (S3 API Reference)
    "ListParts": "s3:ListMultipartUploadParts",
    "PutObjectTagging": "s3:PutObjectTagging",
    # A legal hold has one action, with or without a version id (S3 API Reference, PutObjectLegalHold).
    "PutObjectLegalHold": "s3:PutObjectLegalHold",
    "GetObjectLegalHold": "s3:GetObjectLegalHold",
    "GetObjectRetention": "s3:GetObjectRetention",
}
S3_VERSIONED = {
    "s3:GetObject": "s3:GetObjectVersion",
    "s3:DeleteObject": "s3:DeleteObjectVersion",
    "s3:PutObjectTagging": "s3:PutObjectVersionTagging",
}
S3_BUCKET_ACTIONS = {
    "ListObjectsV2": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
}
# A write's headers that set more than the object need their own permission: "To use object lock
# headers you need s3:PutObjectRetention / s3:PutObjectLegalHold" and "To use tagging, you must have
# s3:PutObjectTagging" (S3 API Reference, PutObject, CopyObject and CreateMultipartUpload).
S3_SETS = {
    "retention": "s3:PutObjectRetention",
    "legal-hold": "s3:PutObjectLegalHold",
    "tagging": "s3:PutObjectTagging",
}
# The request headers of those settings, by the names of boto3's parameters.
S3_SETTING_HEADERS = {
    "ObjectLockMode": "x-amz-object-lock-mode",
    "ObjectLockRetainUntilDate": "x-amz-object-lock-retain-until-date",
    "ObjectLockLegalHoldStatus": "x-amz-object-lock-legal-hold",
    "Tagging": "x-amz-tagging",
    "TaggingDirective": "x-amz-tagging-directive",
}
# The Object Lock headers of a read's answer, each shown only to a caller with its permission.
S3_READS = {"retention": "s3:GetObjectRetention", "legal-hold": "s3:GetObjectLegalHold"}
S3_GENERATES = {"PutObject", "PostObject", "CopyObject", "CreateMultipartUpload", "UploadPartCopy"}
S3_DECRYPTS = {"GetObject", "UploadPart", "UploadPartCopy", "CompleteMultipartUpload"}
DYNAMODB = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
}
KMS = {"GenerateMac", "VerifyMac", "Decrypt", "Encrypt", "GenerateDataKey"}
STATES = {
    "StartExecution": "stateMachine",
    "ListExecutions": "stateMachine",
    "DescribeExecution": "execution",
    "SendTaskSuccess": "stateMachine",
    "SendTaskFailure": "stateMachine",
    "SendTaskHeartbeat": "stateMachine",
}


def s3_settings(operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """What an S3 write sets besides the object (S3_SETS), from its parameters as boto3 names them."""
    if operation not in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        return ()
    found = []
    if params.get("ObjectLockMode") or params.get("ObjectLockRetainUntilDate"):
        found.append("retention")
    if params.get("ObjectLockLegalHoldStatus"):
        found.append("legal-hold")
    if params.get("Tagging") and (operation != "CopyObject" or params.get("TaggingDirective") == "REPLACE"):
        found.append("tagging")
    return tuple(found)


class UnknownCall(Exception):
    """A call this model does not map to IAM actions: add it here, from the AWS documentation."""


def requests(deployment: Deployment, call: Call) -> Iterator[Request]:
    principal = deployment.principals[call.principal].arn
    target = f"{call.resource}/{call.key}" if call.key else call.resource
    why = f"{call.principal}: {call.service}.{call.operation} {target}"
    if call.service == "s3":
        yield from _s3(deployment, call, principal, why)
    elif call.service == "dynamodb":
        yield from _dynamodb(deployment, call, principal, why)
    elif call.service == "kms" and call.operation in KMS:
        arn = deployment.arn_of(call.resource)
        yield Request(f"kms:{call.operation}", arn, principal, _caller(principal), why)
    elif call.service == "stepfunctions" and call.operation in STATES:
        machine = deployment.arn_of(call.resource)
        if STATES[call.operation] == "execution":
            machine = machine.replace(":stateMachine:", ":execution:") + ":" + SAMPLES["{job}"]
        yield Request(f"states:{call.operation}", machine, principal, _caller(principal), why)
    elif call.service == "lambda" and call.operation == "Invoke":
        yield Request(
            "lambda:InvokeFunction", deployment.arn_of(call.resource), principal, _caller(principal), why
        )
    elif call.service == "sqs" and call.operation == "SendMessage":
        yield Request("sqs:SendMessage", deployment.arn_of(call.resource), principal, _caller(principal), why)
    elif call.service == "sts" and call.operation == "GetCallerIdentity":
        return  # "No permissions are required to perform this operation" (STS API Reference)
    elif call.service == "cloudformation" and call.operation == "DescribeStacks":
        stack = deployment.main.resolve({"Ref": "AWS::StackId"})
        yield Request("cloudformation:DescribeStacks", stack, principal, _caller(principal), why)
    else:
        raise UnknownCall(call)


def expand(deployment: Deployment, call: Call) -> list[Call]:
    """A task-token answer names no state machine: it may answer any machine that waits for one."""
    if call.resource != "{task-token}":
        return [call]
    waiting = machines_waiting_for_task_tokens(deployment)
    if not waiting:
        raise UnknownCall(f"a task token with no state machine waiting for one: {call}")
    return [Call(**(call.as_dict() | {"resource": machine})) for machine in waiting]


def _caller(principal: str) -> dict[str, str]:
    # aws:PrincipalArn of a role's session is the role's ARN (IAM User Guide, global condition keys).
    return {"aws:SecureTransport": "true", "kms:CallerAccount": ACCOUNT, "aws:PrincipalArn": principal}


def _object(deployment: Deployment, logical: str, key: str) -> tuple[dict[str, Any], str]:
    bucket = deployment.bucket(logical)
    return bucket, f"{bucket['arn']}/{instantiate(key)}"


def _s3(deployment: Deployment, call: Call, principal: str, why: str) -> Iterator[Request]:
    bucket = deployment.bucket(call.resource)
    if call.operation in S3_BUCKET_ACTIONS:
        yield Request(S3_BUCKET_ACTIONS[call.operation], bucket["arn"], principal, _caller(principal), why)
        return
    if call.operation not in S3_ACTIONS:
        raise UnknownCall(call)
    action = S3_ACTIONS[call.operation]
    if call.version and action in S3_VERSIONED:
        action = S3_VERSIONED[action]
    _, resource = _object(deployment, call.resource, call.key)
    yield Request(action, resource, principal, _caller(principal), why)
    for setting in call.sets:
        yield Request(S3_SETS[setting], resource, principal, _caller(principal), f"{why} (sets {setting})")
    for read in call.reads:
        yield Request(S3_READS[read], resource, principal, _caller(principal), f"{why} (its {read} headers)")
    if call.missing:
        yield Request(
            "s3:ListBucket", bucket["arn"], principal, _caller(principal), f"{why} (to tell it missing)"
        )
    if call.source:
        source_logical, source_key = call.source.split("/", 1)
        source_bucket, source_resource = _object(deployment, source_logical, source_key)
        read = "s3:GetObjectVersion" if call.version else "s3:GetObject"
        yield Request(read, source_resource, principal, _caller(principal), why + " (copy source)")
        yield from s3_kms(source_bucket, "kms:Decrypt", principal, why + " (copy source)")
    if call.operation in S3_GENERATES:
        yield from s3_kms(bucket, "kms:GenerateDataKey", principal, why)
    if call.operation in S3_DECRYPTS:
        yield from s3_kms(bucket, "kms:Decrypt", principal, why)


def s3_kms(bucket: dict[str, Any], action: str, principal: str, why: str) -> Iterator[Request]:
    """What S3 asks KMS on the caller's behalf for an object of `bucket` (SSE-KMS with its default key)."""
    if not bucket["key"]:
        return
    context = (
        bucket["arn"] if bucket["bucket_key"] else bucket["arn"] + "/*"  # see the module docstring
    )
    yield Request(
        action,
        bucket["key"],
        principal,
        {
            "kms:ViaService": f"s3.{bucket['region']}.amazonaws.com",
            "kms:CallerAccount": ACCOUNT,
            "kms:EncryptionContext:aws:s3:arn": context,
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
        },
        f"{why} [S3 asks KMS on the caller's behalf]",
    )


def _dynamodb(deployment: Deployment, call: Call, principal: str, why: str) -> Iterator[Request]:
    if call.operation not in DYNAMODB:
        raise UnknownCall(call)
    table = deployment.table(call.resource)
    context: dict[str, Any] = dict(_caller(principal))
    if call.leading_key:
        context["dynamodb:LeadingKeys"] = [instantiate(call.leading_key)]
    yield Request(f"dynamodb:{call.operation}", table["arn"], principal, context, why)
    yield from dynamodb_kms(table, principal, why)


def dynamodb_kms(table: dict[str, Any], principal: str, why: str) -> Iterator[Request]:
    if not table["key"]:
        return
    yield Request(
        "kms:Decrypt",
        table["key"],
        principal,
        {
            "kms:ViaService": f"dynamodb.{REGION}.amazonaws.com",
            "kms:CallerAccount": ACCOUNT,
            "kms:EncryptionContext:aws:dynamodb:tableName": table["name"],
            "kms:EncryptionContext:aws:dynamodb:subscriberId": ACCOUNT,
            "kms:EncryptionContextKeys": ["aws:dynamodb:tableName", "aws:dynamodb:subscriberId"],
        },
        f"{why} [DynamoDB decrypts the table key on the caller's behalf]",
    )


# -- calls AWS services make as a principal of ours ----------------------------------------------------
def state_machine_calls(deployment: Deployment) -> list[Call]:
    """Every Task of every state machine's ASL, as the call Step Functions makes with the machine's role."""
    logical_of = {deployment.arn_of(f): f for f in deployment.main.resources("AWS::Serverless::Function")}
    table_of = {deployment.main.physical[t]: t for t in deployment.main.resources("AWS::DynamoDB::Table")}
    calls = []
    for machine in deployment.main.resources("AWS::Serverless::StateMachine"):
        for state in _states(deployment.state_machine_definition(machine)):
            resource, parameters = state["Resource"], state.get("Parameters", {})
            if resource.startswith("arn:aws:states:::lambda:invoke"):
                calls.append(Call(machine, "lambda", "Invoke", logical_of[parameters["FunctionName"]]))
            elif resource.startswith("arn:aws:states:::dynamodb:"):
                operation = resource.rsplit(":", 1)[1]
                calls.append(
                    Call(
                        machine,
                        "dynamodb",
                        operation[0].upper() + operation[1:],
                        table_of[parameters["TableName"]],
                    )
                )
            else:
                raise UnknownCall(f"{machine}: {resource}")
    return calls


def failure_destination_calls(deployment: Deployment) -> list[Call]:
    """Lambda sends a failed asynchronous invocation's record to the OnFailure destination with the
    function's execution role ("Adding a destination", Lambda Developer Guide: the role needs
    sqs:SendMessage on the queue)."""
    calls = []
    for function in deployment.main.resources("AWS::Serverless::Function"):
        config = deployment.main.template["Resources"][function]["Properties"].get("EventInvokeConfig", {})
        destination = config.get("DestinationConfig", {}).get("OnFailure", {})
        if destination.get("Type") == "SQS":
            queue = destination["Destination"]["Fn::GetAtt"][0]
            calls.append(Call(function, "sqs", "SendMessage", queue))
    return calls


def machines_waiting_for_task_tokens(deployment: Deployment) -> list[str]:
    """State machines with a `.waitForTaskToken` task: what a SendTaskSuccess/Failure may answer."""
    return sorted(
        machine
        for machine in deployment.main.resources("AWS::Serverless::StateMachine")
        if any(
            state["Resource"].endswith(".waitForTaskToken")
            for state in _states(deployment.state_machine_definition(machine))
        )
    )


def _states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition.get("States", {}).values():
        if state.get("Type") == "Task":
            yield state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for nested in ("Iterator", "ItemProcessor"):
            if nested in state:
                yield from _states(state[nested])


def replication_requests(deployment: Deployment) -> list[Request]:
    """What S3 replication asks of the replication role, for a `data/` object version.

    S3 User Guide, "Setting up permissions" (replication) and "Replicating encrypted objects":
    the role reads the source version (GetObjectVersionForReplication, its ACL and tags, and for an
    Object-Locked destination its retention and legal hold), writes the replica (ReplicateObject,
    ReplicateTags), decrypts the source with the source key and encrypts the replica with the
    destination key (`kms:Encrypt`; S3 may also ask `kms:GenerateDataKey`). Both buckets use S3
    Bucket Keys, so the encryption contexts are the bucket ARNs; and with a Bucket Key on the
    destination S3 also decrypts the destination's bucket-level key, so the role needs `kms:Decrypt`
    on the replica key (the same page, "S3 Bucket Keys and replication").
    """
    role = deployment.principals["ReplicationRole"].arn
    source = deployment.bucket("DataBucket")
    target = deployment.bucket("ReplicaBucket")
    key = "data/{n}/{n}/{n}/gen/{generation}/{member}"
    source_object = f"{source['arn']}/{instantiate(key)}"
    target_object = f"{target['arn']}/{instantiate(key)}"
    why = "ReplicationRole: S3 replicates a data/ object version"
    found = [
        Request("s3:GetReplicationConfiguration", source["arn"], role, _caller(role), why),
        Request("s3:ListBucket", source["arn"], role, _caller(role), why),
    ]
    for action in (
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
    ):
        found.append(Request(action, source_object, role, _caller(role), why))
    for action in ("s3:ReplicateObject", "s3:ReplicateTags"):
        found.append(Request(action, target_object, role, _caller(role), why))
    found += list(s3_kms(source, "kms:Decrypt", role, why + " (source)"))
    for action in ("kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"):
        found += list(s3_kms(target, action, role, why + " (replica)"))
    return found
