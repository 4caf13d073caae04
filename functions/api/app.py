"""The HTTP API: routes of template.yaml's HttpApi, thin over the kluis package.

The customer (tenant) comes from the JWT's claims only, never from a path, a body or a file name.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import UnauthorizedError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from kluis import backup, system_restore
from kluis.jobs import JobNotFound, JobStateConflict, Kind, Status, public_view
from kluis.resources import Resources
from kluis.restore import WrongCode
from kluis.scope import InvalidScope, Scope, check_customer

logger = Logger()
app = APIGatewayHttpResolver(enable_validation=True)
resources = Resources()


class BackupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    includeDocuments: bool = Field(
        default=False,
        description="Also put the PDF documents in the archive (needed to move an administration).",
    )


def customer() -> str:
    """The tenant of the caller: one claim of the JWT the authorizer verified."""
    claims = app.current_event.request_context.authorizer.jwt_claim or {}
    claim = os.environ.get("CUSTOMER_CLAIM", "custom:customer")
    try:
        return check_customer(claims.get(claim))
    except InvalidScope as error:
        raise UnauthorizedError("The token names no customer.") from error


def error(status: int, message: str) -> Response:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body={"message": message}
    )


@app.exception_handler(InvalidScope)
def invalid_scope(exc: InvalidScope) -> Response:
    return error(400, str(exc))


@app.exception_handler(JobNotFound)
def job_not_found(exc: JobNotFound) -> Response:
    return error(404, "There is no such job.")


@app.exception_handler(backup.NothingToBackUp)
def nothing_to_back_up(exc: backup.NothingToBackUp) -> Response:
    return error(404, "This administration and fiscal year do not exist or hold no data.")


@app.exception_handler(JobStateConflict)
def state_conflict(exc: JobStateConflict) -> Response:
    return error(409, f"The job cannot do that now: {exc}.")


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    code: str = Field(
        min_length=1, max_length=20, description="The verification code shown with the restore."
    )


@app.exception_handler(WrongCode)
def wrong_code(exc: WrongCode) -> Response:
    message = (
        f"That is not the verification code. {exc.attempts_left} attempt(s) left."
        if exc.attempts_left
        else "That is not the verification code, and no attempts are left: the restore was stopped. "
        "Nothing was changed."
    )
    return Response(
        status_code=400,
        content_type=content_types.APPLICATION_JSON,
        body={"message": message, "attemptsLeft": exc.attempts_left},
    )


@app.get("/administrations")
def list_administrations() -> dict[str, Any]:
    pairs = resources.store.administrations(customer())
    return {"administrations": [{"administration": a, "year": y} for a, y in pairs]}


@app.get("/administrations/<administration>/years/<year>")
def show_administration(administration: str, year: str) -> dict[str, Any]:
    scope = Scope(customer(), administration, year)
    head = resources.store.head(scope)
    if head is None:
        raise backup.NothingToBackUp(str(scope))
    return {
        "administration": administration,
        "year": year,
        "liveSince": head.flipped_at,
        "pendingProposals": len([p for p in resources.store.proposals(scope) if p.name.endswith(".pdf")]),
    }


@app.post("/administrations/<administration>/years/<year>/backups")
def start_backup(administration: str, year: str, request: BackupRequest) -> Response[dict[str, Any]]:
    scope = Scope(customer(), administration, year)
    settings = resources.settings
    job = backup.start_backup(
        resources.store,
        resources.jobs,
        resources.stepfunctions,
        settings.backup_state_machine_arn,
        scope,
        include_documents=request.includeDocuments,
    )
    logger.info("backup queued", extra={"job": job.job_id, "scope": str(scope)})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=public_view(job))


@app.get("/administrations/<administration>/years/<year>/jobs")
def administration_jobs(administration: str, year: str) -> dict[str, Any]:
    scope = Scope(customer(), administration, year)
    jobs = resources.jobs.recent(scope.customer, scope.administration, scope.year)
    return {"jobs": [public_view(job) for job in jobs]}


@app.get("/jobs/<job_id>")
def get_job(job_id: str) -> dict[str, Any]:
    job = resources.jobs.get(customer(), job_id)
    view = public_view(job)
    if job.kind is Kind.BACKUP and job.status is Status.READY and job.archive_key:
        seconds = resources.settings.download_url_seconds
        view["filename"] = backup.job_scope(job).backup_filename()
        view["downloadUrl"] = backup.download_url(
            resources.s3, resources.settings.archives_bucket, job, seconds
        )
        view["downloadUrlExpiresIn"] = seconds
    return view


class SystemRestoreItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    administration: str = Field(description="Administration number, 5 digits, e.g. 00017.")
    year: str = Field(description="Fiscal year, 4 digits, e.g. 2025.")


class SystemRestoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    items: list[SystemRestoreItem] = Field(
        min_length=1, max_length=system_restore.MAX_ITEMS, description="The administration/years to restore."
    )
    pointInTime: str = Field(
        max_length=40, description="ISO 8601 with a time zone, in the past, within the retention."
    )
    note: str = Field(default="", max_length=system_restore.MAX_NOTE, description="For the operator.")


# The handler module is imported under another name than its file's, so pydantic cannot find
# SystemRestoreItem by itself when `from __future__ import annotations` made the field a string.
SystemRestoreRequest.model_rebuild(_types_namespace={"SystemRestoreItem": SystemRestoreItem})


@app.exception_handler(system_restore.InvalidRequest)
def invalid_request(exc: system_restore.InvalidRequest) -> Response:
    return error(400, str(exc))


@app.post("/system-restore-requests")
def file_system_restore_request(request: SystemRestoreRequest) -> Response[dict[str, Any]]:
    """Records the request and answers with what it costs; operators fulfil it (not this API)."""
    settings = resources.settings
    filed = resources.requests.file(
        customer(),
        [(item.administration, item.year) for item in request.items],
        request.pointInTime,
        request.note,
        price_cents=settings.system_restore_price_cents,
        retention_days=settings.noncurrent_version_retention_days,
    )
    logger.info("system restore requested", extra={"request": filed.request_id, "items": len(filed.items)})
    return Response(
        status_code=201, content_type=content_types.APPLICATION_JSON, body=system_restore.public_view(filed)
    )


@app.get("/system-restore-requests")
def system_restore_requests() -> dict[str, Any]:
    requests = resources.requests.of_customer(customer())
    settings = resources.settings
    return {
        "requests": [system_restore.public_view(request) for request in requests],
        "pricing": system_restore.pricing(
            settings.system_restore_price_cents, settings.noncurrent_version_retention_days
        ),
    }


@app.post("/restores")
def create_restore() -> Response[dict[str, Any]]:
    job, post = resources.restores.create(customer())
    body = public_view(job) | {
        "upload": post,
        "maxBytes": resources.settings.max_upload_bytes,
        "uploadExpiresIn": resources.settings.upload_url_seconds,
    }
    logger.info("restore created", extra={"job": job.job_id})
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


@app.post("/restores/<job_id>/confirm")
def confirm_restore(job_id: str, request: ConfirmRequest) -> Response[dict[str, Any]]:
    job = resources.restores.confirm(customer(), job_id, request.code)
    logger.info("restore confirmed", extra={"job": job.job_id})
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=public_view(job))


@app.post("/restores/<job_id>/cancel")
def cancel_restore(job_id: str) -> dict[str, Any]:
    return public_view(resources.restores.cancel(customer(), job_id))


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A body in another media type is refused before Powertools parses it (found by schemathesis:
    # multipart/form-data without a boundary made the body parser raise, a 500).
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if (
        event.get("body")
        and media_type
        and media_type != "application/json"
        and not media_type.endswith("+json")
    ):
        return {
            "statusCode": 415,
            "headers": {"Content-Type": "application/json"},
            "body": '{"message": "Send the request body as application/json."}',
        }
    return app.resolve(event, context)
