"""Posture of the system backups as the templates declare it: replication (with RTC, metrics, alarms,
no delete markers, the replica's own key), Object Lock and lifecycle on the replica, retention on the
data bucket, and who may start a system restore."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.local.stack import _replication
from infra.local.template import ROOT, Resolver, load

MAIN = load()
REPLICA = load(ROOT / "infra" / "replica.yaml")


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in template["Resources"].items() if spec["Type"] == kind}


def resolve(parameters: dict[str, str]) -> Resolver:
    defaults = {name: spec.get("Default") for name, spec in MAIN["Parameters"].items()}
    return Resolver(
        parameters=defaults | parameters,
        refs={name: name.lower() for name in MAIN["Resources"]},
        attributes=lambda logical, attribute: f"arn:aws:x:::{logical}.{attribute}",
        pseudo={"AWS::Partition": "aws", "AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012"},
        conditions=MAIN["Conditions"],
    )


REPLICA_PARAMETERS = {
    "ReplicaBucketName": "kluis-replica",
    "ReplicaRegion": "eu-central-1",
    "ReplicaKmsKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
}


def replication_rule() -> dict[str, Any]:
    bucket = resolve(REPLICA_PARAMETERS).resolve(MAIN["Resources"]["DataBucket"]["Properties"])
    (rule,) = bucket["ReplicationConfiguration"]["Rules"]
    return rule


def test_the_data_bucket_replicates_with_rtc_metrics_and_the_replicas_own_key():
    rule = replication_rule()
    assert rule["Status"] == "Enabled" and rule["Filter"] == {"Prefix": "data/"}
    assert rule["DeleteMarkerReplication"] == {"Status": "Disabled"}
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    destination = rule["Destination"]
    assert destination["Bucket"] == "arn:aws:s3:::kluis-replica"
    assert destination["EncryptionConfiguration"]["ReplicaKmsKeyID"] == (
        "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    assert destination["ReplicationTime"] == {"Status": "Enabled", "Time": {"Minutes": 15}}
    assert destination["Metrics"] == {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}


def test_without_a_replica_the_main_stack_has_no_replication_and_no_replication_resources():
    bucket = resolve({}).resolve(MAIN["Resources"]["DataBucket"]["Properties"])
    assert "ReplicationConfiguration" not in bucket
    conditional = {name for name, spec in MAIN["Resources"].items() if spec.get("Condition") == "HasReplica"}
    assert conditional == {
        "ReplicationRole",
        "ReplicationPolicy",
        "ReplicationFailedAlarm",
        "ReplicationLateAlarm",
    }
    assert resolve({}).condition("HasReplica") is False
    assert resolve(REPLICA_PARAMETERS).condition("HasReplica") is True


def test_failed_or_late_replication_raises_an_alarm():
    alarms = resources(MAIN, "AWS::CloudWatch::Alarm")
    by_metric = {spec["Properties"]["MetricName"]: spec["Properties"] for spec in alarms.values()}
    failed, late = by_metric["OperationsFailedReplication"], by_metric["ReplicationLatency"]
    assert failed["Namespace"] == late["Namespace"] == "AWS/S3"
    assert failed["Threshold"] == 0 and failed["ComparisonOperator"] == "GreaterThanThreshold"
    assert late["Threshold"] == 900  # seconds: RTC's 15 minutes
    dimensions = {d["Name"] for d in failed["Dimensions"]}
    assert dimensions == {"SourceBucket", "DestinationBucket", "RuleId"}
    assert {d["Value"] for d in failed["Dimensions"] if d["Name"] == "RuleId"} == {"SystemBackups"}


def test_the_replication_role_has_least_privilege():
    statements = MAIN["Resources"]["ReplicationPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {action for s in statements for action in _as_list(s["Action"])}
    assert actions == {
        "s3:GetReplicationConfiguration",
        "s3:ListBucket",
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
        "s3:ReplicateObject",
        "s3:ReplicateTags",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    }
    assert all("*" not in action for action in actions)  # and no s3:ReplicateDelete
    trust = MAIN["Resources"]["ReplicationRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust[0]["Principal"] == {"Service": "s3.amazonaws.com"}


def test_the_replica_is_object_locked_versioned_encrypted_by_its_own_key_and_cools_down():
    bucket = REPLICA["Resources"]["ReplicaBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    retention = bucket["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention == {"Mode": {"Ref": "ObjectLockMode"}, "Days": {"Ref": "ObjectLockRetentionDays"}}
    assert REPLICA["Parameters"]["ObjectLockMode"]["Default"] == "COMPLIANCE"
    assert set(REPLICA["Parameters"]["ObjectLockMode"]["AllowedValues"]) == {"COMPLIANCE", "GOVERNANCE"}
    encryption = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {
        "Fn::GetAtt": ["ReplicaKey", "Arn"]
    }
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    rules = {rule["Id"]: rule for rule in bucket["LifecycleConfiguration"]["Rules"]}
    cold = rules["OlderVersionsToColdStorage"]
    assert cold["NoncurrentVersionTransitions"][0]["StorageClass"] == "GLACIER_IR"
    assert "ExpirationInDays" not in str(rules)  # current replicas may be a generation's only copy
    assert REPLICA["Resources"]["ReplicaBucket"]["DeletionPolicy"] == "Retain"


def test_the_data_bucket_keeps_noncurrent_versions_and_the_jobs_table_has_pitr():
    data = MAIN["Resources"]["DataBucket"]["Properties"]
    assert data["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {rule["Id"]: rule for rule in data["LifecycleConfiguration"]["Rules"]}
    assert rules["KeepNoncurrentVersions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": {"Ref": "NoncurrentVersionRetentionDays"}
    }
    assert rules["ExpireDrillScratch"]["Prefix"] == "drill/"
    table = MAIN["Resources"]["JobsTable"]["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_only_the_operator_role_may_start_a_system_restore():
    machine = {"Ref": "SystemRestoreStateMachine"}
    granted = []
    for name, spec in MAIN["Resources"].items():
        for statement in _statements(spec):
            actions = _as_list(statement.get("Action", []))
            starts = any(action.startswith("states:StartExecution") for action in actions)
            resource = _as_list(statement.get("Resource", []))
            if statement.get("Effect") == "Allow" and starts and (machine in resource or "*" in resource):
                granted.append(name)
    assert granted == ["OperatorRole"]
    routes = [
        event["Properties"]["Path"]
        for spec in resources(MAIN, "AWS::Serverless::Function").values()
        for event in spec["Properties"].get("Events", {}).values()
        if event["Type"] == "HttpApi"
    ]
    assert [r for r in routes if "system-restore" in r] == ["/system-restore-requests"] * 2


def test_the_operator_role_cannot_write_live_data():
    statements = MAIN["Resources"]["OperatorRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    for statement in statements:
        if "Fn::If" in statement:
            continue
        if "s3:PutObject" in _as_list(statement["Action"]):
            assert statement["Resource"] == {"Fn::Sub": "${DataBucket.Arn}/drill/*"}


@mock_aws
def test_the_local_stack_can_apply_the_replication_configuration():
    """What `_create_bucket` does when the replica condition holds: S3 accepts the converted rule."""
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket="data", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
    config = {"Role": "arn:aws:iam::123456789012:role/replication", "Rules": [replication_rule()]}
    s3.put_bucket_replication(Bucket="data", ReplicationConfiguration=_replication(config))
    stored = s3.get_bucket_replication(Bucket="data")["ReplicationConfiguration"]["Rules"][0]
    assert stored["ID"] == "SystemBackups"
    assert stored["DeleteMarkerReplication"] == {"Status": "Disabled"}


@pytest.mark.parametrize("template", [MAIN, REPLICA])
def test_bucket_policies_deny_plain_http(template):
    for spec in resources(template, "AWS::S3::BucketPolicy").values():
        sids = {s["Sid"] for s in spec["Properties"]["PolicyDocument"]["Statement"]}
        assert "TlsOnly" in sids


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(spec: dict[str, Any]) -> list[dict[str, Any]]:
    properties = spec.get("Properties", {})
    documents = [p.get("Statement", []) for p in properties.get("Policies", []) if isinstance(p, dict)]
    documents += [
        p["PolicyDocument"]["Statement"] for p in properties.get("Policies", []) if "PolicyDocument" in p
    ]
    if "PolicyDocument" in properties:
        documents.append(properties["PolicyDocument"]["Statement"])
    return [s for statements in documents for s in statements if isinstance(s, dict) and "Fn::If" not in s]


def test_the_replicas_object_access_is_logged_in_its_own_region():
    bucket = REPLICA["Resources"]["ReplicaBucket"]["Properties"]
    assert bucket["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "ReplicaAccessLogsBucket"}
    logs = REPLICA["Resources"]["ReplicaAccessLogsBucket"]["Properties"]
    # server access logging delivers only to an SSE-S3 bucket
    assert logs["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert all(logs["PublicAccessBlockConfiguration"].values())


def test_the_lock_configuration_is_changed_only_by_the_lock_administrator_if_one_is_named():
    from infra.iam.deployment import REPLICA_BUCKET, Deployment
    from infra.iam.evaluator import Request, evaluate

    admin = "arn:aws:iam::111122223333:role/deployer"
    everything = [
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ]

    def may_change_the_lock(deployment: Deployment, principal: str) -> bool:
        request = Request(
            "s3:PutBucketObjectLockConfiguration",
            f"arn:aws:s3:::{REPLICA_BUCKET}",
            principal,
            {"aws:PrincipalArn": principal},
        )
        return evaluate(request, everything, deployment.bucket_policies[REPLICA_BUCKET]).allowed

    nobody = Deployment()
    assert not may_change_the_lock(nobody, admin)  # by default not even the stack's own update
    named = Deployment(replica_parameters={"LockAdministratorArn": admin})
    assert may_change_the_lock(named, admin)
    assert not may_change_the_lock(named, "arn:aws:iam::111122223333:role/other")
