"""The opening every step of a job's state machine shares, written once.

A step's event names the job (`jobId`, `customer`). The step's logs carry the job id; the job is
read, and typed, before the step's work; and an AWS failure worth retrying, in the read or in the
work, becomes the `TransientError` the ASL's Retry names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from aws_lambda_powertools import Logger

from kluis.jobs.model import JobBase
from kluis.runtime.logs import log_keys
from kluis.storage.jobs import JobStore
from kluis.transient import retried_by_the_state_machine

J = TypeVar("J", bound=JobBase)


class WrongJobKind(Exception):
    """A step was started for a job of another kind: a wiring fault, never a user's doing."""


@contextmanager
def job_step(logger: Logger, jobs: JobStore, event: Mapping[str, Any], kind: type[J]) -> Iterator[J]:
    """`with job_step(logger, jobs, event, RestoreJob) as job:` the job of this step, for its work."""
    log_keys(logger, job=event["jobId"])
    with retried_by_the_state_machine():
        job = jobs.get(event["customer"], event["jobId"])  # a lost read is transient too
        if not isinstance(job, kind):
            raise WrongJobKind(f"job {job.job_id} is a {job.kind}, not a {kind.__name__}")
        yield job
