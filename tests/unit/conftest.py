"""Shared fixtures of the unit tests: a small Kluis deployment inside moto's in-process mock.

`world()` wires the real `kluis.runtime.resources.Resources` to mocked buckets, a jobs table and a
KMS HMAC key, so a test calls the same services a Lambda does, with no state machine around them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import moto.s3.models
import pytest
from moto import mock_aws

from kluis.runtime.resources import Resources
from kluis.settings import Settings
from kluis.storage.data import DataStore
from kluis.storage.versions import VersionReader

REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def in_process_aws_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every mock_aws of these tests is moto's in-process mock, whatever a local stack set.

    A local stack (the integration and browser tests' session fixture) points AWS_ENDPOINT_URL at
    its server for the rest of the pytest run, and mock_aws does not intercept such an endpoint:
    a unit test run after them talked to that live stack instead (found when one passed alone and
    failed in `make test`: the stack applies Object Lock to multipart copies, the mock does not).
    """
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)


class World(Resources):
    """Resources of a deployment in moto, with what tests need beyond a Lambda's view."""

    def use_replica(self, bucket: str) -> None:
        """System restores may read `bucket` (one the test made) as the replica."""
        self.sources.readers["replica"] = VersionReader(self.s3, bucket)


@contextmanager
def world(part_size: int = 64 * 1024, confirmation_attempts: int = 3) -> Iterator[World]:
    original = moto.s3.models.S3_UPLOAD_PART_MIN_SIZE
    moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = 1024  # let tests use tiny multipart parts
    try:
        with mock_aws():
            yield _build(part_size, confirmation_attempts)
    finally:
        moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = original


def _build(part_size: int, confirmation_attempts: int) -> World:
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in ("data", "archives", "uploads"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(
        Bucket="retention",
        CreateBucketConfiguration={"LocationConstraint": REGION},
        ObjectLockEnabledForBucket=True,
    )
    # Flows that start a backup need a state machine to start; what it runs is the integration
    # tests' business (they run the real ASL with the real handlers).
    backups = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="backups",
        definition='{"StartAt": "Queued", "States": {"Queued": {"Type": "Pass", "End": true}}}',
        roleArn="arn:aws:iam::123456789012:role/backups",
    )["stateMachineArn"]
    boto3.resource("dynamodb", region_name=REGION).create_table(
        TableName="jobs",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )
    kms = boto3.client("kms", region_name=REGION)
    key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    settings = Settings.from_env(
        {
            "DATA_BUCKET": "data",
            "ARCHIVES_BUCKET": "archives",
            "UPLOADS_BUCKET": "uploads",
            "JOBS_TABLE": "jobs",
            "RETENTION_BUCKET": "retention",
            "BACKUP_STATE_MACHINE_ARN": backups,
            "MAC_KEY_ID": key,
            "MAX_UPLOAD_BYTES": str(1024**3),
            "S3_UPLOAD_PART_SIZE": str(part_size),
            "CONFIRMATION_ATTEMPTS": str(confirmation_attempts),
            "CONFIRMATION_TIMEOUT_SECONDS": "60",
        }
    )
    return World(settings, boto3.session.Session(region_name=REGION))


@pytest.fixture
def s3() -> Iterator[Any]:
    """A mocked S3 client with one empty bucket, `test`."""
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket="test", CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture
def store() -> Iterator[DataStore]:
    """The data bucket of an empty deployment."""
    with world() as w:
        yield w.store


@pytest.fixture
def w(request: pytest.FixtureRequest) -> Iterator[World]:
    """A deployment whose data bucket holds the test module's `SPEC` (if it has one), seeded.

    The module's `PART_SIZE` (if any) sets the multipart part size, so small archives span parts.
    """
    from kluis_tools.seed import seed

    with world(part_size=getattr(request.module, "PART_SIZE", 64 * 1024)) as deployment:
        spec = getattr(request.module, "SPEC", None)
        if spec is not None:
            seed(deployment.store, spec)
        yield deployment


@pytest.fixture(scope="module")
def deployment() -> Iterator[World]:
    """One empty deployment for a whole test module, for tests that never share an item."""
    with world() as shared:
        yield shared
