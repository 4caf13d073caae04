"""Year-end retention archives: how long a year is kept, which years the daily sweep archives (once
per year and live data, again after a failure or a change), and that nothing unlocked is recorded.
The copy under a real lock, the state machine and the download run in tests/integration."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from kluis.flows.retention import RetentionPeriodOver
from kluis.jobs.lifecycle import Kind, Status, allowed
from kluis.jobs.model import BuiltArchive, Failure
from kluis.retention import RetentionRequest, Why, fiscal_year_end, retain_until
from kluis.scope import Scope
from kluis_tools.seed import SeedSpec
from tests.integration.harness import change_live_data

SPEC = SeedSpec(
    customer="10234",
    administrations=(("00017", ("2023", "2024")), ("00018", ("2012", "2013"))),
    entries_per_year=20,
    documents_per_year=1,
    document_bytes=4 * 1024,
    proposals=0,
)
CLOSED = Scope("10234", "00017", "2023")
OPEN = Scope("10234", "00017", "2024")
LONG_AGO = Scope("10234", "00018", "2012")


# -- how long ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("end", "years", "until"),
    [
        (date(2023, 12, 31), 7, datetime(2031, 1, 1, tzinfo=UTC)),
        (date(2023, 12, 31), 10, datetime(2034, 1, 1, tzinfo=UTC)),
        (date(2024, 6, 30), 7, datetime(2031, 7, 1, tzinfo=UTC)),  # a broken fiscal year
        (date(2024, 2, 29), 7, datetime(2031, 3, 1, tzinfo=UTC)),  # to the end of the day it ends on
    ],
)
def test_a_year_is_kept_until_the_day_after_its_end_plus_the_years(end, years, until):
    assert retain_until(end, years) == until


def test_a_year_without_an_end_date_in_its_records_ends_on_31_december():
    assert fiscal_year_end(None, "2023") == date(2023, 12, 31)
    assert fiscal_year_end(date(2024, 6, 30), "2023") == date(2024, 6, 30)


def test_only_seven_or_ten_years_can_be_asked_for():
    assert RetentionRequest(years=10).years == 10
    with pytest.raises(ValidationError):
        RetentionRequest(years=8)


def test_a_retention_archive_is_ready_only_after_its_locked_copy():
    assert allowed(Kind.BACKUP, Status.BUILDING, Status.RETAINING)
    assert allowed(Kind.BACKUP, Status.RETAINING, Status.READY)
    assert allowed(Kind.BACKUP, Status.RETAINING, Status.FAILED)


# -- which years, and how often ------------------------------------------------------------------
def test_a_closed_year_gets_one_archive_and_an_open_year_or_one_long_past_none(w):
    report = w.closed_years.run(budget_seconds=60)
    assert list(report.started) == [str(CLOSED)]
    job = w.jobs.get_backup(CLOSED.customer, report.started[str(CLOSED)])
    assert job.retention == RetentionRequest(years=7, why=Why.CLOSED)
    assert job.include_documents and job.requested_by == "kluis"
    assert w.closed_years.run(budget_seconds=60).started == {}  # claimed: once per live data


def test_a_failed_archive_is_made_again_by_the_next_run(w):
    first = w.closed_years.run(budget_seconds=60).started[str(CLOSED)]
    job = w.jobs.get_backup(CLOSED.customer, first)
    w.jobs.move(job, Status.FAILED, failure=Failure(code="backup.fault", params={"job": first}))
    again = w.closed_years.run(budget_seconds=60).started
    assert list(again) == [str(CLOSED)] and again[str(CLOSED)] != first


def test_a_change_to_a_closed_year_gets_a_new_archive(w):
    w.closed_years.run(budget_seconds=60)
    change_live_data(w.store, CLOSED)
    assert list(w.closed_years.run(budget_seconds=60).started) == [str(CLOSED)]


def test_a_run_out_of_time_is_continued_by_the_next_so_every_closed_year_is_reached(w):
    clock = {"now": time.time()}
    w.closed_years.walk.clock = lambda: clock["now"]
    consider = w.closed_years.consider

    def slow(scope: Scope) -> str | None:  # each administration/year takes a minute
        clock["now"] += 60
        return consider(scope)

    w.closed_years.consider = slow
    first = w.closed_years.run(budget_seconds=90)  # two of the four: 00017/2023 and 00017/2024
    assert first.walked.unfinished and first.walked.visited == 2
    assert list(first.started) == [str(CLOSED)]
    second = w.closed_years.run(budget_seconds=90)  # goes on with 00018/2012 and 00018/2013
    assert second.walked.started_after == str(OPEN) and second.walked.visited == 2
    assert not second.walked.unfinished and second.started == {}  # 00018's years are long past
    third = w.closed_years.run(budget_seconds=300)
    assert third.walked.started_after is None and third.walked.visited == 4


def test_a_request_for_a_year_whose_period_is_over_is_refused(w):
    with pytest.raises(RetentionPeriodOver) as refused:
        w.retention.request(LONG_AGO, 7, Why.REQUESTED, requested_by="user-1")
    assert refused.value.reason.params == {"administration": "00018", "year": "2012", "years": 7}
    assert w.jobs.recent(LONG_AGO.customer, LONG_AGO.administration, LONG_AGO.year) == []


def test_ten_years_keep_a_year_whose_seven_have_passed():
    # 2018 ended 2018-12-31: seven years ran out on 2026-01-01, ten run until 2029-01-01.
    now = time.time()
    assert (
        retain_until(date(2018, 12, 31), 7).timestamp()
        < now
        < retain_until(date(2018, 12, 31), 10).timestamp()
    )


# -- the locked copy -----------------------------------------------------------------------------
def test_a_copy_that_is_not_locked_is_never_recorded(w):
    """moto's in-process S3 completes a multipart copy without its Object Lock (the local stack's
    S3 applies it, as S3 does): exactly the store that must never be trusted blindly."""
    job_id = w.closed_years.run(budget_seconds=60).started[str(CLOSED)]
    job = w.jobs.get_backup(CLOSED.customer, job_id)
    w.s3.put_object(Bucket="archives", Key=f"archives/10234/{job_id}.zip", Body=b"PK\x05\x06" + bytes(18))
    head = w.store.head(CLOSED)
    assert head is not None
    archive = BuiltArchive(
        key=f"archives/10234/{job_id}.zip",
        size=22,
        generation=head.generation,
        created_at="2026-11-26T10:00:00+00:00",
        records=1,
        documents=0,
        bytes=22,
    )
    built = w.jobs.move(w.jobs.move(job, Status.BUILDING), Status.RETAINING, archive=archive)
    with pytest.raises(RuntimeError, match="without its COMPLIANCE lock"):
        w.retention.retain(built)
    assert w.retained.of_customer("10234") == []
    assert w.jobs.get_backup("10234", job_id).status is Status.RETAINING


def test_the_retain_step_refuses_a_job_that_is_not_a_built_retention_archive(w):
    job_id = w.closed_years.run(budget_seconds=60).started[str(CLOSED)]
    with pytest.raises(ValueError, match="not a built retention archive"):
        w.retention.retain(w.jobs.get_backup("10234", job_id))
