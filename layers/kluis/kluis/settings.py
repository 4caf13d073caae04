"""The settings template.yaml (or the local stack) gives a function, read and checked once at cold start.

Each handler says which variables it cannot do without (`Settings.from_env(require=...)`); a missing
one, or any malformed one, stops the cold start with an error naming the variable, never a silent
empty string. Where a component needs a name the function was not given, `Settings.given` says which
variable is missing. This is the only module that reads the environment for the product's settings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kluis.retention import RetentionYears

T = TypeVar("T")
MIB = 1024 * 1024
ARN = re.compile(r"arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^\s]+")
NAME = re.compile(r"[A-Za-z0-9._:/+-]{1,255}")


class SettingsError(Exception):
    """The function's environment lacks a variable it needs, or holds a malformed one."""


class Settings(BaseModel):
    """Every setting of every function; names of resources are None where a function has none."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    data_bucket: str | None = Field(None, alias="DATA_BUCKET")
    archives_bucket: str | None = Field(None, alias="ARCHIVES_BUCKET")
    uploads_bucket: str | None = Field(None, alias="UPLOADS_BUCKET")
    jobs_table: str | None = Field(None, alias="JOBS_TABLE")
    audit_bucket: str | None = Field(None, alias="AUDIT_BUCKET")
    retention_bucket: str | None = Field(None, alias="RETENTION_BUCKET")
    mac_key_id: str | None = Field(None, alias="MAC_KEY_ID")
    backup_state_machine_arn: str | None = Field(None, alias="BACKUP_STATE_MACHINE_ARN")
    restore_state_machine_arn: str | None = Field(None, alias="RESTORE_STATE_MACHINE_ARN")
    system_restore_state_machine_arn: str | None = Field(None, alias="SYSTEM_RESTORE_STATE_MACHINE_ARN")
    auditfile_state_machine_arn: str | None = Field(None, alias="AUDITFILE_STATE_MACHINE_ARN")
    replica_bucket: str | None = Field(None, alias="REPLICA_BUCKET")  # None: no replica
    replica_region: str | None = Field(None, alias="REPLICA_REGION")
    customer_claim: str = Field("custom:customer", alias="CUSTOMER_CLAIM")
    # A token whose role claim says "read-only" may only read (a customer whose licence ended
    # downloads its retained years; an auditor looks): every other request is refused with 403.
    role_claim: str = Field("custom:kluis_role", alias="ROLE_CLAIM")
    download_url_seconds: int = Field(300, alias="DOWNLOAD_URL_SECONDS", ge=1, le=7 * 86400)
    upload_url_seconds: int = Field(900, alias="UPLOAD_URL_SECONDS", ge=1, le=7 * 86400)
    max_upload_bytes: int = Field(20 * 1024**3, alias="MAX_UPLOAD_BYTES", ge=1)
    # A restore file stated above this size is uploaded in parts (presigned UploadPart URLs), below it
    # by one presigned POST (which S3 limits to 5 GB): kluis.flows.restore.uploads.
    restore_multipart_threshold: int = Field(100 * MIB, alias="RESTORE_MULTIPART_THRESHOLD", ge=1)
    # The smallest part size of a restore's upload in parts, raised so 10,000 parts hold MAX_UPLOAD_BYTES.
    # S3 needs parts of at least 5 MiB (but the last); tests against moto go lower.
    restore_part_size: int = Field(16 * MIB, alias="RESTORE_UPLOAD_PART_SIZE", ge=1024, le=5 * 1024**3)
    # The smallest part size any archive starts from; kluis.storage.multipart.choose_part_size
    # raises it for archives above ~75 GiB so 10,000 parts still fit. Tests against moto go below
    # S3's 5 MiB minimum.
    multipart_part_size: int = Field(8 * MIB, alias="S3_UPLOAD_PART_SIZE", ge=1024)
    confirmation_attempts: int = Field(5, alias="CONFIRMATION_ATTEMPTS", ge=1, le=100)
    confirmation_timeout_seconds: int = Field(3600, alias="CONFIRMATION_TIMEOUT_SECONDS", ge=1)
    # How long a restore may wait for its file before the sweeper expires it (kluis.flows.stale_restores).
    restore_upload_wait_seconds: int = Field(86400, alias="RESTORE_UPLOAD_WAIT_SECONDS", ge=1)
    system_restore_price_cents: int = Field(7500, alias="SYSTEM_RESTORE_PRICE_CENTS", ge=0)
    noncurrent_version_retention_days: int = Field(400, alias="NONCURRENT_VERSION_RETENTION_DAYS", ge=1)
    archive_retention_days: int = Field(7, alias="ARCHIVE_RETENTION_DAYS", ge=1)  # the archives' expiry
    drill_sample_size: int = Field(3, alias="DRILL_SAMPLE_SIZE", ge=1, le=1000)
    # Years a closed fiscal year is kept under Object Lock after its end (kluis.retention).
    retention_years: RetentionYears = Field(7, alias="RETENTION_YEARS")
    retention_storage_class: Literal["STANDARD", "STANDARD_IA", "GLACIER_IR"] = Field(
        "GLACIER_IR", alias="RETENTION_STORAGE_CLASS"
    )
    # Days a restore can be undone; fractions are for tests. Jobs are kept longer than this.
    undo_window_days: float = Field(30.0, alias="UNDO_WINDOW_DAYS", gt=0, le=365)
    # Generations younger than this are never swept (a stage whose job is not recorded yet, a seed).
    sweep_grace_days: float = Field(1.0, alias="SWEEP_GRACE_DAYS", ge=0, le=30)
    backups_per_hour_per_customer: int = Field(60, alias="BACKUPS_PER_HOUR_PER_CUSTOMER", ge=1)
    backups_per_hour_per_administration: int = Field(10, alias="BACKUPS_PER_HOUR_PER_ADMINISTRATION", ge=1)
    restores_per_hour_per_customer: int = Field(30, alias="RESTORES_PER_HOUR_PER_CUSTOMER", ge=1)
    restores_per_hour_per_administration: int = Field(5, alias="RESTORES_PER_HOUR_PER_ADMINISTRATION", ge=1)
    auditfiles_per_hour_per_customer: int = Field(20, alias="AUDITFILES_PER_HOUR_PER_CUSTOMER", ge=1)
    # A long step (build, validate) stops this many seconds before its Lambda timeout to checkpoint;
    # the caps exist for tests, which make a small job take many invocations (down to one entry each).
    build_safety_margin_seconds: float = Field(60.0, alias="BUILD_SAFETY_MARGIN_SECONDS", ge=0)
    build_time_budget_seconds: float | None = Field(None, alias="BUILD_TIME_BUDGET_SECONDS", ge=0)
    stage_safety_margin_seconds: float = Field(60.0, alias="STAGE_SAFETY_MARGIN_SECONDS", ge=0)
    stage_time_budget_seconds: float | None = Field(None, alias="STAGE_TIME_BUDGET_SECONDS", ge=0)

    @field_validator(
        "data_bucket",
        "archives_bucket",
        "uploads_bucket",
        "jobs_table",
        "audit_bucket",
        "retention_bucket",
        "mac_key_id",
        "replica_bucket",
        "replica_region",
    )
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not NAME.fullmatch(value):
            raise ValueError("is not a resource name")
        return value

    @field_validator(
        "backup_state_machine_arn",
        "restore_state_machine_arn",
        "system_restore_state_machine_arn",
        "auditfile_state_machine_arn",
    )
    @classmethod
    def _arn(cls, value: str | None) -> str | None:
        if value is not None and not ARN.fullmatch(value):
            raise ValueError("is not an ARN")
        return value

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require: Iterable[str] = ()) -> Settings:
        """The settings in `env` (the process environment by default); `require` names variables."""
        source = os.environ if env is None else env
        # An empty variable is an unset one: template.yaml gives "" for an optional parameter left empty.
        given = {name: value for name, value in source.items() if value != "" and name in ALIASES}
        missing = [name for name in require if name not in given]
        if missing:
            raise SettingsError(f"{', '.join(missing)} must be set for this function, and is not")
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            problems = "; ".join(
                f"{error_detail['loc'][0]}={given.get(str(error_detail['loc'][0]), '')!r} "
                f"{error_detail['msg']}"
                for error_detail in error.errors()
            )
            raise SettingsError(f"malformed settings: {problems}") from error

    def given(self, value: T | None, variable: str) -> T:
        """`value`, which comes from `variable`; an error naming the variable if it was not set."""
        if value is None:
            raise SettingsError(f"{variable} must be set for this function, and is not")
        return value

    def time_budget(self, remaining_millis: int, step: str) -> float:
        """Seconds a long step (`build` or `stage`) may work in this invocation before checkpointing."""
        margin = self.build_safety_margin_seconds if step == "build" else self.stage_safety_margin_seconds
        cap = self.build_time_budget_seconds if step == "build" else self.stage_time_budget_seconds
        budget = remaining_millis / 1000 - margin
        return min(budget, cap) if cap is not None else budget


ALIASES = frozenset(str(field.alias) for field in Settings.model_fields.values())
