"""A failed step's error, as Step Functions hands it over, turned into words a bookkeeper can read.

The technical error stays in the logs (with the job id); the job gets a sentence that says what
happened, that nothing was changed, and what to do.
"""

from __future__ import annotations

import json

from kluis.jobs import Kind

TIMEOUT_ERRORS = frozenset(
    {"States.Timeout", "Sandbox.Timedout", "Lambda.Timeout", "States.HeartbeatTimeout"}
)

BACKUP_REASONS = {
    "NothingToBackUp": "This administration and fiscal year hold no data, so there is nothing to back up.",
    "LockBusy": "A restore of this administration and fiscal year was running, so the backup could not "
    "start. Nothing was changed. Please try again when the restore has finished.",
}
RESTORE_REASONS = {
    "LockBusy": "A backup or another restore of this administration and fiscal year kept running, so this "
    "restore was stopped. Your existing data was not changed. Please send the backup file again later.",
    "HeadConflict": "Someone else restored this administration and fiscal year at the same moment, so this "
    "restore was stopped. Your existing data is as the other restore left it; check it before trying again.",
}
GENERIC = {
    Kind.BACKUP: "The backup could not be made because of a fault on our side. Nothing was changed. "
    "Please try again in a few minutes; if it keeps failing, contact support and mention job {job}.",
    Kind.RESTORE: "The restore could not be completed because of a fault on our side. Your existing data "
    "was not changed. Please try again; if it keeps failing, contact support and mention job {job}.",
}
TIMEOUT = {
    Kind.BACKUP: "Making the backup took too long and was stopped. Nothing was changed. Please try again; "
    "if it happens again, contact support and mention job {job}.",
    Kind.RESTORE: "The restore took too long and was stopped. Your existing data was not changed. "
    "Please contact support and mention job {job}.",
}


def describe(kind: Kind, job_id: str, error: str, cause: str | None) -> str:
    """The reason shown to the user for a job that failed with Step Functions' `error`/`cause`."""
    if error in TIMEOUT_ERRORS:
        return TIMEOUT[kind].format(job=job_id)
    reasons = BACKUP_REASONS if kind is Kind.BACKUP else RESTORE_REASONS
    if error in reasons:
        return reasons[error]
    return GENERIC[kind].format(job=job_id)


def technical_message(cause: str | None) -> str:
    """The exception message inside a Lambda error's cause, for the logs."""
    if not cause:
        return ""
    try:
        return str(json.loads(cause).get("errorMessage", cause))
    except (ValueError, AttributeError):
        return cause
