"""A small Kluis deployment inside moto's in-process mock, for unit tests of the kluis package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import moto.s3.models
from moto import mock_aws

from kluis.config import Settings
from kluis.jobs import JobStore
from kluis.locks import Locks
from kluis.restore import RestoreService
from kluis.signature import ManifestSigner
from kluis.store import DataStore
from kluis.system_restore import RequestStore, SystemRestoreService, VersionReader

REGION = "eu-west-1"


@dataclass
class World:
    s3: Any
    dynamodb: Any
    kms: Any
    stepfunctions: Any
    settings: Settings
    store: DataStore
    jobs: JobStore
    locks: Locks
    signer: ManifestSigner

    def requests(self) -> RequestStore:
        return RequestStore(self.dynamodb, "jobs")

    def system_restores(self, replica: str | None = None) -> SystemRestoreService:
        """Reads versions of the data bucket, and of `replica` (a bucket the test made) if given."""
        readers = {"primary": VersionReader(self.s3, "data")}
        if replica:
            readers["replica"] = VersionReader(self.s3, replica)
        return SystemRestoreService(self.store, self.requests(), self.locks, readers)

    def restores(self) -> RestoreService:
        return RestoreService(
            self.settings, self.store, self.jobs, self.locks, self.s3, self.stepfunctions, self.signer
        )


@contextmanager
def world(part_size: int = 64 * 1024) -> Iterator[World]:
    original = moto.s3.models.S3_UPLOAD_PART_MIN_SIZE
    moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = 1024  # let tests use tiny multipart parts
    try:
        with mock_aws():
            yield _build(part_size)
    finally:
        moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = original


def _build(part_size: int) -> World:
    s3 = boto3.client("s3", region_name=REGION)
    for bucket in ("data", "archives", "uploads"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket="data", VersioningConfiguration={"Status": "Enabled"})
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    dynamodb.create_table(
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
    settings = Settings(
        data_bucket="data",
        archives_bucket="archives",
        uploads_bucket="uploads",
        jobs_table="jobs",
        mac_key_id=key,
        backup_state_machine_arn="",
        restore_state_machine_arn="",
        download_url_seconds=300,
        upload_url_seconds=900,
        max_upload_bytes=1024**3,
        multipart_part_size=part_size,
        confirmation_attempts=3,
        confirmation_timeout_seconds=60,
    )
    return World(
        s3=s3,
        dynamodb=dynamodb,
        kms=kms,
        stepfunctions=boto3.client("stepfunctions", region_name=REGION),
        settings=settings,
        store=DataStore(s3, "data"),
        jobs=JobStore(dynamodb, "jobs"),
        locks=Locks(dynamodb, "jobs"),
        signer=ManifestSigner(kms, key),
    )
