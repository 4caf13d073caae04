"""The presigned POST a restore uploads with is S3's defence, and the local stack enforces it as S3
does: a file outside the size range, an expired policy, a changed key, an altered policy or an extra
field is refused, nothing is stored, and no restore starts."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from kluis.scope import Scope
from tests.integration.harness import Harness, seed_scope

CUSTOMER = "31008"
SCOPE = Scope(CUSTOMER, "00042", "2025")


@pytest.fixture(scope="module")
def backup(harness: Harness) -> bytes:
    seed_scope(harness, SCOPE)
    return harness.download(harness.backup("00042", "2025", documents=False, customer=CUSTOMER)).content


def slot(harness: Harness) -> dict:
    created = harness.call("POST", "/restores", CUSTOMER)
    assert created.status_code == 201, created.text
    return created.json()


def post(upload: dict, data: bytes, fields: dict | None = None) -> requests.Response:
    return requests.post(
        upload["url"],
        data=fields if fields is not None else upload["fields"],
        files={"file": ("backup.zip", data, "application/zip")},
        timeout=60,
    )


def refused(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert f"<Code>{code}</Code>" in response.text, response.text


def nothing_stored_or_started(harness: Harness, job: dict) -> None:
    assert not harness.upload_exists(job["jobId"], CUSTOMER)
    assert harness.call("GET", f"/jobs/{job['jobId']}", CUSTOMER).json()["status"] == "awaiting-upload"


def test_a_valid_upload_is_stored_and_starts_its_restore(harness, backup):
    job = slot(harness)
    response = post(job["upload"], backup)
    assert response.status_code in (200, 204), response.text
    assert (
        harness.wait_until(job["jobId"], {"awaiting-confirmation"}, CUSTOMER)["status"]
        == "awaiting-confirmation"
    )


def test_an_empty_file_is_too_small(harness):
    job = slot(harness)
    refused(post(job["upload"], b""), 400, "EntityTooSmall")
    nothing_stored_or_started(harness, job)


def test_a_file_over_the_size_range_is_too_large(harness, configure):
    configure(MAX_UPLOAD_BYTES=str(64 * 1024))
    job = slot(harness)
    assert job["maxBytes"] == 64 * 1024
    refused(post(job["upload"], b"x" * (64 * 1024 + 1)), 400, "EntityTooLarge")
    nothing_stored_or_started(harness, job)


def test_an_expired_policy_is_refused(harness, configure, backup):
    configure(UPLOAD_URL_SECONDS="1")
    job = slot(harness)
    time.sleep(2.1)
    refused(post(job["upload"], backup), 403, "AccessDenied")
    nothing_stored_or_started(harness, job)


def test_a_policy_signed_for_one_job_cannot_upload_into_another(harness, backup):
    """The acceptance run staged a customer's file into another job by changing the key."""
    mine, other = slot(harness), slot(harness)
    fields = {**mine["upload"]["fields"], "key": other["upload"]["fields"]["key"]}
    refused(post(mine["upload"], backup, fields), 403, "AccessDenied")
    nothing_stored_or_started(harness, mine)
    nothing_stored_or_started(harness, other)


def test_an_altered_policy_no_longer_matches_its_signature(harness, backup):
    job = slot(harness)
    policy = json.loads(base64.b64decode(job["upload"]["fields"]["policy"]))
    policy["conditions"] = [c for c in policy["conditions"] if not (isinstance(c, list) and c[0] == "eq")]
    fields = {**job["upload"]["fields"], "policy": base64.b64encode(json.dumps(policy).encode()).decode()}
    refused(post(job["upload"], backup, fields), 403, "SignatureDoesNotMatch")
    nothing_stored_or_started(harness, job)


def test_a_field_the_policy_does_not_name_is_refused(harness, backup):
    job = slot(harness)
    fields = {**job["upload"]["fields"], "x-amz-meta-note": "planted"}
    refused(post(job["upload"], backup, fields), 403, "AccessDenied")
    nothing_stored_or_started(harness, job)


def test_an_upload_is_encrypted_with_the_data_key_not_the_aws_managed_one(harness, backup):
    """Issue 16, finding 4: a POST that names `aws:kms` without a key id is stored under the
    AWS-managed aws/s3 key. The POST names no encryption, so the bucket's default (the data key)
    applies; a POST that asks for another algorithm is refused by the policy."""
    job = slot(harness)
    assert not any("server-side-encryption" in name for name in job["upload"]["fields"])
    assert post(job["upload"], backup).status_code in (200, 204)
    key = f"uploads/{CUSTOMER}/{job['jobId']}.zip"
    s3 = harness.stack.client("s3")
    try:
        head = s3.head_object(Bucket=harness.stack.name_of("UploadsBucket"), Key=key)
    except s3.exceptions.ClientError:  # the restore already consumed it: look at what it staged from
        pytest.skip("the upload was consumed before it could be inspected")
    data_key = harness.stack.client("kms").describe_key(KeyId=harness.stack.name_of("DataKey"))
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == data_key["KeyMetadata"]["Arn"]
    harness.wait_until(job["jobId"], {"awaiting-confirmation"}, CUSTOMER)

    other = slot(harness)
    fields = other["upload"]["fields"] | {"x-amz-server-side-encryption": "AES256"}
    refused(post(other["upload"], backup, fields), 403, "AccessDenied")
    nothing_stored_or_started(harness, other)
