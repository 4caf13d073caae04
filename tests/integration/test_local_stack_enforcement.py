"""The local stack answers each function's calls as AWS answers them under the function's role.

Every call signed with a role's key is decided by the deployed template's policies (infra.iam, the
evaluator the policy tests use): its identity policies, the bucket and key policies, and what S3 and
DynamoDB ask KMS on the caller's behalf. A refusal is the service's own AccessDenied, so botocore
raises what it raises on AWS. S3 answers a missing key with 404 only to a caller that may list the
bucket (S3 API Reference, GetObject and HeadObject, "Permissions"), and with 403 to others.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from tests.integration.harness import Harness


def refused(call, *args, **kwargs) -> dict:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response


def test_a_write_no_policy_allows_is_refused_as_s3_refuses_it_and_changes_nothing(harness: Harness):
    bucket = harness.stack.name_of("RetentionBucket")
    key = f"retained/10234/00017/2023/{uuid.uuid4().hex}.zip"
    s3 = harness.stack.client_as("JobFailedFunction", "s3")
    answer = refused(s3.put_object, Bucket=bucket, Key=key, Body=b"not an archive")
    assert answer["Error"]["Code"] == "AccessDenied"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "is not authorized to perform: s3:PutObject" in answer["Error"]["Message"]
    assert "JobFailedFunctionRole" in answer["Error"]["Message"]
    listing = harness.stack.client("s3").list_objects_v2(Bucket=bucket, Prefix=key)
    assert listing.get("KeyCount", 0) == 0


def test_what_a_role_allows_passes(harness: Harness):
    s3 = harness.stack.client_as("BuildBackupFunction", "s3")
    bucket = harness.stack.name_of("ArchivesBucket")
    key = f"checkpoints/10234/{uuid.uuid4().hex}.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"{}"


def test_dynamodb_refuses_an_action_the_role_lacks_with_its_own_error(harness: Harness):
    table = harness.stack.name_of("JobsTable")
    dynamodb = harness.stack.client_as("RestoreTriggerFunction", "dynamodb")
    answer = refused(dynamodb.delete_item, TableName=table, Key={"pk": {"S": "nothing"}, "sk": {"S": "x"}})
    assert answer["Error"]["Code"] == "AccessDeniedException"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "dynamodb:DeleteItem" in answer["Error"]["Message"]


def test_a_missing_key_is_404_only_to_a_caller_that_may_list_the_bucket(harness: Harness):
    bucket = harness.stack.name_of("ArchivesBucket")
    missing = f"archives/10234/{uuid.uuid4().hex}.zip"
    lister = harness.stack.client_as("BuildBackupFunction", "s3")  # s3:ListBucket on the bucket
    assert refused(lister.get_object, Bucket=bucket, Key=missing)["Error"]["Code"] == "NoSuchKey"
    assert refused(lister.head_object, Bucket=bucket, Key=missing)["Error"]["Code"] == "404"

    reader = harness.stack.client_as("JobFailedFunction", "s3")  # s3:GetObject on archives/*, no listing
    answer = refused(reader.get_object, Bucket=bucket, Key=missing)
    assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
    head = refused(reader.head_object, Bucket=bucket, Key=missing)  # a HEAD's 403 has no body
    assert (head["Error"]["Code"], head["ResponseMetadata"]["HTTPStatusCode"]) == ("403", 403)


def test_a_presigned_url_is_the_signing_roles_request(harness: Harness):
    """The holder of a presigned URL acts as the role that signed it: no more."""
    bucket = harness.stack.name_of("RetentionBucket")
    signer = harness.stack.client_as("ApiFunction", "s3")  # it reads no retention archive
    key = "retained/10234/00017/2023/x.zip"
    url = signer.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 403
    assert "<Code>AccessDenied</Code>" in answer.text


def test_the_stacks_own_key_is_not_a_role(harness: Harness):
    """The tests' harness stands in for an administrator (and the stack's set-up): not checked."""
    bucket = harness.stack.name_of("RetentionBucket")
    missing = f"retained/{uuid.uuid4().hex}"
    assert (
        refused(harness.stack.client("s3").get_object, Bucket=bucket, Key=missing)["Error"]["Code"]
        == "NoSuchKey"
    )


def test_a_versions_lock_is_shown_only_to_a_caller_that_may_read_it(harness: Harness):
    """HeadObject returns the Object Lock headers "only if the requester has the
    s3:GetObjectRetention permission" (and s3:GetObjectLegalHold for the legal hold)."""
    from datetime import UTC, datetime, timedelta

    bucket = harness.stack.name_of("RetentionBucket")
    key = f"retained/10234/00017/2023/{uuid.uuid4().hex}.zip"
    until = datetime.now(UTC) + timedelta(days=1)
    version = harness.stack.client("s3").put_object(
        Bucket=bucket, Key=key, Body=b"archive", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until
    )["VersionId"]
    operator = harness.stack.client_as("OperatorRole", "s3").head_object(
        Bucket=bucket, Key=key, VersionId=version
    )
    assert operator["ObjectLockMode"] == "GOVERNANCE"
    api = harness.stack.client_as("ApiFunction", "s3").head_object(Bucket=bucket, Key=key, VersionId=version)
    assert api["ContentLength"] == len(b"archive")  # it may read the version: a download link
    assert "ObjectLockMode" not in api and "ObjectLockRetainUntilDate" not in api


