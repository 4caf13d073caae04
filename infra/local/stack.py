"""The embedded local stack: moto's server as AWS, resources made from template.yaml, our
handlers in-process, Step Functions executing our real ASL files.

Used by `make run`, the integration tests and the browser tests alike.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from flask import Flask
from moto.core.config import default_user_config
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from infra.iam.deployment import Deployment
from infra.local import moto_versions
from infra.local.atomic import Atomicity
from infra.local.enforcement import Enforcement, Roles
from infra.local.faults import Faults
from infra.local.lambdas import AsyncConfig, LocalFunction, Runtime
from infra.local.object_lock import MultipartLocks
from infra.local.post_policy import PostPolicy
from infra.local.template import ROOT, Resolver, UnsupportedTemplate, load
from kluis.runtime.resources import S3_CONFIG

REGION = "eu-west-1"
# Parameters template.yaml requires (no default): the local identity provider is infra.local.gateway.
LOCAL_PARAMETERS = {"JwtIssuer": "https://kluis.local/issuer", "JwtAudience": "kluis-web"}
ACCOUNT = "123456789012"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "kluis-local", "AWS_SECRET_ACCESS_KEY": "kluis-local"}
HANDLED_TYPES = {
    "AWS::KMS::Key",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::DynamoDB::Table",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
    "AWS::Serverless::LayerVersion",  # the layer is this process's import path
    "AWS::Serverless::HttpApi",  # served by infra.local.gateway
    "AWS::IAM::Role",  # a moto role with its inline policies (enforced by infra.local.enforcement)
    "AWS::IAM::Policy",  # inline policies of those roles
    "AWS::CloudWatch::Alarm",  # an alarm in moto's CloudWatch (nothing local emits S3 metrics)
    "AWS::SNS::Topic",  # the alarms' topic in moto's SNS (no alarm fires locally)
    "AWS::SNS::Subscription",  # an email subscription in moto (no mail is sent)
    "AWS::Logs::LogGroup",  # a log group with its retention in moto (the handlers log to stderr)
    "AWS::SQS::Queue",  # a queue in moto: failed asynchronous invocations land there (lambdas.py)
    # moto does not enforce a queue's resource policy, and only EventBridge (cloud-only) sends with it.
    "AWS::SQS::QueuePolicy",
    # The web client is served by infra.local.gateway; the CDN in front of its bucket is cloud-only.
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
}


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, made to cost less CPU per request, and atomic per request as AWS is.

    The embedded server serves every AWS request of the local stack in one process, so its CPU per
    request is what caps thousands of small GETs (a backup of many documents), not the modelled
    latency. Two costs are moto's own:
    - it finds the backend of every request by listing its own package directory (a `stat` of each
      of some 150 entries), twice for an S3 request, under one lock that all requests share. The
      answer for a host never changes while the process runs, so it is asked once per host;
    - its Flask apps run in debug mode, where Flask defines a new class for every request's form
      data (a debugging aid for HTML forms). Exceptions still propagate to the server as in debug.
    """

    def __init__(self, create_app: Callable[[Any], Flask], atomicity: Atomicity | None = None) -> None:
        self.atomicity = atomicity or Atomicity()
        self._service_of: dict[int, str] = {}  # id of a backend app: its service

        def create(service: Any) -> Flask:
            app = _without_debug(create_app(service))
            self._service_of[id(app)] = str(service)
            return app

        super().__init__(create)
        self._backends: dict[str | None, Any] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """moto's own dispatch, with the request applied as one step as AWS does (infra.local.atomic).

        moto computes a whole answer inside the app's call (its views return bytes), so the lock is
        held while the request is read, checked, applied and answered, not while it is sent."""
        app = self.get_application(environ)
        with self.atomicity.hold(self._service_of.get(id(app)), environ):
            return app(environ, start_response)

    def get_backend_for_host(self, host: str | None) -> Any:
        # Called under self.lock (DomainDispatcherApplication.get_application).
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


def _without_debug(app: Flask) -> Flask:
    app.debug = False
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as in debug: the server logs and answers 500
    return app


