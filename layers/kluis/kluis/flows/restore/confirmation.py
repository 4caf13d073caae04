"""The gate before a restore replaces anything: a verification code typed back, in limited attempts.

The AwaitConfirmation step (`.waitForTaskToken`) puts a code and the task token on the job; the API
checks what the user types (`confirm`), counts wrong codes, and lets the user cancel. The right code
sends the task token back, and the execution goes on to Apply.

The code is not a secret from its owner (GET /jobs/{id} shows it to them); it makes the replacement
a conscious act and ties the confirmation to this one job. Compared in constant time all the same,
and only a limited number of wrong attempts are allowed.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from kluis.errors import KluisError, Reason
from kluis.flows.restore.uploads import RestoreUploads
from kluis.jobs.lifecycle import Status
from kluis.jobs.model import Confirmation, Failure, RestoreJob
from kluis.storage.jobs import JobStateConflict, JobStore

CODE_DIGITS = 6
CODE_PATTERN = re.compile(r"[0-9]{6}")
# Errors the AwaitConfirmation step's Catch sends to Discard (restore.asl.json).
CANCELLED_ERROR = "RestoreCancelled"
TOO_MANY_ATTEMPTS_ERROR = "TooManyAttempts"


class WrongCode(KluisError):
    default_code = "restore.wrong_code"

    def __init__(self, attempts_left: int) -> None:
        if attempts_left:
            super().__init__(attemptsLeft=attempts_left)
        else:
            super().__init__("restore.wrong_code_last")
        self.attempts_left = attempts_left


class AwaitConfirmation:
    """The step: a fresh code and the task token on the job; the execution waits for the API."""

    def __init__(self, jobs: JobStore, *, attempts: int = 5) -> None:
        self.jobs = jobs
        self.attempts = attempts

    def begin(self, job: RestoreJob, task_token: str, timeout_seconds: int) -> RestoreJob:
        """Wait for the code. Run again (Step Functions retries a throttled or failed invocation, with a
        new task token), it keeps the code the user may already read and the attempts already used."""
        expires = datetime.now(UTC) + timedelta(seconds=timeout_seconds)
        shown = job.confirmation if job.status is Status.AWAITING_CONFIRMATION else None
        confirmation = Confirmation(
            code=shown.code if shown else new_code(),
            attempts_left=shown.attempts_left if shown else self.attempts,
            expires_at=expires.isoformat(timespec="seconds"),
            task_token=task_token,
        )
        return self.jobs.move(job, Status.AWAITING_CONFIRMATION, confirmation=confirmation)


class Confirmations:
    """The API: the code typed back (or a wrong one counted), and a cancel."""

    def __init__(self, jobs: JobStore, stepfunctions: Any, uploads: RestoreUploads) -> None:
        self.jobs = jobs
        self.stepfunctions = stepfunctions
        self.uploads = uploads

    def confirm(self, customer: str, job_id: str, code: str) -> RestoreJob:
        """Send the task token on the right code; count a wrong one (and end the restore at the limit)."""
        job = self.jobs.get_restore(customer, job_id)
        if job.status is not Status.AWAITING_CONFIRMATION or job.confirmation is None:
            raise JobStateConflict("restore.not_awaiting_confirmation", status=str(job.status))
        if not matches(job.confirmation.code, code):
            raise self._wrong_code(job, job.confirmation)
        moved = self.jobs.move(job, Status.APPLYING)
        try:
            self.stepfunctions.send_task_success(
                taskToken=job.confirmation.task_token, output=json.dumps({"confirmed": True})
            )
        except ClientError as error:  # the wait timed out at this very moment: the execution expires it
            raise JobStateConflict("restore.code_expired") from error
        return moved

    def _wrong_code(self, job: RestoreJob, confirmation: Confirmation) -> WrongCode:
        left = confirmation.attempts_left - 1
        # Conditional on the count read, so two wrong codes sent at once both count.
        counted = Attr("confirmation.attempts_left").eq(confirmation.attempts_left)
        fewer = confirmation.model_copy(update={"attempts_left": left})
        if left > 0:
            self.jobs.update(job, condition=counted, confirmation=fewer)
            return WrongCode(left)
        reason = Reason("restore.too_many_attempts")
        self.jobs.move(
            job, Status.REJECTED, condition=counted, confirmation=fewer, failure=Failure.of(reason)
        )
        self._fail_task(confirmation, TOO_MANY_ATTEMPTS_ERROR, reason)
        return WrongCode(0)

    def cancel(self, customer: str, job_id: str, *, only_upload: bool = False) -> RestoreJob:
        """Cancel a restore that awaits its file or its code (`only_upload`: its file only)."""
        job = self.jobs.get_restore(customer, job_id)
        if only_upload and job.status is not Status.AWAITING_UPLOAD:
            raise JobStateConflict("restore.not_awaiting_upload", status=str(job.status))
        cancelled = Failure.of(Reason("restore.cancelled"))
        if job.status is Status.AWAITING_UPLOAD:
            job = self.jobs.move(job, Status.CANCELLED, failure=cancelled)
            self.uploads.abort(job)  # an upload in parts: its parts are removed with it
            self.uploads.delete(job)
            return job
        if job.status is Status.AWAITING_CONFIRMATION and job.confirmation:
            moved = self.jobs.move(job, Status.CANCELLED, failure=cancelled)
            self._fail_task(job.confirmation, CANCELLED_ERROR, cancelled.reason)
            return moved
        raise JobStateConflict("restore.cannot_cancel", status=str(job.status))

    def _fail_task(self, confirmation: Confirmation, error: str, reason: Reason) -> None:
        # A ClientError means the execution ended meanwhile (timeout); its own clean-up runs.
        with contextlib.suppress(ClientError):
            self.stepfunctions.send_task_failure(
                taskToken=confirmation.task_token, error=error, cause=reason.message
            )


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise(typed: str) -> str:
    """What people type: spaces or dashes between groups of digits are fine."""
    return re.sub(r"[\s-]", "", typed)


def matches(expected: str, typed: str) -> bool:
    return hmac.compare_digest(expected.encode(), normalise(typed).encode())
