"""Every reason a user can be shown, by stable code: the English text, made from the reason's parameters.

A reason travels as `reasonCode` + `reasonParams` (API errors, failed and rejected jobs), with its
English text beside it as `message`/`reason`. Clients translate by code (the web client's Dutch and
English texts are in `web/i18n.js`) and fall back to the English text only for a code they do not
know. Codes never change meaning; a new situation gets a new code. `docs/reasons.md` lists them all
(a test keeps it complete).

Parameters are plain strings and numbers. Names that come from an uploaded file are shown through
`shown()`, so a hostile name cannot put control characters or a novel on a page.
"""

from __future__ import annotations

from collections.abc import Mapping

ReasonParams = Mapping[str, str | int]

MESSAGES: dict[str, str] = {
    # -- requests to the API ---------------------------------------------------------------------
    "request.unauthorized": "Sign in again: the request carries no valid token.",
    "request.no_customer": "The token names no customer.",
    "request.not_found": "There is no such address in this API.",
    "request.media_type": "Send the request body as application/json.",
    "request.body_not_json": "The request body is not valid JSON (UTF-8).",
    "request.body_not_allowed": "This request takes no body.",
    "request.body_too_large": "The request body is larger than {limit} bytes.",
    "request.missing_body": "The request needs a JSON body.",
    "request.field_missing": "The field '{field}' is missing.",
    "request.field_unexpected": "The field '{field}' is not expected here.",
    "request.field_not_boolean": "The field '{field}' must be true or false.",
    "request.field_not_text": "The field '{field}' must be text.",
    "request.field_not_list": "The field '{field}' must be a list.",
    "request.field_not_object": "The field '{field}' must be an object with fields.",
    "request.field_empty": "The field '{field}' must not be empty.",
    "request.field_too_long": "The field '{field}' may hold at most {limit} characters.",
    "request.field_too_few": "The field '{field}' must hold at least {limit} items.",
    "request.field_too_many": "The field '{field}' may hold at most {limit} items.",
    "request.field_invalid": "The field '{field}' is invalid.",
    "request.read_only": "This sign-in may only look and download (for example after the licence ended); "
    "it cannot start or change anything.",
    "request.fault": "Something went wrong on our side. Please try again; if it keeps happening, contact "
    "support.",
    # -- identifiers -------------------------------------------------------------------------------
    "scope.invalid_customer": "The customer number must look like '10234' (1 to 10 digits), got '{value}'.",
    "scope.invalid_administration": "The administration number must be 5 digits, like '00017', got "
    "'{value}'.",
    "scope.invalid_year": "The fiscal year must be 4 digits, like '2025', got '{value}'.",
    "scope.not_found": "This administration and fiscal year do not exist or hold no data.",
    # -- jobs ----------------------------------------------------------------------------------------
    "job.not_found": "There is no such job.",
    "job.state_conflict": "The job cannot do that now: it is {status}.",
    "lock.busy": "Another backup or restore of this administration and fiscal year is running. Please try "
    "again when it has finished.",
    "limit.backups_per_customer": "You started {limit} backups this hour, the most allowed. You can start "
    "the next one from {retryAt}.",
    "limit.backups_per_administration": "This hour, {limit} backups of this administration and fiscal year "
    "were started, the most allowed. You can start the next one from {retryAt}.",
    "limit.restores_per_customer": "You started {limit} restores this hour, the most allowed. You can start "
    "the next one from {retryAt}.",
    "limit.auditfiles_per_customer": "You asked for {limit} auditfiles this hour, the most allowed. You can "
    "ask for the next one from {retryAt}.",
    "limit.restores_per_administration": "This hour, {limit} restores of this administration and fiscal year "
    "were started, the most allowed. Nothing was changed; send the file again from {retryAt}.",
    # -- backups -------------------------------------------------------------------------------------
    "backup.nothing_to_back_up": "This administration and fiscal year hold no data, so there is nothing to "
    "back up.",
    "backup.lock_busy": "A restore of this administration and fiscal year was running, so the backup could "
    "not start. Nothing was changed. Please try again when the restore has finished.",
    "backup.too_large": "This administration and fiscal year are too large for one backup file.",
    "backup.fault": "The backup could not be made because of a fault on our side. Nothing was changed. "
    "Please try again in a few minutes; if it keeps failing, contact support and mention job {job}.",
    "backup.timeout": "Making the backup took too long and was stopped. Nothing was changed. Please try "
    "again; if it happens again, contact support and mention job {job}.",
    "backup.download_not_ready": "Only a ready backup can be downloaded; this job is {status}.",
    "backup.download_expired": "A backup can be downloaded for {days} days; this one's file has been "
    "removed. Make a new backup to download the data.",
    # -- auditfiles made on request (kluis.flows.auditfiles) -------------------------------------
    "auditfile.not_possible": "No auditfile can be made from this archive: its records have no fiscal year, "
    "or a journal entry without a date that an auditfile cannot show truthfully (job {job}).",
    "auditfile.archive_unverified": "The archive's signature or manifest could not be verified, so no "
    "auditfile was made from it. Please contact support and mention job {job}.",
    "auditfile.archive_damaged": "'{name}' in the archive is not what its signed manifest says, so no "
    "auditfile was made from it. Please contact support and mention job {job}.",
    "auditfile.fault": "The auditfile could not be made because of a fault on our side. Nothing was changed. "
    "Please try again in a few minutes; if it keeps failing, contact support and mention job {job}.",
    "auditfile.download_expired": "An auditfile can be downloaded for {days} days; this one has been "
    "removed. Ask for a new one: it is made again from the same archive.",
    "auditfile.timeout": "Making the auditfile took too long and was stopped. Please try again; if it "
    "happens again, contact support and mention job {job}.",
    # -- retention archives (kluis.flows.retention) -----------------------------------------------
    "retention.not_found": "There is no such retained archive.",
    "retention.period_over": "Fiscal year {year} of administration {administration} ended more than {years} "
    "years ago: its retention period is over, so it is not kept under lock.",
    # -- restores ------------------------------------------------------------------------------------
    "restore.not_awaiting_confirmation": "The job cannot do that now: the restore is {status}, not awaiting "
    "confirmation.",
    "restore.cannot_cancel": "The job cannot do that now: a restore that is {status} cannot be cancelled.",
    "restore.code_expired": "The job cannot do that now: the verification code has expired.",
    "restore.wrong_code": "That is not the verification code. {attemptsLeft} attempt(s) left.",
    "restore.wrong_code_last": "That is not the verification code, and no attempts are left: the restore "
    "was stopped. Nothing was changed.",
    "restore.too_many_attempts": "Too many wrong verification codes were entered. Nothing was changed; send "
    "the backup file again to start over.",
    "restore.expired": "The verification code was not confirmed in time. Nothing was changed; send the "
    "backup file again to start over.",
    "restore.cancelled": "The restore was cancelled. Nothing was changed.",
    "restore.upload_expired": "No backup file arrived for this restore within {hours} hours, so it was "
    "stopped. Nothing was changed; start the restore again to send the file.",
    "restore.file_too_large": "The file is larger than a restore accepts.",
    "restore.not_multipart": "This restore's file is sent in one piece, not in parts.",
    "restore.not_awaiting_upload": "The job cannot do that now: the restore is {status}, not waiting for its "
    "file.",
    "restore.part_out_of_range": "There is no part {part}: this file is sent in {parts} parts.",
    "restore.upload_not_open": "The upload of this file is no longer open. Nothing was changed; start the "
    "restore again to send the file.",
    "restore.upload_incomplete": "The file has not been sent completely: part {part} of {parts} is missing. "
    "Send it, then finish the upload.",
    "restore.upload_too_large": "The parts sent add up to more than the file's stated size or the largest "
    "file a restore accepts. The upload was stopped; nothing was changed.",
    "restore.lock_busy": "A backup or another restore of this administration and fiscal year kept running, "
    "so this restore was stopped. Your existing data was not changed. Please send the backup file again "
    "later.",
    "restore.head_conflict": "Someone else restored this administration and fiscal year at the same moment, "
    "so this restore was stopped. Your existing data is as the other restore left it; check it before "
    "trying again.",
    "restore.superseded": "Since this file was checked, administration {administration}, fiscal year {year} "
    "was changed by another restore (at {changedAt}). Nothing was changed by this one; send the file "
    "again if you still want it.",
    "restore.undo_not_restored": "Only a completed restore can be undone; this one is {status}.",
    "restore.undo_nothing_before": "This restore went into an administration and fiscal year that held no "
    "data, so there is nothing to go back to.",
    "restore.undo_window_passed": "A restore can be undone for {days} days; that time has passed. Only a "
    "restore from the system backups can help now.",
    "restore.undo_changed_since": "The administration and fiscal year changed after this restore (at "
    "{changedAt}), so it can no longer be undone. Nothing was changed.",
    "restore.undo_data_gone": "The data from before this restore is no longer kept, so it cannot be undone. "
    "Nothing was changed.",
    "restore.fault": "The restore could not be completed because of a fault on our side. Your existing data "
    "was not changed. Please try again; if it keeps failing, contact support and mention job {job}.",
    "restore.timeout": "The restore took too long and was stopped. Your existing data was not changed. "
    "Please contact support and mention job {job}.",
    # -- the uploaded file: its ZIP structure (kluis.archive.zipreader) -----------------------------
    "archive.not_zip": "The file is not a ZIP archive.",
    "archive.not_zip.empty": "The file is empty; it is not a ZIP archive.",
    "archive.not_zip.long_comment": "The archive has an unexpectedly long comment.",
    "archive.truncated": "The archive is incomplete: it ends before its contents do.",
    "archive.truncated.end_missing": "The archive is incomplete: its end is missing.",
    "archive.truncated.end_cut_off": "The archive is incomplete: its end is cut off.",
    "archive.truncated.zip64_end_missing": "The archive is incomplete: its ZIP64 end record is missing.",
    "archive.truncated.directory_outside": "The archive's table of contents lies outside the file.",
    "archive.truncated.entry_outside": "The archive's entry '{name}' lies outside the archive.",
    "archive.multi_disk": "The archive is split over several files; that is not supported.",
    "archive.trailing_data": "The archive has unexpected data after its end.",
    "archive.trailing_data.after_directory": "The archive has unexpected data after its table of contents.",
    "archive.trailing_data.before_directory": "The archive has unexpected data before its table of contents.",
    "archive.prepended_data": "The archive has unexpected data before its first entry.",
    "archive.prepended_data.before_directory": "The archive has unexpected data before its table of "
    "contents.",
    "archive.hidden_data": "The archive has unexpected data between its entries.",
    "archive.bad_directory": "The archive's table of contents is damaged.",
    "archive.bad_directory.end_records": "The archive's end records disagree with each other.",
    "archive.bad_directory.zip64_end": "The archive's ZIP64 end record is damaged.",
    "archive.bad_directory.count": "The archive's table of contents does not match its entry count.",
    "archive.header_mismatch": "The archive's entry '{name}' is described in two different ways.",
    "archive.header_mismatch.damaged": "The archive has a damaged entry header.",
    "archive.header_mismatch.zip64_missing": "The archive has an entry whose ZIP64 sizes are missing.",
    "archive.header_mismatch.sizes": "The archive has an entry with inconsistent sizes: '{name}'.",
    "archive.unsafe_name.not_utf8": "The archive contains an entry whose name is not UTF-8: '{name}'.",
    "archive.unsafe_name.too_long": "The archive contains an entry with a too long name: '{name}'.",
    "archive.unsafe_name.control": "The archive contains an entry with control characters in its name: "
    "'{name}'.",
    "archive.unsafe_name.windows_path": "The archive contains an entry with a Windows path as its name: "
    "'{name}'.",
    "archive.unsafe_name.outside": "The archive contains an entry with a path outside the archive: '{name}'.",
    "archive.duplicate_name": "The archive contains the entry '{name}' twice.",
    "archive.directory": "The archive contains a folder entry, which a backup never has: '{name}'.",
    "archive.symlink": "The archive contains a link, which a backup never has: '{name}'.",
    "archive.special_file": "The archive contains a special file, which a backup never has: '{name}'.",
    "archive.encrypted": "The archive contains an encrypted entry: '{name}'.",
    "archive.unsupported_method": "The archive contains an entry compressed in an unsupported way (method "
    "{method}): '{name}'.",
    "archive.too_many_entries": "The archive has more than {limit} entries.",
    "archive.too_large": "The archive is larger than the largest backup that can be restored.",
    "archive.too_large.entry": "The archive contains a too large entry: '{name}'.",
    "archive.too_large.total": "The archive would unpack to more than the largest backup allowed.",
    "archive.too_large.control": "The archive's {name} is larger than Kluis ever writes.",
    "archive.zip_bomb": "The archive contains an entry that would unpack to an implausible size: '{name}'.",
    "archive.zip_bomb.more_than_declared": "The archive's entry '{name}' unpacks to more than it declares.",
    "archive.overlap": "The archive contains entries that overlap each other.",
    "archive.corrupt": "The archive's entry '{name}' is damaged.",
    "archive.size_mismatch": "The archive's entry '{name}' is shorter than it declares.",
    "archive.crc_mismatch": "The archive's entry '{name}' is damaged (checksum mismatch).",
    # -- the uploaded file: is it a Kluis backup, ours and whole (kluis.archive.validation) ---------
    "archive.unexpected_entry": "The archive contains a file a Kluis backup never holds: '{name}'.",
    "archive.not_a_backup": "The file is not a Kluis backup: it has no {name}.",
    "archive.manifest_mismatch.missing": "The archive lacks '{name}', which its manifest lists.",
    "archive.manifest_mismatch.extra": "The archive holds '{name}', which its manifest does not list.",
    "archive.manifest_mismatch.size": "The size of '{name}' differs from its manifest.",
    "archive.checksum_mismatch": "The content of '{name}' differs from what the backup's manifest says.",
    "archive.bad_signature": "The backup's signature is not valid: it was changed or made elsewhere.",
    "archive.bad_signature.malformed": "The backup's signature file is malformed.",
    "archive.bad_signature.algorithm": "The backup's signature uses an algorithm Kluis does not accept.",
    # -- the uploaded file's manifest (kluis.archive.manifest) ---------------------------------------
    "archive.bad_manifest.too_large": "The manifest is larger than any backup of Kluis can have.",
    "archive.bad_manifest.not_json": "The manifest is not valid JSON.",
    "archive.bad_manifest.not_object": "The manifest is not a JSON object.",
    "archive.bad_manifest.field": "The manifest field '{field}' is missing or has the wrong type.",
    "archive.bad_manifest.entry_not_object": "A manifest entry is not a JSON object.",
    "archive.bad_manifest.entry_name": "The manifest names an entry Kluis does not write: '{name}'.",
    "archive.bad_manifest.entry_twice": "The manifest names '{name}' twice.",
    "archive.bad_manifest.entry_values": "The manifest entry '{name}' has an invalid size or checksum.",
    "archive.bad_manifest.format": "The file is not a Kluis backup (its manifest has another format).",
    "archive.bad_manifest.version": "The backup has format version {version}; this Kluis reads version "
    "{supported}.",
    "archive.bad_manifest.identity": "The manifest's identity is invalid: its {field} is '{value}'.",
    "archive.bad_manifest.created_at": "The manifest's creation time is not an ISO 8601 timestamp.",
    "archive.bad_manifest.source_generation": "The manifest's source generation is invalid.",
    "archive.bad_manifest.documents": "The manifest says it holds no documents, yet lists some.",
    "archive.bad_manifest.counts": "The manifest's counts do not match its entries.",
    "archive.bad_manifest.totals": "The manifest's totals do not match its entries.",
    # -- requests for a restore from the system backups ----------------------------------------------
    "system_restore.point_in_time_format": "pointInTime must be ISO 8601, e.g. 2026-11-20T10:00:00Z, got "
    "'{value}'.",
    "system_restore.point_in_time_zone": "pointInTime must include a time zone, e.g. 2026-11-20T10:00:00Z.",
    "system_restore.point_in_time_future": "pointInTime must lie in the past.",
    "system_restore.point_in_time_too_old": "pointInTime must lie within the last {days} days (the "
    "retention).",
    "system_restore.item_count": "Give 1 to {limit} administration/years.",
    "system_restore.duplicate_item": "Each administration/year may appear only once.",
    "system_restore.note_too_long": "The note may hold at most {limit} characters.",
    "system_restore.request_not_found": "There is no such request.",
    "system_restore.busy": "Request {request} is being fulfilled already.",
    "system_restore.item_failed": "This could not be restored; our support team will contact you.",
}


def message(code: str, params: ReasonParams) -> str:
    """The English text of a reason; an unknown code or a missing parameter is a programming error."""
    return MESSAGES[code].format(**params)


MAX_SHOWN = 120


def shown(name: str) -> str:
    """A name from an uploaded file as it may appear in a reason: control characters escaped, and short."""
    escaped = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in name
    )
    return escaped if len(escaped) <= MAX_SHOWN else escaped[: MAX_SHOWN - 1] + "…"
