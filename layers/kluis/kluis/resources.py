"""The deployment's resources, built once per Lambda container from the environment.

boto3 honours AWS_ENDPOINT_URL, which is how the local stack points every client at moto.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from kluis.backup import BackupBuilder
from kluis.config import Settings
from kluis.jobs import JobStore
from kluis.locks import Locks
from kluis.restore import RestoreService
from kluis.signature import ManifestSigner
from kluis.store import DataStore
from kluis.system_restore import RequestStore, SystemRestoreService, VersionReader

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32)


class Resources:
    def __init__(
        self, settings: Settings | None = None, session: boto3.session.Session | None = None
    ) -> None:
        self._settings = settings
        self.session = session or boto3.session.Session()

    @property
    def settings(self) -> Settings:
        """Read at use, not at import: cheap, and the local stack's tests may change a setting."""
        return self._settings or Settings.from_env()

    def client(self, service: str) -> Any:
        return self.session.client(service, config=CLIENT_CONFIG)

    @cached_property
    def s3(self) -> Any:
        # SigV4 is what presigned URLs of KMS-encrypted objects require.
        return self.session.client("s3", config=CLIENT_CONFIG.merge(Config(signature_version="s3v4")))

    @cached_property
    def kms(self) -> Any:
        return self.client("kms")

    @cached_property
    def stepfunctions(self) -> Any:
        return self.client("stepfunctions")

    @cached_property
    def dynamodb(self) -> Any:
        return self.session.resource("dynamodb", config=CLIENT_CONFIG)

    @cached_property
    def store(self) -> DataStore:
        return DataStore(self.s3, self.settings.data_bucket)

    @cached_property
    def jobs(self) -> JobStore:
        return JobStore(self.dynamodb, self.settings.jobs_table)

    @cached_property
    def signer(self) -> ManifestSigner:
        return ManifestSigner(self.kms, self.settings.mac_key_id)

    @cached_property
    def locks(self) -> Locks:
        return Locks(self.dynamodb, self.settings.jobs_table)

    @property
    def backup_builder(self) -> BackupBuilder:
        settings = self.settings
        return BackupBuilder(
            self.store,
            self.jobs,
            self.s3,
            settings.archives_bucket,
            self.signer,
            self.locks,
            part_size=settings.multipart_part_size,
        )

    @property
    def restores(self) -> RestoreService:
        return RestoreService(
            self.settings, self.store, self.jobs, self.locks, self.s3, self.stepfunctions, self.signer
        )

    @cached_property
    def requests(self) -> RequestStore:
        return RequestStore(self.dynamodb, self.settings.jobs_table)

    def readers(self) -> dict[str, VersionReader]:
        """Where system backups are read: the data bucket, and the replica (in its own region) if any."""
        readers = {"primary": VersionReader(self.s3, self.settings.data_bucket)}
        if self.settings.replica_bucket:
            replica = self.session.client(
                "s3",
                region_name=self.settings.replica_region or None,
                config=CLIENT_CONFIG.merge(Config(signature_version="s3v4")),
            )
            readers["replica"] = VersionReader(replica, self.settings.replica_bucket)
        return readers

    @property
    def system_restores(self) -> SystemRestoreService:
        return SystemRestoreService(
            self.store,
            self.requests,
            self.locks,
            self.readers(),
            self.stepfunctions,
            self.settings.system_restore_state_machine_arn,
        )
