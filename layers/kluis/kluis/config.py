"""Settings read from the environment that template.yaml (or the local stack) gives each function."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    data_bucket: str
    archives_bucket: str
    uploads_bucket: str
    jobs_table: str
    mac_key_id: str
    backup_state_machine_arn: str
    restore_state_machine_arn: str
    download_url_seconds: int
    upload_url_seconds: int
    max_upload_bytes: int
    multipart_part_size: int
    confirmation_attempts: int
    confirmation_timeout_seconds: int
    # System backups (defaults, so that code building Settings by hand need not name them).
    replica_bucket: str = ""  # empty: this deployment has no replica
    replica_region: str = ""
    system_restore_state_machine_arn: str = ""
    system_restore_price_cents: int = 7500
    noncurrent_version_retention_days: int = 400
    drill_sample_size: int = 3

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            data_bucket=env.get("DATA_BUCKET", ""),
            archives_bucket=env.get("ARCHIVES_BUCKET", ""),
            uploads_bucket=env.get("UPLOADS_BUCKET", ""),
            jobs_table=env.get("JOBS_TABLE", ""),
            mac_key_id=env.get("MAC_KEY_ID", ""),
            backup_state_machine_arn=env.get("BACKUP_STATE_MACHINE_ARN", ""),
            restore_state_machine_arn=env.get("RESTORE_STATE_MACHINE_ARN", ""),
            download_url_seconds=_int("DOWNLOAD_URL_SECONDS", 300),
            upload_url_seconds=_int("UPLOAD_URL_SECONDS", 900),
            max_upload_bytes=_int("MAX_UPLOAD_BYTES", 20 * 1024**3),
            # The smallest part size any archive starts from; kluis.backup.choose_part_size raises it
            # for archives above ~75 GiB so 10,000 parts still fit. 8 MiB parts with 4 uploads in
            # flight keep the build step's memory low (PERFORMANCE-NOTES: 8 MiB parts, 4 threads).
            multipart_part_size=_int("S3_UPLOAD_PART_SIZE", 8 * 1024**2),
            confirmation_attempts=_int("CONFIRMATION_ATTEMPTS", 5),
            confirmation_timeout_seconds=_int("CONFIRMATION_TIMEOUT_SECONDS", 3600),
            replica_bucket=env.get("REPLICA_BUCKET", ""),
            replica_region=env.get("REPLICA_REGION", ""),
            system_restore_state_machine_arn=env.get("SYSTEM_RESTORE_STATE_MACHINE_ARN", ""),
            system_restore_price_cents=_int("SYSTEM_RESTORE_PRICE_CENTS", 7500),
            noncurrent_version_retention_days=_int("NONCURRENT_VERSION_RETENTION_DAYS", 400),
            drill_sample_size=_int("DRILL_SAMPLE_SIZE", 3),
        )