def test_a_browsers_preflight_of_a_presigned_url_is_answered_by_the_buckets_cors_alone(harness: Harness):
    bucket = harness.stack.name_of("UploadsBucket")
    signer = harness.stack.client_as("ApiFunction", "s3")
    url = signer.generate_presigned_url(
        "upload_part",
        Params={"Bucket": bucket, "Key": "uploads/10234/x.zip", "UploadId": "u", "PartNumber": 1},
    )
    cors = harness.stack.client("s3").get_bucket_cors(Bucket=bucket)["CORSRules"][0]
    origin = cors["AllowedOrigins"][0]  # the web client's
    preflight = requests.options(
        url, headers={"Origin": origin, "Access-Control-Request-Method": "PUT"}, timeout=10
    )
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["Access-Control-Allow-Origin"] in (origin, "*")


def test_a_write_that_sets_a_lock_needs_the_permission_to_set_it(harness: Harness):
    """ "To use object lock headers you need s3:PutObjectRetention" (S3 API Reference, PutObject)."""
    from datetime import UTC, datetime, timedelta

    bucket = harness.stack.name_of("AuditBucket")
    key = f"audit/10234/{uuid.uuid4().hex}.jsonl"
    writer = harness.stack.client_as("AuditExportFunction", "s3")  # s3:PutObject, no s3:PutObjectRetention
    until = datetime.now(UTC) + timedelta(days=1)
    answer = refused(
        writer.put_object,
        Bucket=bucket,
        Key=key,
        Body=b"{}",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=until,
    )
    assert answer["Error"]["Code"] == "AccessDenied"
    assert "s3:PutObjectRetention" in answer["Error"]["Message"]
    writer.put_object(Bucket=bucket, Key=key, Body=b"{}")  # the bucket's default lock applies


def test_a_function_signs_with_its_own_roles_key_in_process_and_isolated(harness: Harness):
    import inspect

    from infra.local.enforcement import Roles

    build = harness.stack.runtime.by_logical_id("BuildBackupFunction")
    key = Roles.access_key("BuildBackupFunction")
    assert harness.stack.runtime.child_environment(build)["AWS_ACCESS_KEY_ID"] == key  # isolated
    harness.backup(documents=False)  # loads the handler in this process
    session = inspect.unwrap(build._load()).__globals__["resources"].session
    assert session.get_credentials().access_key == key
