"""Year-end retention archives: a closed year's complete backup, kept unalterable for 7 or 10 years.

A retention archive is a backup job with documents and a `RetentionRequest`: the backup state
machine builds it as any backup and then (its Retain step, `Retention.retain`) copies it into the
retention bucket under Object Lock (COMPLIANCE) until the end of the fiscal year plus the years, and
indexes it (`kluis.storage.retained`). It starts two ways:

- on request, for any year (`Retention.request`, POST /administrations/{a}/years/{y}/retention);
- by itself, for a closed year (`ClosedYears.run`, daily): a year whose live records say
  `status: closed` gets one, and gets another when its live data changes after that (a restore onto
  a closed year), since the law asks for the books as they were kept. A claim per year and live
  generation makes that one archive, however often or concurrently the sweep runs; a claim whose job
  failed is taken over by the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from kluis.audit import SYSTEM, Action, Entry
from kluis.books import records
from kluis.errors import KluisError
from kluis.flows.backup.start import start_backup
from kluis.flows.limits import StartLimits
from kluis.flows.scope_walk import ScopeWalk, Walked
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import BackupJob, RetainedCopy, new_job_id, now_iso
from kluis.retention import RetentionRequest, RetentionYears, Why, fiscal_year_end, retain_until
from kluis.scope import NoSuchScope, Scope
from kluis.storage.audit import AuditLog
from kluis.storage.bookmarks import Bookmarks
from kluis.storage.data import DataStore, GenerationRecords
from kluis.storage.jobs import JobNotFound, JobStore
from kluis.storage.retained import RetainedArchive, RetainedArchives

LOG = logging.getLogger(__name__)
BOOKMARK = "retain-closed-years"
# A lock must end in the future; a year whose period ends sooner than this is not worth locking.
MIN_REMAINING = timedelta(days=1)


class RetentionPeriodOver(KluisError):
    """The fiscal year ended so long ago that its legal retention period is already over."""

    default_code = "retention.period_over"
    http_status = 409


@dataclass
class ClosedYearsReport:
    started: dict[str, str] = field(default_factory=dict)  # scope -> job id
    walked: Walked = field(default_factory=Walked)  # where it started, how many, whether it finished


class Retention:
    def __init__(
        self,
        store: DataStore,
        jobs: JobStore,
        retained: RetainedArchives,
        audit: AuditLog,
        stepfunctions: Any,
        *,
        state_machine_arn: str,
        archives_bucket: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.jobs = jobs
        self.retained = retained
        self.audit = audit
        self.stepfunctions = stepfunctions
        self.state_machine_arn = state_machine_arn
        self.archives_bucket = archives_bucket
        self.clock = clock

    # -- starting one -----------------------------------------------------------------------------
    def request(
        self,
        scope: Scope,
        years: RetentionYears,
        why: Why,
        *,
        requested_by: str,
        limits: StartLimits | None = None,
        job_id: str | None = None,
    ) -> BackupJob:
        """Start a retention archive of the live data of `scope` (with documents)."""
        head = self.store.head(scope)
        if head is None:
            raise NoSuchScope(administration=scope.administration, year=scope.year)
        self.period(scope, head.generation, years)  # refuses a year whose period is over
        return start_backup(
            self.store,
            self.jobs,
            self.stepfunctions,
            self.state_machine_arn,
            scope,
            include_documents=True,
            requested_by=requested_by,
            limits=limits,
            retention=RetentionRequest(years=years, why=why),
            job_id=job_id,
        )

    def period(self, scope: Scope, generation: str, years: int) -> tuple[date, datetime]:
        """The fiscal year's last day (its records', or 31 December) and when a lock of `years` ends."""
        year = records.fiscal_year(GenerationRecords(self.store, scope, generation))
        end = fiscal_year_end(year.end if year else None, scope.year)
        until = retain_until(end, years)
        if until - datetime.fromtimestamp(self.clock(), UTC) < MIN_REMAINING:
            raise RetentionPeriodOver(administration=scope.administration, year=scope.year, years=years)
        return end, until

    # -- the Retain step of the backup state machine ------------------------------------------------
    def retain(self, job: BackupJob) -> BackupJob:
        """Copy the built archive under Object Lock, index it, and make the job ready. A retry after
        the copy finds the job ready and does nothing; a retry after a copy that was not recorded
        copies again (a second locked version of the same archive, harmless)."""
        if job.status is Status.READY and job.retained is not None:
            return job
        if job.retention is None or job.archive is None or job.status is not Status.RETAINING:
            raise ValueError(f"job {job.job_id} is not a built retention archive ({job.status})")
        scope, archive = job.scope, job.archive
        end, until = self.period(scope, archive.generation, job.retention.years)
        version, size = self.retained.copy_in(
            self.archives_bucket, archive.key, scope, job.job_id, until, job.retention.years
        )
        retained = RetainedArchive(
            customer=scope.customer,
            administration=scope.administration,
            year=scope.year,
            archive_id=job.job_id,
            key=self.retained.key_of(scope, job.job_id),
            version_id=version,
            size=size,
            manifest_sha256=archive.manifest_sha256,
            generation=archive.generation,
            years=job.retention.years,
            why=job.retention.why,
            fiscal_year_end=end.isoformat(),
            retain_until=until.isoformat(timespec="seconds"),
            created_at=now_iso(),
        )
        self.retained.record(retained)
        self.audit.append(
            Entry(
                customer=scope.customer,
                actor=SYSTEM,
                action=Action.RETENTION_ARCHIVED,
                administration=scope.administration,
                year=scope.year,
                job_id=job.job_id,
                manifest_sha256=archive.manifest_sha256,
                detail=f"locked until {retained.retain_until} ({retained.years} years)",
            )
        )
        copy = RetainedCopy(key=retained.key, version_id=version, retain_until=retained.retain_until)
        return self.jobs.move(job, Status.READY, retained=copy)


class ClosedYears:
    """The daily sweep that gives every closed year (and every change to one) its retention archive."""

    def __init__(
        self,
        store: DataStore,
        retained: RetainedArchives,
        jobs: JobStore,
        retention: Retention,
        bookmarks: Bookmarks,
        *,
        years: RetentionYears,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.retained = retained
        self.jobs = jobs
        self.retention = retention
        self.years = years
        # A run that ends on its budget leaves a bookmark; the next goes on after it.
        self.walk = ScopeWalk(store, bookmarks, BOOKMARK, clock)

    def run(self, budget_seconds: float) -> ClosedYearsReport:
        report = ClosedYearsReport()
        for scope in self.walk.scopes(budget_seconds, report.walked):
            job_id = self.consider(scope)
            if job_id is not None:
                report.started[str(scope)] = job_id
        return report

    def consider(self, scope: Scope) -> str | None:
        """Start a retention archive of `scope` if it is closed and its live data has none yet."""
        head = self.store.head(scope)
        if head is None:
            return None
        year = records.fiscal_year(GenerationRecords(self.store, scope, head.generation))
        if year is None or year.status != "closed":
            return None
        replacing = None
        claimed = self.retained.claimed(scope)
        if claimed is not None and claimed[0] == head.generation:
            if not self._failed(scope, claimed[1]):
                return None  # retained, or on its way
            replacing = claimed[1]
        try:
            self.retention.period(scope, head.generation, self.years)
        except RetentionPeriodOver:
            return None  # closed long ago: no duty to keep it any more
        return self._start(scope, head.generation, replacing)

    def _failed(self, scope: Scope, job_id: str) -> bool:
        """The claiming job failed, or never came to be (its start failed after the claim)."""
        try:
            return self.jobs.get_backup(scope.customer, job_id).status is Status.FAILED
        except JobNotFound:
            return True

    def _start(self, scope: Scope, generation: str, replacing: str | None) -> str | None:
        job_id = new_job_id()  # the claim names the job before it exists
        if not self.retained.claim(scope, generation, job_id, replacing=replacing):
            return None  # another run claimed it first
        job = self.retention.request(scope, self.years, Why.CLOSED, requested_by=SYSTEM, job_id=job_id)
        LOG.info("retention archive started", extra={"scope": str(scope), "job": job.job_id})
        return job.job_id
