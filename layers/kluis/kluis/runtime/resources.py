"""The deployment's resources, wired once per Lambda container from the function's settings.

Clients and services are made on first use and kept for the container's life. boto3 honours
AWS_ENDPOINT_URL, which is how the local stack points every client at moto.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3
from botocore.config import Config

from kluis.archive.signature import ManifestSigner
from kluis.flows.audit_export import AuditExport
from kluis.flows.auditfiles import Auditfiles
from kluis.flows.backup.build import BackupBuilder
from kluis.flows.backup.checkpoint import Checkpoints
from kluis.flows.backup.cleanup import BackupCleanup
from kluis.flows.failures import JobFailures
from kluis.flows.limits import Quotas, StartLimits
from kluis.flows.restore.apply import Apply
from kluis.flows.restore.cleanup import Cleanup
from kluis.flows.restore.confirmation import AwaitConfirmation, Confirmations
from kluis.flows.restore.staging import Staging
from kluis.flows.restore.undo import Undo
from kluis.flows.restore.uploads import RestoreUploads
from kluis.flows.retention import ClosedYears, Retention
from kluis.flows.stale_restores import StaleRestoreSweeper
from kluis.flows.sweeper import Sweeper
from kluis.flows.system_restore.drill import Drill
from kluis.flows.system_restore.fulfilment import Fulfilment, Sources
from kluis.settings import Settings
from kluis.storage.audit import AuditLog
from kluis.storage.bookmarks import Bookmarks
from kluis.storage.data import DataStore
from kluis.storage.drills import DrillLog
from kluis.storage.jobs import RETENTION_DAYS, JobStore
from kluis.storage.limits import RateLimits
from kluis.storage.locks import Locks
from kluis.storage.requests import RequestStore
from kluis.storage.retained import RetainedArchives
from kluis.storage.stale import StaleRestores
from kluis.storage.versions import VersionReader

# A connection for every request a step keeps in flight (the build: up to 64 GETs ahead and its part
# uploads; validation: 8 ranged GETs and 32 writes): beyond the pool, each request would open a
# connection (a TCP and TLS handshake on AWS) that the pool then throws away.
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=80)
# SigV4 is what presigned URLs of KMS-encrypted objects require. Virtual-hosted addressing makes
# presigned URLs and POSTs name the regional endpoint (<bucket>.s3.<region>.amazonaws.com): by default
# botocore presigns for the global one, which answers a new bucket outside us-east-1 with a 307 for up
# to a day, and a browser's cross-origin POST does not follow that. Against an IP endpoint (the local
# stack's 127.0.0.1) botocore keeps path style. tests/unit/test_presigned_endpoint.py.
S3_CONFIG = CLIENT_CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
# HEAD flips: a write that has landed or failed well within Apply's flip window (flows.restore.apply),
# so one attempt, short timeouts; the state machine retries a failed Apply.
HEAD_CONFIG = S3_CONFIG.merge(
    Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 1})
)


class Resources:
    def __init__(self, settings: Settings, session: boto3.session.Session | None = None) -> None:
        self.settings = settings
        self.session = session or boto3.session.Session()

    # -- clients ------------------------------------------------------------------------------------
    @cached_property
    def s3(self) -> Any:
        return self.session.client("s3", config=S3_CONFIG)

    @cached_property
    def head_s3(self) -> Any:
        """The client HEAD flips are written with: bounded in time (see HEAD_CONFIG)."""
        return self.session.client("s3", config=HEAD_CONFIG)

    @cached_property
    def kms(self) -> Any:
        return self.session.client("kms", config=CLIENT_CONFIG)

    @cached_property
    def stepfunctions(self) -> Any:
        return self.session.client("stepfunctions", config=CLIENT_CONFIG)

    @cached_property
    def dynamodb(self) -> Any:
        return self.session.resource("dynamodb", config=CLIENT_CONFIG)

    # -- storage ------------------------------------------------------------------------------------
    def _given(self, value: str | None, variable: str) -> str:
        return self.settings.given(value, variable)

    @cached_property
    def store(self) -> DataStore:
        return DataStore(self.s3, self._given(self.settings.data_bucket, "DATA_BUCKET"), self.head_s3)

    @cached_property
    def limits(self) -> StartLimits:
        settings = self.settings
        quotas = Quotas(
            backups_per_customer=settings.backups_per_hour_per_customer,
            backups_per_administration=settings.backups_per_hour_per_administration,
            restores_per_customer=settings.restores_per_hour_per_customer,
            restores_per_administration=settings.restores_per_hour_per_administration,
            auditfiles_per_customer=settings.auditfiles_per_hour_per_customer,
        )
        return StartLimits(RateLimits(self.dynamodb, self._given(settings.jobs_table, "JOBS_TABLE")), quotas)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.dynamodb, self._given(self.settings.jobs_table, "JOBS_TABLE"))

    @cached_property
    def jobs(self) -> JobStore:
        table = self._given(self.settings.jobs_table, "JOBS_TABLE")
        # A restore must outlive its undo window, so that the page can still offer the undo.
        retention = max(RETENTION_DAYS, int(self.settings.undo_window_days) + 7)
        return JobStore(self.dynamodb, table, self.audit, retention_days=retention)

    @cached_property
    def locks(self) -> Locks:
        return Locks(self.dynamodb, self._given(self.settings.jobs_table, "JOBS_TABLE"))

    @cached_property
    def requests(self) -> RequestStore:
        return RequestStore(self.dynamodb, self._given(self.settings.jobs_table, "JOBS_TABLE"))

    @cached_property
    def signer(self) -> ManifestSigner:
        return ManifestSigner(self.kms, self._given(self.settings.mac_key_id, "MAC_KEY_ID"))

    # -- backups ------------------------------------------------------------------------------------
    @cached_property
    def backup_cleanup(self) -> BackupCleanup:
        bucket = self._given(self.settings.archives_bucket, "ARCHIVES_BUCKET")
        return BackupCleanup(Checkpoints(self.s3, bucket), self.locks)

    @cached_property
    def backup_builder(self) -> BackupBuilder:
        return BackupBuilder(
            self.store,
            self.jobs,
            self.s3,
            self.backup_cleanup.checkpoints.bucket,
            self.signer,
            self.locks,
            self.backup_cleanup,
            part_size=self.settings.multipart_part_size,
        )

    # -- retention archives -------------------------------------------------------------------------
    @cached_property
    def retained(self) -> RetainedArchives:
        return RetainedArchives(
            self.s3,
            self._given(self.settings.retention_bucket, "RETENTION_BUCKET"),
            self.dynamodb,
            self._given(self.settings.jobs_table, "JOBS_TABLE"),
            storage_class=self.settings.retention_storage_class,
        )

    @cached_property
    def retention(self) -> Retention:
        settings = self.settings
        return Retention(
            self.store,
            self.jobs,
            self.retained,
            self.audit,
            self.stepfunctions,
            state_machine_arn=settings.backup_state_machine_arn or "",  # only the starters need it
            archives_bucket=settings.archives_bucket or "",  # only the Retain step copies
        )

    @cached_property
    def auditfiles(self) -> Auditfiles:
        settings = self.settings
        return Auditfiles(
            self.s3,
            self.jobs,
            self.retained,
            self.signer,
            self.stepfunctions,
            archives_bucket=self._given(settings.archives_bucket, "ARCHIVES_BUCKET"),
            state_machine_arn=settings.auditfile_state_machine_arn or "",  # only the API starts one
            part_size=settings.multipart_part_size,
            limits=self.limits,
        )

    @cached_property
    def bookmarks(self) -> Bookmarks:
        return Bookmarks(self.dynamodb, self.jobs.table.name)

    @cached_property
    def closed_years(self) -> ClosedYears:
        return ClosedYears(
            self.store,
            self.retained,
            self.jobs,
            self.retention,
            self.bookmarks,
            years=self.settings.retention_years,
        )

    # -- restores -----------------------------------------------------------------------------------
    @cached_property
    def uploads(self) -> RestoreUploads:
        settings = self.settings
        return RestoreUploads(
            self.jobs,
            self.s3,
            self.stepfunctions,
            bucket=self._given(settings.uploads_bucket, "UPLOADS_BUCKET"),
            max_bytes=settings.max_upload_bytes,
            url_seconds=settings.upload_url_seconds,
            multipart_threshold=settings.restore_multipart_threshold,
            part_size=settings.restore_part_size,
            state_machine_arn=settings.restore_state_machine_arn or "",
            confirmation_timeout_seconds=settings.confirmation_timeout_seconds,
            audit=self.audit,
        )

    @cached_property
    def cleanup(self) -> Cleanup:
        return Cleanup(self.jobs, self.store, self.locks, self.uploads)

    @cached_property
    def staging(self) -> Staging:
        return Staging(
            self.jobs,
            self.store,
            self.s3,
            self.signer,
            self.cleanup,
            uploads_bucket=self.uploads.bucket,
            limits=self.limits,
            max_upload_bytes=self.settings.max_upload_bytes,
            part_size=self.settings.multipart_part_size,
        )

    @cached_property
    def await_confirmation(self) -> AwaitConfirmation:
        return AwaitConfirmation(self.jobs, attempts=self.settings.confirmation_attempts)

    @cached_property
    def confirmations(self) -> Confirmations:
        return Confirmations(self.jobs, self.stepfunctions, self.uploads)

    @cached_property
    def apply(self) -> Apply:
        return Apply(self.jobs, self.store, self.locks, self.uploads)

    @cached_property
    def undo(self) -> Undo:
        settings = self.settings
        return Undo(
            self.jobs,
            self.store,
            self.stepfunctions,
            state_machine_arn=settings.restore_state_machine_arn or "",  # only the API starts undos
            window_days=settings.undo_window_days,
            confirmation_timeout_seconds=settings.confirmation_timeout_seconds,
        )

    @cached_property
    def sweeper(self) -> Sweeper:
        return Sweeper(
            self.store,
            self.jobs,
            self.locks,
            self.bookmarks,
            window_days=self.settings.undo_window_days,
            grace_days=self.settings.sweep_grace_days,
        )

    @cached_property
    def stale_restore_sweeper(self) -> StaleRestoreSweeper:
        return StaleRestoreSweeper(
            self.jobs,
            StaleRestores(self.dynamodb, self.jobs.table.name),
            self.s3,
            uploads_bucket=self._given(self.settings.uploads_bucket, "UPLOADS_BUCKET"),
            wait_seconds=self.settings.restore_upload_wait_seconds,
        )

    @cached_property
    def failures(self) -> JobFailures:
        return JobFailures(self.jobs, self.backup_cleanup, self.cleanup)

    # -- system backups -----------------------------------------------------------------------------
    @cached_property
    def sources(self) -> Sources:
        """The data bucket's versions, and the replica's (read in its own region) if there is one."""
        readers = {"primary": VersionReader(self.s3, self.store.bucket)}
        if self.settings.replica_bucket:
            replica = self.session.client("s3", region_name=self.settings.replica_region, config=S3_CONFIG)
            readers["replica"] = VersionReader(replica, self.settings.replica_bucket)
        return Sources(readers)

    @cached_property
    def fulfilment(self) -> Fulfilment:
        return Fulfilment(
            self.store,
            self.requests,
            self.locks,
            self.sources,
            self.stepfunctions,
            self.settings.system_restore_state_machine_arn or "",
        )

    @cached_property
    def audit_export(self) -> AuditExport:
        return AuditExport(self.audit, self.s3, self._given(self.settings.audit_bucket, "AUDIT_BUCKET"))

    @cached_property
    def drill(self) -> Drill:
        return Drill(self.store, self.sources, DrillLog(self.dynamodb, self.jobs.table.name))