class EmbeddedAws(ThreadedMotoServer):
    """moto's server, with S3's POST-upload policy enforced in front of it (see post_policy), every
    function's calls answered under its role (see enforcement), the Object Lock of multipart
    uploads applied (see object_lock), and a chosen share of requests failed as AWS fails them
    (see faults)."""

    def __init__(self, ip_address: str, port: int, enforcement: Callable[[Any], Enforcement]) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self.enforcement = enforcement
        self.faults: Faults | None = None

    def _server_entry(self) -> None:
        enforcement = self.enforcement(MultipartLocks(_Dispatcher(create_backend_app), _s3_backend))
        secret = CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
        secrets = {key: secret for key in [CREDENTIALS["AWS_ACCESS_KEY_ID"], *enforcement.roles.by_key]}
        app = PostPolicy(enforcement, secrets, backend=_s3_backend)
        # Outermost: a throttled request reaches neither the policy checks nor moto.
        self.faults = app = Faults.from_environment(app, enforcement.roles.principal_of)
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


def _s3_backend() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT]["aws"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str  # logical id


@dataclass(frozen=True)
class Schedule:
    """A function's Schedule event: EventBridge invokes it with `input` on `expression`."""

    function: str  # logical id
    expression: str  # rate(...) or cron(...)
    input: dict[str, Any]


@dataclass
class LocalStack:
    port: int = 0
    host: str = "127.0.0.1"
    stack_name: str = "kluis-local"
    parameters: dict[str, Any] = field(default_factory=dict)  # over LOCAL_PARAMETERS and the defaults
    environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.template = load()
        self.runtime = Runtime()
        self.physical: dict[str, str] = {}
        self.routes: list[Route] = []
        self.schedules: list[Schedule] = []
        self.server: EmbeddedAws | None = None
        self.globals: dict[str, Any] = {}
        self.queue_urls: dict[str, str] = {}

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LocalStack:
        self.port = self.port or _free_port()
        # The Step Functions interpreter calls Lambda and DynamoDB through this port.
        os.environ.update(
            {
                "MOTO_PORT": str(self.port),
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                **CREDENTIALS,
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call is noise
        moto_versions.install()  # ListObjectVersions without a copy of every object's bytes
        deployment = Deployment()
        roles = Roles(deployment.principals)
        self.runtime.access_keys = {
            principal: roles.access_key(principal) for principal in deployment.principals
        }
        self.runtime.secret_key = CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
        self.server = EmbeddedAws(
            self.host, self.port, lambda app: Enforcement(app, roles, self.logical_ids, deployment)
        )
        self.server.start()
        self.runtime.install()
        self._create_resources()
        return self

    @property
    def faults(self) -> Faults:
        """The share of the product's requests answered with AWS's transient faults (infra.local.faults)."""
        assert self.server and self.server.faults, "the stack is not started"
        return self.server.faults

    def stop(self) -> None:
        """Stop serving, and forget every resource: moto's backends belong to the process, and a stack
        started after this one (the next test module's) must find none of this one's."""
        self.runtime.uninstall()
        if self.server:
            self.server.stop()
            self.server = None
            moto_api_backend.reset()

    def configure(self, **variables: str | None) -> dict[str, str | None]:
        """Set (or, with None, unset) environment variables of every function, as a configuration
        update does: the functions start cold and read their settings anew. Returns the values before,
        for `configure(**before)` to put back."""
        before = {name: os.environ.get(name) for name in variables}
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self.runtime.cold_start()
        return before

    def client(self, service: str) -> Any:
        # S3 as the functions configure it (regional, virtual-hosted; path style on this IP endpoint).
        config = S3_CONFIG if service == "s3" else None
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, config=config)

    def credentials_of(self, principal: str) -> dict[str, str]:
        """The access key of a role of the template (a function's, or OperatorRole), as boto3 takes it:
        calls signed with it are answered under the role's policies (infra.local.enforcement)."""
        return {
            "aws_access_key_id": Roles.access_key(principal),
            "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }

    def client_as(self, principal: str, service: str) -> Any:
        config = S3_CONFIG if service == "s3" else None
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            config=config,
            **self.credentials_of(principal),
        )

    def resource(self, service: str) -> Any:
        return boto3.resource(service, endpoint_url=self.endpoint, region_name=REGION)

    # -- names --------------------------------------------------------------------------------
    def name_of(self, logical_id: str) -> str:
        return self.physical[logical_id]

    def logical_ids(self) -> dict[str, str]:
        """Each resource's physical name, id and ARN -> its logical id."""
        # The replica bucket the system-restore tests make in place of infra/replica.yaml's.
        names: dict[str, str] = {"kluis-local-replica": "ReplicaBucket"}
        for logical, physical in self.physical.items():
            names[physical] = logical
            with contextlib.suppress(KeyError):  # a type without an ARN the code would name
                names[self._arn(logical)] = logical
        return names

    def _arn(self, logical_id: str) -> str:
        implicit = self._implicit_role(logical_id)
        if implicit is not None:
            return implicit
        kind = self.template["Resources"][logical_id]["Type"]
        name = self.physical[logical_id]
        return {
            "AWS::S3::Bucket": f"arn:aws:s3:::{name}",
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}",
            "AWS::Serverless::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{name}",
            "AWS::Serverless::StateMachine": name,
            "AWS::Serverless::LayerVersion": f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}:1",
            "AWS::IAM::Role": f"arn:aws:iam::{ACCOUNT}:role/{name}",
            "AWS::CloudWatch::Alarm": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}",
            "AWS::SNS::Topic": name,
            "AWS::Logs::LogGroup": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{name}:*",
        }[kind]

    def _implicit_role(self, logical_id: str) -> str | None:
        """The ARN of the role SAM makes for a function (`<Function>Role`), which the template names
        (a bucket policy) but does not declare."""
        function = logical_id.removesuffix("Role")
        resources = self.template["Resources"]
        if logical_id in resources or resources.get(function, {}).get("Type") != "AWS::Serverless::Function":
            return None
        return f"arn:aws:iam::{ACCOUNT}:role/{self.stack_name}-{logical_id}"

    def _attribute(self, logical_id: str, attribute: str) -> str:
        if attribute == "Arn":
            return self._arn(logical_id)
        if attribute in ("Name", "QueueName"):
            return self.physical[logical_id].rsplit(":", 1)[-1]
        if attribute == "DomainName":  # a CDN the local stack does not run: a name that never resolves
            return f"{self.physical[logical_id].lower()}.cloudfront.invalid"
        raise UnsupportedTemplate(f"the local stack does not know {logical_id}.{attribute}")

    def _name(self, logical_id: str, kind: str) -> str:
        base = f"{self.stack_name}-{logical_id}"
        if kind == "AWS::S3::Bucket":
            return base.lower()
        if kind == "AWS::Serverless::StateMachine":
            return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{base}"
        if kind == "AWS::SNS::Topic":  # its Ref is its ARN
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{base}"
        return base

    # -- resources ----------------------------------------------------------------------------
    def _create_resources(self) -> None:
        resources = self.template["Resources"]
        unknown = {spec["Type"] for spec in resources.values()} - HANDLED_TYPES
        if unknown:
            raise UnsupportedTemplate(f"template.yaml uses types the local stack cannot create: {unknown}")
        for logical_id, spec in resources.items():
            if spec["Type"] != "AWS::KMS::Key":
                self.physical[logical_id] = self._name(logical_id, spec["Type"])
        defaults = {name: spec.get("Default") for name, spec in self.template.get("Parameters", {}).items()}
        parameters = defaults | LOCAL_PARAMETERS | self.parameters
        missing = sorted(name for name, value in parameters.items() if value is None)
        if missing:  # as CloudFormation refuses a stack without its required parameters
            raise UnsupportedTemplate(f"template.yaml parameters without a value: {missing}")
        resolver = Resolver(
            conditions=self.template.get("Conditions", {}),
            parameters=parameters,
            refs=self.physical,
            attributes=self._attribute,
            pseudo={
                "AWS::Region": REGION,
                "AWS::AccountId": ACCOUNT,
                "AWS::Partition": "aws",
                "AWS::URLSuffix": "amazonaws.com",
                "AWS::StackName": self.stack_name,
                "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.stack_name}/local",
            },
        )
        for logical_id, spec in resources.items():  # explicitly named resources keep their names
            if spec["Type"] == "AWS::S3::Bucket" and "BucketName" in spec.get("Properties", {}):
                self.physical[logical_id] = resolver.resolve(spec["Properties"]["BucketName"])
        self.globals = resolver.resolve(self.template.get("Globals", {}).get("Function", {}))
        order = [
            "AWS::KMS::Key",
            "AWS::S3::Bucket",
            "AWS::DynamoDB::Table",
            "AWS::SQS::Queue",
            "AWS::SNS::Topic",
            "AWS::SNS::Subscription",
            "AWS::Serverless::Function",
            "AWS::Serverless::StateMachine",
            "AWS::IAM::Role",
            "AWS::IAM::Policy",
            "AWS::S3::BucketPolicy",
            "AWS::CloudWatch::Alarm",
            "AWS::Logs::LogGroup",
        ]
        for kind in order:
            for logical_id, spec in resources.items():
                # A resource whose Condition is false (e.g. replication without a replica) is not made.
                if spec["Type"] == kind and resolver.condition_holds(spec.get("Condition")):
                    properties = resolver.resolve(spec.get("Properties", {}))
                    getattr(self, "_create_" + kind.split("::")[-1].lower())(logical_id, properties)
        self._connect_events(resolver)

    def _create_key(self, logical_id: str, properties: dict[str, Any]) -> None:
        key = self.client("kms").create_key(
            Description=properties.get("Description", logical_id),
            KeySpec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"),
            KeyUsage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
        )
        self.physical[logical_id] = key["KeyMetadata"]["KeyId"]

    def _create_bucket(self, logical_id: str, properties: dict[str, Any]) -> None:
        s3 = self.client("s3")
        name = self.physical[logical_id]
        s3.create_bucket(
            Bucket=name,
            CreateBucketConfiguration={"LocationConstraint": REGION},
            ObjectLockEnabledForBucket=bool(properties.get("ObjectLockEnabled", False)),
        )
        if "ObjectLockConfiguration" in properties:
            s3.put_object_lock_configuration(
                Bucket=name, ObjectLockConfiguration=_object_lock(properties["ObjectLockConfiguration"])
            )
        if "VersioningConfiguration" in properties:
            s3.put_bucket_versioning(
                Bucket=name, VersioningConfiguration=properties["VersioningConfiguration"]
            )
        if "BucketEncryption" in properties:
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": {  # SSE-KMS with a key, or SSE-S3 without
                        key: value
                        for key, value in rule["ServerSideEncryptionByDefault"].items()
                        if key in ("SSEAlgorithm", "KMSMasterKeyID")
                    },
                    "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
                }
                for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        if "PublicAccessBlockConfiguration" in properties:
            s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
            )
        if "CorsConfiguration" in properties:
            s3.put_bucket_cors(
                Bucket=name,
                CORSConfiguration={
                    "CORSRules": [_cors_rule(r) for r in properties["CorsConfiguration"]["CorsRules"]]
                },
            )
        if "ReplicationConfiguration" in properties:
            s3.put_bucket_replication(
                Bucket=name, ReplicationConfiguration=_replication(properties["ReplicationConfiguration"])
            )
        if "LifecycleConfiguration" in properties:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={
                    "Rules": [_lifecycle_rule(r) for r in properties["LifecycleConfiguration"]["Rules"]]
                },
            )

    def _create_role(self, logical_id: str, properties: dict[str, Any]) -> None:
        iam = self.client("iam")
        name = self.physical[logical_id]
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(properties["AssumeRolePolicyDocument"])
        )
        for policy in properties.get("Policies", []):
            iam.put_role_policy(
                RoleName=name,
                PolicyName=policy["PolicyName"],
                PolicyDocument=json.dumps(policy["PolicyDocument"]),
            )

    def _create_policy(self, logical_id: str, properties: dict[str, Any]) -> None:
        for role in properties.get("Roles", []):
            self.client("iam").put_role_policy(
                RoleName=role,
                PolicyName=properties["PolicyName"],
                PolicyDocument=json.dumps(properties["PolicyDocument"]),
            )

    def _create_alarm(self, logical_id: str, properties: dict[str, Any]) -> None:
        arguments = {
            key: properties[key]
            for key in (
                "AlarmDescription",
                "Namespace",
                "MetricName",
                "Statistic",
                "ComparisonOperator",
                "TreatMissingData",
                "AlarmActions",
                "OKActions",
            )
            if key in properties
        }
        self.client("cloudwatch").put_metric_alarm(
            AlarmName=self.physical[logical_id],
            Dimensions=properties.get("Dimensions", []),
            Period=int(properties["Period"]),
            EvaluationPeriods=int(properties["EvaluationPeriods"]),
            Threshold=float(properties["Threshold"]),
            **arguments,
        )

    def _create_queue(self, logical_id: str, properties: dict[str, Any]) -> None:
        attributes = {
            key: str(properties[key])
            for key in ("MessageRetentionPeriod", "VisibilityTimeout")
            if key in properties
        }
        url = self.client("sqs").create_queue(QueueName=self.physical[logical_id], Attributes=attributes)
        self.queue_urls[logical_id] = url["QueueUrl"]

    def _create_topic(self, logical_id: str, properties: dict[str, Any]) -> None:
        name = self.physical[logical_id].rsplit(":", 1)[-1]
        self.client("sns").create_topic(
            Name=name, Attributes={"DisplayName": properties.get("DisplayName", "")}
        )

    def _create_subscription(self, logical_id: str, properties: dict[str, Any]) -> None:
        self.client("sns").subscribe(
            TopicArn=properties["TopicArn"], Protocol=properties["Protocol"], Endpoint=properties["Endpoint"]
        )

    def _create_loggroup(self, logical_id: str, properties: dict[str, Any]) -> None:
        name = properties.get("LogGroupName") or self.physical[logical_id]
        logs = self.client("logs")
        logs.create_log_group(logGroupName=name)
        if "RetentionInDays" in properties:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(properties["RetentionInDays"]))

    def _create_bucketpolicy(self, logical_id: str, properties: dict[str, Any]) -> None:
        """Bucket policies without their conditional statements.

        moto ignores a statement's Condition, so the TLS-only Deny (`aws:SecureTransport: false`)
        would deny every request, and the embedded AWS speaks plain HTTP on loopback anyway.
        The template's conditional statements are checked by tests/unit/test_template_posture.py.
        """
        document = dict(properties["PolicyDocument"])
        document["Statement"] = [s for s in document["Statement"] if "Condition" not in s]
        if document["Statement"]:
            self.client("s3").put_bucket_policy(Bucket=properties["Bucket"], Policy=json.dumps(document))

    def _create_table(self, logical_id: str, properties: dict[str, Any]) -> None:
        dynamodb = self.client("dynamodb")
        name = self.physical[logical_id]
        dynamodb.create_table(
            TableName=name,
            BillingMode=properties.get("BillingMode", "PAY_PER_REQUEST"),
            AttributeDefinitions=properties["AttributeDefinitions"],
            KeySchema=properties["KeySchema"],
        )
        if properties.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        if "TimeToLiveSpecification" in properties:
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification=properties["TimeToLiveSpecification"]
            )

    def _create_function(self, logical_id: str, properties: dict[str, Any]) -> None:
        merged = _with_globals(self.globals, properties)
        name = self.physical[logical_id]
        environment = {k: str(v) for k, v in merged.get("Environment", {}).get("Variables", {}).items()}
        # Every function runs in this one process, so their environments are merged; the template
        # gives a variable the same value wherever it sets it, which this checks.
        for key, value in environment.items():
            if key in self.environment and self.environment[key] != value:
                raise ValueError(f"{key} differs between functions: {self.environment[key]} / {value}")
            self.environment.setdefault(key, value)
        os.environ.update(environment)
        role = self._role()
        self.client("lambda").create_function(
            FunctionName=name,
            Runtime=merged["Runtime"],
            Role=role,
            Handler=merged["Handler"],
            Code={"ZipFile": _placeholder_zip()},
            Timeout=int(merged.get("Timeout", 3)),
            MemorySize=int(merged.get("MemorySize", 128)),
        )
        on_failure = merged.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        if on_failure:
            self.runtime.asynchronous[logical_id] = AsyncConfig(
                retries=int(merged["EventInvokeConfig"].get("MaximumRetryAttempts", 2)),
                on_failure=self._failure_destination(on_failure),
            )
        self.runtime.register(
            LocalFunction(
                logical_id=logical_id,
                name=name,
                arn=self._arn(logical_id),
                code_dir=ROOT / merged["CodeUri"],
                handler=merged["Handler"],
                memory=int(merged.get("MemorySize", 128)),
                timeout=int(merged.get("Timeout", 3)),
                environment=environment,  # an isolated (child-process) run gets its own function's values
            )
        )
        for event in merged.get("Events", {}).values():
            if event["Type"] == "HttpApi":
                self.routes.append(
                    Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"], logical_id)
                )
            if event["Type"] == "Schedule":
                given = event["Properties"].get("Input")
                self.schedules.append(
                    Schedule(logical_id, event["Properties"]["Schedule"], json.loads(given) if given else {})
                )

    def _failure_destination(self, destination: dict[str, Any]) -> Any:
        """Where a failed asynchronous invocation's record goes: only SQS queues of this template."""
        if destination["Type"] != "SQS":
            raise UnsupportedTemplate(f"the local stack sends failed events to SQS only, not {destination}")
        queue = destination["Destination"].rsplit(":", 1)[-1]

        def send(record: dict[str, Any]) -> None:
            sqs = self.client("sqs")
            sqs.send_message(
                QueueUrl=sqs.get_queue_url(QueueName=queue)["QueueUrl"], MessageBody=json.dumps(record)
            )

        return send

    def _create_statemachine(self, logical_id: str, properties: dict[str, Any]) -> None:
        definition = (ROOT / properties["DefinitionUri"]).read_text()
        for key, value in properties.get("DefinitionSubstitutions", {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        json.loads(definition)  # a substitution that broke the JSON fails here, loudly
        self.client("stepfunctions").create_state_machine(
            name=self.physical[logical_id].rsplit(":", 1)[-1],
            definition=definition,
            roleArn=self._role(),
            type=properties.get("Type", "STANDARD"),
        )

    def _connect_events(self, resolver: Resolver) -> None:
        """S3 event sources of functions become bucket notifications (as SAM does)."""
        notifications: dict[str, list[dict[str, Any]]] = {}
        for logical_id, spec in self.template["Resources"].items():
            if spec["Type"] != "AWS::Serverless::Function":
                continue
            for event in spec.get("Properties", {}).get("Events", {}).values():
                if event["Type"] != "S3":
                    continue
                props = resolver.resolve(event["Properties"])
                config: dict[str, Any] = {
                    "LambdaFunctionArn": self._arn(logical_id),
                    "Events": _as_list(props["Events"]),
                }
                if "Filter" in props:  # SAM's S3Key.Rules, in the S3 API's shape
                    config["Filter"] = {"Key": {"FilterRules": props["Filter"]["S3Key"]["Rules"]}}
                notifications.setdefault(props["Bucket"], []).append(config)
        for bucket, configs in notifications.items():
            self.client("s3").put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": configs}
            )

    def _role(self) -> str:
        iam = self.client("iam")
        name = f"{self.stack_name}-local-role"
        try:
            return iam.get_role(RoleName=name)["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    def run_scheduled(self, logical_id: str) -> Any:
        """Invoke a scheduled function now, as EventBridge would (its Input, or an empty event)."""
        schedule = next(s for s in self.schedules if s.function == logical_id)
        name = self.name_of(logical_id)
        # A synchronous invoke answers when the function ends, which may be its whole Timeout (the
        # sweeper's is 15 minutes): wait that long, and never retry, which would run it twice.
        timeout = self.runtime.functions[name].timeout
        patience = Config(read_timeout=timeout + 30, retries={"total_max_attempts": 1})
        invoker = boto3.client("lambda", endpoint_url=self.endpoint, region_name=REGION, config=patience)
        answer = invoker.invoke(FunctionName=name, Payload=json.dumps(schedule.input).encode())
        payload = json.loads(answer["Payload"].read() or b"null")
        if "FunctionError" in answer:
            raise RuntimeError(f"{logical_id} failed: {payload}")
        return payload

    # -- conveniences for tools and tests -----------------------------------------------------
    def outputs(self) -> dict[str, str]:
        return {
            "DataBucket": self.name_of("DataBucket"),
            "ArchivesBucket": self.name_of("ArchivesBucket"),
            "JobsTable": self.name_of("JobsTable"),
            "BackupStateMachine": self.name_of("BackupStateMachine"),
            "UploadsBucket": self.name_of("UploadsBucket"),
            "RestoreStateMachine": self.name_of("RestoreStateMachine"),
            "SystemRestoreStateMachine": self.name_of("SystemRestoreStateMachine"),
            "AuditBucket": self.name_of("AuditBucket"),
            "RetentionBucket": self.name_of("RetentionBucket"),
            "FailedEventsQueue": self.queue_urls.get("FailedEventsQueue", ""),
        }


def _with_globals(globals_: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """A function's properties with the template's Globals.Function merged in, as SAM does."""
    merged = dict(globals_)
    for key, value in properties.items():
        if key == "Environment":
            variables = dict(merged.get("Environment", {}).get("Variables", {}))
            variables.update(value.get("Variables", {}))
            merged["Environment"] = {"Variables": variables}
        else:
            merged[key] = value
    return merged


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape, in the S3 API's shape."""
    converted: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
    tags = [{"Key": t["Key"], "Value": t["Value"]} for t in rule.get("TagFilters", [])]
    if len(tags) == 1 and not rule.get("Prefix"):
        converted["Filter"] = {"Tag": tags[0]}
    elif tags:
        converted["Filter"] = {"And": {"Prefix": rule.get("Prefix", ""), "Tags": tags}}
    else:
        converted["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        converted["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    if "NoncurrentVersionTransitions" in rule:
        converted["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": int(t["TransitionInDays"]), "StorageClass": t["StorageClass"]}
            for t in rule["NoncurrentVersionTransitions"]
        ]
    return converted


def _object_lock(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ObjectLockConfiguration in the S3 API's shape (numbers as ints)."""
    retention = dict(config.get("Rule", {}).get("DefaultRetention", {}))
    for unit in ("Days", "Years"):
        if unit in retention:
            retention[unit] = int(retention[unit])
    converted: dict[str, Any] = {"ObjectLockEnabled": config.get("ObjectLockEnabled", "Enabled")}
    if retention:
        converted["Rule"] = {"DefaultRetention": retention}
    return converted


def _replication(config: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's ReplicationConfiguration in the S3 API's shape (only a rule's Id is spelt ID)."""
    rules = [
        {("ID" if key == "Id" else key): value for key, value in rule.items()} for rule in config["Rules"]
    ]
    return {"Role": config["Role"], "Rules": rules}


def _cors_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's CORS rule shape, in the S3 API's shape."""
    converted = {
        key: rule[key] for key in ("AllowedMethods", "AllowedOrigins", "AllowedHeaders") if key in rule
    }
    if "ExposedHeaders" in rule:
        converted["ExposeHeaders"] = rule["ExposedHeaders"]
    if "MaxAge" in rule:
        converted["MaxAgeSeconds"] = int(rule["MaxAge"])
    return converted


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _placeholder_zip() -> bytes:
    """moto wants a code package; the code that runs is the handler in this checkout."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README", "Kluis local stack: handlers run in-process from the checkout.\n")
    return buffer.getvalue()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
