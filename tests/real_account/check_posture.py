"""Checks against a *deployed* Kluis stack what moto cannot show (docs/security.md).

    KLUIS_REAL_STACK=kluis-prod AWS_PROFILE=... python -m tests.real_account.check_posture
    KLUIS_REAL_STACK=kluis-prod pytest tests/real_account -q        # the same, as tests

Without KLUIS_REAL_STACK (and AWS credentials) every check is skipped, so `make test` stays green.
Each check is harmless: it writes only under uploads/ and the check's own keys, and cleans up.

- a presigned POST refuses a file over its content-length-range, another key, and after expiry;
- plain-HTTP requests to every bucket are denied (the TLS-only bucket policy);
- every bucket's Block Public Access is on, and its default encryption is SSE-KMS with our key;
- the data bucket is versioned; the jobs table has point-in-time recovery;
- the manifest MAC key is an HMAC key whose policy is the account root's only;
- every bucket logs its access, every log group of the stack has a retention, no event has failed
  (FailedEventsQueue is empty), and presigned URLs name the regional endpoint (issue 16).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import boto3
import pytest
import requests

STACK = os.environ.get("KLUIS_REAL_STACK", "")

pytestmark = pytest.mark.skipif(not STACK, reason="set KLUIS_REAL_STACK (and AWS credentials) to run")


def outputs() -> dict[str, str]:
    stack = boto3.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def physical(logical_id: str) -> str:
    resources = boto3.client("cloudformation").describe_stack_resource(
        StackName=STACK, LogicalResourceId=logical_id
    )
    return resources["StackResourceDetail"]["PhysicalResourceId"]


def buckets() -> list[str]:
    out = outputs()
    return [out[k] for k in ("DataBucketName", "ArchivesBucketName", "UploadsBucketName") if k in out]


def presigned_post(key: str, max_bytes: int, expires: int) -> dict[str, Any]:
    """The same conditions as kluis.flows.restore.uploads.RestoreUploads.create."""
    bucket = outputs()["UploadsBucketName"]
    return boto3.client("s3").generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"x-amz-server-side-encryption": "aws:kms"},
        Conditions=[
            {"bucket": bucket},
            ["eq", "$key", key],
            ["content-length-range", 1, max_bytes],
            {"x-amz-server-side-encryption": "aws:kms"},
        ],
        ExpiresIn=expires,
    )


def post(form: dict[str, Any], data: bytes, key: str | None = None) -> requests.Response:
    fields = dict(form["fields"])
    if key:
        fields["key"] = key
    return requests.post(form["url"], data=fields, files={"file": ("b.zip", data)}, timeout=60)


def _delete(key: str) -> None:
    boto3.client("s3").delete_object(Bucket=outputs()["UploadsBucketName"], Key=key)


KEY = "uploads/0/20000101T000000-000000000000.zip"  # no customer 0 and no such job: the trigger drops it


def test_an_upload_over_the_size_limit_is_refused():
    response = post(presigned_post(KEY, 1024, 300), b"x" * 2048)
    assert response.status_code == 400 and "EntityTooLarge" in response.text, response.text
    _delete(KEY)


def test_an_upload_to_another_key_is_refused():
    response = post(presigned_post(KEY, 1024, 300), b"x" * 10, key="uploads/1/other.zip")
    assert response.status_code == 403, response.text


def test_an_expired_upload_url_is_refused():
    form = presigned_post(KEY, 1024, 1)
    time.sleep(3)
    response = post(form, b"x" * 10)
    assert response.status_code == 403 and "expired" in response.text.lower(), response.text
    _delete(KEY)


def test_an_expired_download_url_is_refused():
    s3 = boto3.client("s3")
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": outputs()["ArchivesBucketName"], "Key": "archives/none.zip"},
        ExpiresIn=1,
    )
    time.sleep(3)
    response = requests.get(url, timeout=30)
    assert response.status_code == 403 and "expired" in response.text.lower(), response.text


@pytest.mark.parametrize("index", range(3))
def test_plain_http_is_denied(index):
    names = buckets()
    if index >= len(names):
        pytest.skip("bucket not in the stack outputs")
    s3 = boto3.client("s3", endpoint_url=f"http://s3.{boto3.session.Session().region_name}.amazonaws.com")
    with pytest.raises(Exception) as refused:
        s3.list_objects_v2(Bucket=names[index], MaxKeys=1)
    assert "AccessDenied" in str(refused.value)


@pytest.mark.parametrize("index", range(3))
def test_public_access_is_blocked_and_encryption_is_our_kms_key(index):
    names = buckets()
    if index >= len(names):
        pytest.skip("bucket not in the stack outputs")
    s3 = boto3.client("s3")
    block = s3.get_public_access_block(Bucket=names[index])["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    rule = s3.get_bucket_encryption(Bucket=names[index])["ServerSideEncryptionConfiguration"]["Rules"][0]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms" and default.get("KMSMasterKeyID")


def test_data_bucket_versioning_and_table_pitr():
    s3 = boto3.client("s3")
    assert s3.get_bucket_versioning(Bucket=outputs()["DataBucketName"])["Status"] == "Enabled"
    backups = boto3.client("dynamodb").describe_continuous_backups(TableName=outputs()["JobsTableName"])
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_mac_key_is_hmac_and_its_policy_names_only_the_account_root():
    import json

    kms = boto3.client("kms")
    key_id = physical("ManifestMacKey")
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeySpec"] == "HMAC_256" and meta["KeyUsage"] == "GENERATE_VERIFY_MAC"
    policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    principals = {json.dumps(s["Principal"]) for s in policy["Statement"]}
    assert all(":root" in p for p in principals), principals


def test_kms_refuses_a_mac_message_over_4_kib():
    """Why the manifest is MACed as its SHA-256 (kluis.archive.signature), not as itself."""
    kms = boto3.client("kms")
    with pytest.raises(Exception) as refused:
        kms.generate_mac(KeyId=physical("ManifestMacKey"), Message=b"x" * 4097, MacAlgorithm="HMAC_SHA_256")
    assert "ValidationException" in str(refused.value) or "AccessDenied" in str(refused.value)


@pytest.mark.parametrize("index", range(3))
def test_every_bucket_logs_its_access_to_the_access_logs_bucket(index):
    names = buckets()
    if index >= len(names):
        pytest.skip("bucket not in the stack outputs")
    logging = boto3.client("s3").get_bucket_logging(Bucket=names[index])["LoggingEnabled"]
    assert logging["TargetBucket"] == outputs()["AccessLogsBucketName"]


def test_every_log_group_of_the_stack_keeps_its_logs_for_a_while():
    resources = boto3.client("cloudformation").describe_stack_resources(StackName=STACK)["StackResources"]
    groups = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::Logs::LogGroup"]
    assert groups
    logs = boto3.client("logs")
    for name in groups:
        (group,) = [
            g
            for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if g["logGroupName"] == name
        ]
        assert group.get("retentionInDays"), name


def test_no_event_has_failed_after_its_retries():
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=outputs()["FailedEventsQueueUrl"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0", "read the queue: docs/operations.md, lost events"


def test_presigned_urls_name_the_regional_endpoint():
    from urllib.parse import urlsplit

    from kluis.runtime.resources import S3_CONFIG

    region = boto3.session.Session().region_name
    form = boto3.client("s3", config=S3_CONFIG).generate_presigned_post(outputs()["UploadsBucketName"], KEY)
    assert urlsplit(form["url"]).hostname == f"{outputs()['UploadsBucketName']}.s3.{region}.amazonaws.com"


if __name__ == "__main__":
    if not STACK:
        print("set KLUIS_REAL_STACK to a deployed stack's name (and AWS credentials); nothing checked")
        sys.exit(0)
    sys.exit(pytest.main([__file__, "-q"]))
