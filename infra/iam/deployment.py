"""template.yaml and infra/replica.yaml as CloudFormation would deploy them into one account: physical
names and ARNs, every principal's identity policies, and the bucket and key policies.

Names follow CloudFormation's and SAM's patterns (a stack-prefixed logical id with a suffix), so
statements are matched against ARNs of the shape they will have, not against logical ids. The
deployment has a replica (the `HasReplica` condition holds), so replication is evaluated too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from infra.iam.evaluator import Request, Verdict, evaluate, evaluate_kms
from infra.local.template import ROOT, Resolver, UnsupportedTemplate, load

ACCOUNT = "111122223333"
REGION = "eu-west-1"
REPLICA_REGION = "eu-central-1"
STACK = "kluis"
REPLICA_STACK = "kluis-replica"
SUFFIX = "1A2B3C4D5E6F"
REPLICA_BUCKET = f"{REPLICA_STACK}-replicabucket-{SUFFIX.lower()}"
REPLICA_KEY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "kluis/ReplicaKey"))
PARAMETERS = {
    "ReplicaBucketName": REPLICA_BUCKET,
    "ReplicaRegion": REPLICA_REGION,
    "ReplicaKmsKeyId": REPLICA_KEY_ID,
    "AlarmTopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:kluis-alarms",
    "JwtIssuer": f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_AbCdEf123",
    "JwtAudience": "1example23456789",
    "OperatorPrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/operators",
}


def key_id(logical_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kluis/{logical_id}"))


@dataclass
class Principal:
    """Who makes calls: a function's or state machine's role, or a role of the template."""

    logical_id: str  # the function, state machine or role
    arn: str
    policies: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Stack:
    """One template, resolved as deployed in `region`."""

    template: dict[str, Any]
    name: str
    region: str
    parameters: dict[str, Any]
    fixed_names: dict[str, str] = field(default_factory=dict)  # logical id -> physical name

    def __post_init__(self) -> None:
        self.physical: dict[str, str] = {}
        for logical_id, spec in self.template["Resources"].items():
            self.physical[logical_id] = self._physical(logical_id, spec)
        defaults = {n: p.get("Default") for n, p in self.template.get("Parameters", {}).items()}
        missing = [n for n, v in (defaults | self.parameters).items() if v is None]
        if missing:
            raise UnsupportedTemplate(f"parameters without a value: {missing}")
        self.resolver = Resolver(
            parameters=defaults | self.parameters,
            refs={logical: self._ref(logical) for logical in self.template["Resources"]},
            attributes=self.attribute,
            pseudo={
                "AWS::Region": self.region,
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": self.name,
                "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{ACCOUNT}:stack/{self.name}/{SUFFIX}",
            },
            conditions=self.template.get("Conditions", {}),
        )
        for logical_id, spec in self.template["Resources"].items():
            name = spec.get("Properties", {}).get("BucketName") if spec["Type"] == "AWS::S3::Bucket" else None
            if name is not None:
                self.physical[logical_id] = self.resolver.resolve(name)

    # -- names ---------------------------------------------------------------------------------
    def _physical(self, logical_id: str, spec: dict[str, Any]) -> str:
        if logical_id in self.fixed_names:
            return self.fixed_names[logical_id]
        kind = spec["Type"]
        if kind == "AWS::S3::Bucket":
            return f"{self.name}-{logical_id}-{SUFFIX}".lower()
        if kind == "AWS::KMS::Key":
            return key_id(logical_id)
        return f"{self.name}-{logical_id}-{SUFFIX}"

    def kind(self, logical_id: str) -> str:
        return str(self.template["Resources"][logical_id]["Type"])

    def _ref(self, logical_id: str) -> str:
        kind, name = self.kind(logical_id), self.physical[logical_id]
        if kind in ("AWS::Serverless::StateMachine", "AWS::SQS::Queue", "AWS::SNS::Topic"):
            return self.attribute(logical_id, "Arn") if kind != "AWS::SQS::Queue" else self._queue_url(name)
        return name

    def _queue_url(self, name: str) -> str:
        return f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{name}"

    def attribute(self, logical_id: str, attribute: str) -> str:
        function = logical_id.removesuffix("Role")
        resources = self.template["Resources"]
        if (
            logical_id not in resources
            and resources.get(function, {}).get("Type") == "AWS::Serverless::Function"
        ):
            # The role SAM generates for a function (a bucket policy may name it): as principals() has it.
            return f"arn:aws:iam::{ACCOUNT}:role/{STACK}-{logical_id}-{SUFFIX}"
        kind, name, region = self.kind(logical_id), self.physical[logical_id], self.region
        arns = {
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}",
            "AWS::KMS::Key": f"arn:aws:kms:{region}:{ACCOUNT}:key/{name}",
            "AWS::Serverless::StateMachine": f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:{name}",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{region}:{ACCOUNT}:{name}",
            "AWS::Logs::LogGroup": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*",
            "AWS::CloudWatch::Alarm": f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{name}",
            "AWS::SNS::Topic": f"arn:aws:sns:{region}:{ACCOUNT}:{name}",
        }
        if attribute == "Arn" and kind in arns:
            return arns[kind]
        if attribute == "Name":
            return name
        if attribute == "DomainName" and kind == "AWS::CloudFront::Distribution":
            return "d111111abcdef8.cloudfront.net"
        if attribute in ("DomainName", "RegionalDomainName") and kind == "AWS::S3::Bucket":
            return (
                f"{name}.s3.{region}.amazonaws.com"
                if attribute.startswith("Regional")
                else f"{name}.s3.amazonaws.com"
            )
        if attribute == "Id":
            return name
        if attribute == "QueueName":
            return name
        raise UnsupportedTemplate(f"{logical_id}.{attribute} ({kind})")

    def resolve(self, value: Any) -> Any:
        return self.resolver.resolve(value)

    def exists(self, logical_id: str) -> bool:
        return self.resolver.condition_holds(self.template["Resources"][logical_id].get("Condition"))

    def resources(self, *kinds: str) -> dict[str, dict[str, Any]]:
        return {
            logical: spec
            for logical, spec in self.template["Resources"].items()
            if spec["Type"] in kinds and self.exists(logical)
        }

    def properties(self, logical_id: str) -> dict[str, Any]:
        return self.resolve(self.template["Resources"][logical_id].get("Properties", {}))


class Deployment:
    """The main stack with its replica, in one account."""

    def __init__(
        self, parameters: dict[str, Any] | None = None, replica_parameters: dict[str, Any] | None = None
    ) -> None:
        self.main = Stack(load(), STACK, REGION, PARAMETERS | (parameters or {}))
        self.replica = Stack(
            load(ROOT / "infra" / "replica.yaml"),
            REPLICA_STACK,
            REPLICA_REGION,
            replica_parameters or {},
            fixed_names={"ReplicaBucket": REPLICA_BUCKET, "ReplicaKey": REPLICA_KEY_ID},
        )

    # -- principals ------------------------------------------------------------------------------
    @cached_property
    def principals(self) -> dict[str, Principal]:
        main = self.main
        found: dict[str, Principal] = {}
        for logical, _spec in main.resources(
            "AWS::Serverless::Function", "AWS::Serverless::StateMachine"
        ).items():
            role = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-{logical}Role-{SUFFIX}"  # SAM's generated role
            policies = main.properties(logical).get("Policies", [])
            documents = [
                p for p in (policies if isinstance(policies, list) else [policies]) if isinstance(p, dict)
            ]
            found[logical] = Principal(logical, role, [{"Version": "2012-10-17", **d} for d in documents])
        for logical, spec in main.resources("AWS::IAM::Role").items():
            properties = main.properties(logical)
            documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
            found[logical] = Principal(logical, main.attribute(logical, "Arn"), documents)
            del spec
        for logical in main.resources("AWS::IAM::Policy"):
            properties = main.properties(logical)
            for role in properties["Roles"]:
                owner = next(p for p in found.values() if p.arn.endswith(f":role/{role}"))
                owner.policies.append(properties["PolicyDocument"])
        return found

    # -- resources and their policies --------------------------------------------------------------
    @cached_property
    def buckets(self) -> dict[str, dict[str, Any]]:
        """name -> {logical, stack, arn, key (ARN of its default KMS key), bucket_key, region}"""
        found = {}
        for stack in (self.main, self.replica):
            for logical in stack.resources("AWS::S3::Bucket"):
                properties = stack.properties(logical)
                name = stack.physical[logical]
                rule = (properties.get("BucketEncryption") or {}).get(
                    "ServerSideEncryptionConfiguration", [{}]
                )[0]
                default = rule.get("ServerSideEncryptionByDefault", {})
                found[name] = {
                    "logical": logical,
                    "stack": stack,
                    "arn": f"arn:aws:s3:::{name}",
                    "key": self.key_arn(default["KMSMasterKeyID"], stack.region)
                    if default.get("SSEAlgorithm") == "aws:kms"
                    else None,
                    "bucket_key": bool(rule.get("BucketKeyEnabled")),
                    "region": stack.region,
                }
        return found

    def bucket(self, logical_id: str) -> dict[str, Any]:
        return next(b | {"name": name} for name, b in self.buckets.items() if b["logical"] == logical_id)

    def key_arn(self, value: str, region: str) -> str:
        return value if value.startswith("arn:") else f"arn:aws:kms:{region}:{ACCOUNT}:key/{value}"

    @cached_property
    def bucket_policies(self) -> dict[str, dict[str, Any]]:
        found = {}
        for stack in (self.main, self.replica):
            for logical in stack.resources("AWS::S3::BucketPolicy"):
                properties = stack.properties(logical)
                found[properties["Bucket"]] = properties["PolicyDocument"]
        return found

    @cached_property
    def key_policies(self) -> dict[str, dict[str, Any]]:
        found = {}
        for stack in (self.main, self.replica):
            for logical in stack.resources("AWS::KMS::Key"):
                found[stack.attribute(logical, "Arn")] = stack.properties(logical)["KeyPolicy"]
        return found

    def table(self, logical_id: str = "JobsTable") -> dict[str, Any]:
        properties = self.main.properties(logical_id)
        sse = properties.get("SSESpecification", {})
        return {
            "name": self.main.physical[logical_id],
            "arn": self.main.attribute(logical_id, "Arn"),
            "key": self.key_arn(sse["KMSMasterKeyId"], REGION) if sse.get("SSEType") == "KMS" else None,
        }

    def state_machine_definition(self, logical_id: str) -> dict[str, Any]:
        return self._definitions[logical_id]

    @cached_property
    def _definitions(self) -> dict[str, dict[str, Any]]:
        """Each state machine's ASL as deployed, read once: the local stack asks for it on every
        SendTaskSuccess/Failure it decides."""
        definitions = {}
        for logical_id in self.main.resources("AWS::Serverless::StateMachine"):
            properties = self.main.properties(logical_id)
            text = (ROOT / properties["DefinitionUri"]).read_text()
            for name, value in properties.get("DefinitionSubstitutions", {}).items():
                text = text.replace("${" + name + "}", str(value))
            definitions[logical_id] = dict(json.loads(text))
        return definitions

    def arn_of(self, logical_id: str) -> str:
        return self.main.attribute(logical_id, "Arn")

    def judge(
        self, principal: str, request: Request, identity: Sequence[Mapping[str, Any]] | None = None
    ) -> Verdict:
        """AWS's decision on `request` by `principal` (a logical id): its identity policies (or
        `identity` in their place), with the key policy for KMS and the bucket policy for S3."""
        identity = self.principals[principal].policies if identity is None else identity
        if request.action.startswith("kms:"):
            return evaluate_kms(request, identity, self.key_policies[request.resource])
        resource_policy = None
        if request.action.startswith("s3:"):
            bucket = request.resource.split(":::", 1)[1].split("/", 1)[0]
            resource_policy = self.bucket_policies.get(bucket)
        return evaluate(request, identity, resource_policy)


def template_path() -> Path:
    return ROOT / "template.yaml"
