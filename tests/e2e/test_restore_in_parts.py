"""A large restore file goes up in parts in the browser (issue 16, finding 3): presigned UploadPart PUTs
to the local stack's S3, four at a time, with a progress bar in bytes; a reload in the middle, after
which the same file chosen again sends only the parts S3 does not hold; and the abort button.

The threshold and part size are lowered (and moto's minimum part size with them) so that a test backup
of ~200 KB spans several parts; on S3 parts are 16 MiB or more (kluis.flows.restore.uploads).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import moto.s3.models
import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.e2e.conftest import reload
from tests.e2e.test_restore import CONFIRM_TIMEOUT, send, wait_for_confirmation
from tests.integration.harness import CUSTOMER, Harness

PART = 32 * 1024
RESUME_KEY = f"kluis.restoreUpload.{CUSTOMER}"


@pytest.fixture(scope="module")
def archive(harness: Harness) -> bytes:
    data = harness.download(harness.backup("00017", "2025", documents=True)).content
    assert len(data) > 4 * PART, len(data)
    return data


@pytest.fixture(autouse=True)
def small_parts(harness: Harness) -> Iterator[None]:
    minimum = moto.s3.models.S3_UPLOAD_PART_MIN_SIZE
    moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = PART  # moto's server runs in this process
    before = harness.stack.configure(
        RESTORE_MULTIPART_THRESHOLD=str(16 * 1024),
        RESTORE_UPLOAD_PART_SIZE=str(PART),
        MAX_UPLOAD_BYTES=str(64 * 1024**2),
    )
    yield
    harness.stack.configure(**before)
    moto.s3.models.S3_UPLOAD_PART_MIN_SIZE = minimum


def is_part(request: Request) -> bool:
    query = parse_qs(urlsplit(request.url).query)
    return request.method == "PUT" and "partNumber" in query and "uploadId" in query


def part_number(request: Request) -> int:
    return int(parse_qs(urlsplit(request.url).query)["partNumber"][0])


def bucket_posts(requests_seen: list[Request], harness: Harness) -> list[Request]:
    return [r for r in requests_seen if r.method == "POST" and r.url.startswith(harness.stack.endpoint)]


def open_uploads(harness: Harness, job_id: str) -> list[str]:
    s3 = harness.stack.client("s3")
    found = s3.list_multipart_uploads(
        Bucket=harness.stack.name_of("UploadsBucket"), Prefix=f"uploads/{CUSTOMER}/{job_id}.zip"
    )
    return [upload["UploadId"] for upload in found.get("Uploads", [])]


def parts_held(harness: Harness, job_id: str) -> list[int]:
    listed = harness.call("GET", f"/restores/{job_id}/upload-parts").json()
    return [part["partNumber"] for part in listed.get("parts", [])]


def interrupted_upload(page: Page, harness: Harness, path, through: int = 2) -> tuple[str, list[Route]]:
    """Sends `path` with every part after `through` held in the network (never answered), until S3
    holds parts 1..through; returns the job and the held requests."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if is_part(route.request) and part_number(route.request) > through:
            held.append(route)  # neither answered nor failed: a connection that hangs
        else:
            route.continue_()

    page.route(f"{harness.stack.endpoint}/**", hold)
    send(page, path)
    expect(page.locator("#upload-abort")).to_be_visible()
    job_id = page.wait_for_function(
        f"() => JSON.parse(localStorage.getItem('{RESUME_KEY}') || 'null')?.jobId"
    ).json_value()
    deadline = time.monotonic() + 20
    while parts_held(harness, job_id) != list(range(1, through + 1)):
        assert time.monotonic() < deadline, parts_held(harness, job_id)
        page.wait_for_timeout(100)  # (sync Playwright runs the route handlers while it waits)
    return job_id, held


def test_a_large_file_goes_up_in_parts_with_a_progress_bar_and_is_restored(
    open_page, harness, archive, shot, tmp_path
):
    path = tmp_path / "grote backup.zip"
    path.write_bytes(archive)
    count = math.ceil(len(archive) / PART)
    page = open_page()
    seen: list[Request] = []
    page.on("request", lambda request: seen.append(request))
    send(page, path)
    bar = page.locator("#upload-progress-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#upload-figures")).to_contain_text("verstuurd")
    code = wait_for_confirmation(page)
    sent = sorted(part_number(r) for r in seen if is_part(r))
    assert sent == list(range(1, count + 1)), sent  # each part once, in parts, no POST of the file
    assert not bucket_posts(seen, harness)
    assert page.evaluate(f"localStorage.getItem('{RESUME_KEY}')") is None  # done: nothing to resume
    shot(page, "awaiting-confirmation")
    page.get_by_label("Verificatiecode").fill(code)
    page.get_by_role("button", name="Terugzetten bevestigen").click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text("De backup is teruggezet", timeout=CONFIRM_TIMEOUT)


def test_after_a_reload_the_same_file_goes_on_with_the_parts_not_sent(
    open_page, harness, archive, shot, tmp_path
):
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    count = math.ceil(len(archive) / PART)
    page = open_page()
    job_id, _ = interrupted_upload(page, harness, path, through=2)
    value = page.locator("#upload-progress-bar").evaluate("bar => bar.value")
    assert 0 < value < 100, value
    shot(page, "interrupted")

    reload(page)  # the held requests die with the page they were sent from
    page.unroute(f"{harness.stack.endpoint}/**")
    assert parts_held(harness, job_id) == [1, 2]
    status = page.locator("#restore-status")
    expect(status).to_contain_text("is onderbroken")
    expect(status).to_contain_text("backup.zip")
    expect(page.locator("#upload-progress-bar")).to_be_visible()
    expect(page.locator("#upload-abort")).to_be_visible()
    shot(page, "resume-offered")

    seen: list[Request] = []
    page.on("request", lambda request: seen.append(request))
    send(page, path)  # the same file again
    wait_for_confirmation(page)
    sent = sorted(part_number(r) for r in seen if is_part(r))
    assert sent == list(range(3, count + 1)), sent  # parts 1 and 2 were not sent again
    assert not open_uploads(harness, job_id)
    page.get_by_role("button", name="Annuleren", exact=True).click()
    expect(status).to_contain_text("Het terugzetten is geannuleerd")


def test_the_abort_button_cancels_the_restore_and_leaves_no_upload(open_page, harness, archive, tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    page = open_page()
    job_id, _ = interrupted_upload(page, harness, path, through=1)
    reload(page)
    page.unroute(f"{harness.stack.endpoint}/**")
    expect(page.locator("#restore-status")).to_contain_text("is onderbroken")
    page.get_by_role("button", name="Afbreken").click()
    expect(page.locator("#restore-status")).to_contain_text("Het terugzetten is geannuleerd")
    expect(page.locator("#upload-progress")).to_be_hidden()
    assert not open_uploads(harness, job_id)
    assert harness.call("GET", f"/jobs/{job_id}").json()["status"] == "cancelled"
    assert page.evaluate(f"localStorage.getItem('{RESUME_KEY}')") is None
