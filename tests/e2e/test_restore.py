"""The restore flow in the browser, in Dutch and in English: send a backup file, see what it holds, type
a wrong code and the right one, see the result; a hostile file refused with its reason; a restore that
waits for its code across a reload, finished (or cancelled) from the recent jobs.

They drive the restore API (POST /restores, confirm, cancel) through the page.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis_tools.seed import SeedSpec, seed
from tests.e2e.conftest import POLL_MS, reload
from tests.e2e.words import LANGUAGES, WORDS
from tests.integration.harness import CUSTOMER, SMALL, Harness

SCOPE = Scope(CUSTOMER, "00017", "2025")
CONFIRM_TIMEOUT = 45_000


@pytest.fixture(scope="module")
def archive(harness: Harness) -> bytes:
    """A backup with documents of 10234/00017/2025, made through the API (as the browser test does)."""
    return harness.download(harness.backup("00017", "2025", documents=True)).content


def archive_records(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("records/")}


def live_records(store: DataStore, scope: Scope = SCOPE) -> dict[str, bytes]:
    head = store.head(scope)
    assert head is not None
    return {
        item.name: store.open(item.key).read()
        for item in store.generation_objects(scope, head.generation)
        if item.name.startswith("records/")
    }


def change_live_data(harness: Harness) -> None:
    """A new generation with other bookkeeping (another seed): what a restore must undo."""
    spec = SeedSpec(customer=CUSTOMER, administrations=(("00017", ("2025",)),), seed=4242, **SMALL)
    seed(harness.store, spec)


def send(page: Page, path: Path, language: str = "nl") -> None:
    words = WORDS[language]
    page.get_by_label(words["file"]).set_input_files(str(path))
    page.get_by_role("button", name=words["send"]).click()


def wait_for_confirmation(page: Page) -> str:
    panel = page.locator("#confirm-panel")
    expect(panel).to_be_visible(timeout=CONFIRM_TIMEOUT)
    code = page.locator("#verification-code").inner_text().strip()
    assert code.isdigit(), code
    return code


def expect_locked_while_the_code_is_awaited(page: Page) -> None:
    """No other file can be sent while this restore waits for its code: the input is empty and locked."""
    expect(page.locator("#restore-send")).to_be_disabled()
    expect(page.locator("#restore-file")).to_be_disabled()
    assert page.locator("#restore-file").evaluate("input => input.files.length") == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_restore_with_a_wrong_then_the_right_code_replaces_the_live_data(
    open_page, harness, archive, shot, tmp_path, language
):
    words = WORDS[language]
    renamed = tmp_path / "renamed.zip"
    renamed.write_bytes(archive)
    expected = archive_records(archive)
    change_live_data(harness)
    assert live_records(harness.store) != expected, "the live data should differ before the restore"
    before = harness.store.head(SCOPE)

    page = open_page(language)
    send(page, renamed, language)
    expect(page.locator("#upload-progress-bar")).to_be_visible()
    code = wait_for_confirmation(page)
    panel = page.locator("#confirm-panel")
    expect(page.locator("#code-input")).to_be_focused()
    summary = page.locator("#restore-summary")
    expect(summary).to_contain_text("00017")
    expect(summary).to_contain_text("2025")
    expect(summary).to_contain_text(words["contents"])  # what the file holds, in words
    contents = summary.locator('[data-row="restore.summary.contents"]')
    expect(contents).to_have_css("grid-column-start", "span 2")  # as wide as the undo's
    expect(page.locator("#restore-replaces")).to_contain_text(words["replaces"])
    expect(panel).to_contain_text(words["undo_window"])  # what is definitive, truthfully
    expect(page.locator("#attempts-left")).to_have_text(words["attempts"])
    expect_locked_while_the_code_is_awaited(page)
    confirm = page.get_by_role("button", name=words["confirm"])
    expect(confirm).to_contain_text("✔")
    shot(page, "awaiting-confirmation")

    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label(words["code"]).fill(wrong)
    confirm.click()
    error = page.locator("#code-error")
    expect(error).to_have_text(words["wrong_code"])
    expect(error).to_have_attribute("role", "alert")
    expect(page.locator("#attempts-left")).to_have_text("")  # the count is said once, in the error
    expect(page.locator("#code-input")).to_be_focused()
    expect(page.locator("#code-input")).to_have_attribute("aria-invalid", "true")
    shot(page, "wrong-code")
    assert harness.store.head(SCOPE).generation == before.generation

    page.get_by_label(words["code"]).fill(code)
    confirm.click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text(words["restored"], timeout=CONFIRM_TIMEOUT)
    expect(status).to_be_focused()
    expect(panel).to_be_hidden()
    expect(page.locator("#jobs-body tr").first).to_contain_text(words["status_restored"])
    # Done: nothing to send until another file is chosen.
    expect(page.locator("#restore-send")).to_be_disabled()
    expect(page.locator("#restore-file")).to_be_enabled()
    shot(page, "restored")
    assert live_records(harness.store) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_restore_read_without_its_code_is_waited_on_never_shown_without_it(
    open_page, harness, archive, shot, tmp_path, language
):
    """A view that says awaiting-confirmation but carries no code (which a torn read of the job once
    gave) shows that the code is being prepared, and the page polls until the code is there."""
    words = WORDS[language]
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    withheld: list[str] = []
    withholding = True

    def without_code(route: Route) -> None:
        response = route.fetch()
        view = response.json()
        if withholding and view.get("status") == "awaiting-confirmation":
            view["details"].pop("verificationCode", None)
            withheld.append(view["jobId"])
        route.fulfill(response=response, json=view)

    page = open_page(language)
    page.route(re.compile(r".*/api/jobs/[^/]+$"), without_code)
    send(page, path, language)
    status = page.locator("#restore-status")
    expect(status).to_contain_text(words["awaiting_code"], timeout=CONFIRM_TIMEOUT)
    expect(page.locator("#confirm-panel")).to_be_hidden()
    shot(page, "awaiting-code")
    polled = len(withheld)
    expect(status).to_contain_text(words["awaiting_code"])
    page.wait_for_timeout(3 * POLL_MS)
    assert len(withheld) > polled, "the page should poll again while the code is missing"

    withholding = False
    code = wait_for_confirmation(page)

    assert code == harness.call("GET", f"/jobs/{withheld[0]}").json()["details"]["verificationCode"]

    expect(page.locator("#code-input")).to_be_focused()
    page.get_by_role("button", name=words["cancel"], exact=True).click()
    expect(status).to_contain_text(words["cancelled"])


def test_an_upload_s3_asks_to_slow_down_is_sent_again_and_the_restore_goes_on(
    open_page, harness, archive, tmp_path
):
    """S3 answers the page's POST upload with 503 SlowDown once: the page sends it again."""

    def the_pages_upload(environ: dict) -> bool:
        form = "multipart/form-data" in environ.get("CONTENT_TYPE", "")
        return environ.get("REQUEST_METHOD") == "POST" and form

    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    slow_down = harness.stack.faults.plan("s3", the_pages_upload, browser=True)
    page = open_page()
    send(page, path)
    wait_for_confirmation(page)
    assert slow_down.answered == 1
    page.get_by_role("button", name="Annuleren", exact=True).click()
    expect(page.locator("#restore-status")).to_contain_text("geannuleerd")


def test_a_cancelled_restore_changes_nothing(open_page, harness, archive, shot, tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    before = harness.store.head(SCOPE)
    page = open_page()
    send(page, path)
    wait_for_confirmation(page)
    page.get_by_role("button", name="Annuleren", exact=True).click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text("geannuleerd")
    expect(status).to_be_focused()
    expect(page.locator("#confirm-panel")).to_be_hidden()
    shot(page, "cancelled")
    assert harness.store.head(SCOPE).generation == before.generation


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_restore_awaiting_its_code_survives_a_reload_and_finishes_from_recent_jobs(
    open_page, harness, archive, shot, tmp_path, language
):
    words = WORDS[language]
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    change_live_data(harness)
    expected = archive_records(archive)

    page = open_page(language)
    send(page, path, language)
    code = wait_for_confirmation(page)
    reload(page)
    expect(page.locator("#confirm-panel")).to_be_hidden()
    row = page.locator("#jobs-body tr", has_text=words["status_awaiting"]).first
    expect(row).to_be_visible()
    shot(page, "reloaded")

    row.get_by_role("button", name=re.compile(f"^{words['resume']}")).click()
    assert wait_for_confirmation(page) == code
    expect(page.locator("#code-input")).to_be_focused()
    expect(page.locator("#restore-summary")).to_contain_text(words["contents"])
    expect(page.locator("#attempts-left")).to_have_text(words["attempts"])
    expect_locked_while_the_code_is_awaited(page)
    shot(page, "resumed")

    page.get_by_label(words["code"]).fill(code)
    page.get_by_role("button", name=words["confirm"]).click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text(words["restored"], timeout=CONFIRM_TIMEOUT)
    expect(page.locator("#jobs-body tr").first).to_contain_text(words["status_restored"])
    shot(page, "restored-after-reload")
    assert live_records(harness.store) == expected

    # A second waiting restore, cancelled from the recent jobs after a reload.
    send(page, path, language)
    wait_for_confirmation(page)
    reload(page)
    page.locator("#jobs-body tr", has_text=words["status_awaiting"]).first.get_by_role(
        "button", name=re.compile(f"^{words['resume']}")
    ).click()
    wait_for_confirmation(page)
    page.get_by_role("button", name=words["cancel"], exact=True).click()
    expect(status).to_contain_text(words["cancelled"])
    expect(page.locator("#jobs-body tr").first).to_contain_text(words["status_cancelled"])
    shot(page, "cancelled-after-reload")


def tampered(data: bytes) -> bytes:
    """The same archive (manifest and signature untouched) with one byte of one record changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    flipped = False
    with zipfile.ZipFile(buffer, "w", allowZip64=True) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if not flipped and info.filename.startswith("records/") and len(body) > 10:
                position = len(body) // 2
                body = body[:position] + bytes([body[position] ^ 0x01]) + body[position + 1 :]
                flipped = True
            target.writestr(info, body, compress_type=info.compress_type)
    assert flipped
    return buffer.getvalue()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_tampered_file_is_rejected_with_a_readable_reason(
    open_page, harness, archive, shot, tmp_path, language
):
    words = WORDS[language]
    path = tmp_path / "10234 - 00017 - 2025 - Backup.zip"
    path.write_bytes(tampered(archive))
    before = harness.store.head(SCOPE)

    page = open_page(language)
    send(page, path, language)
    status = page.locator("#restore-status")
    expect(status).to_contain_text(words["rejected"], timeout=CONFIRM_TIMEOUT)
    expect(status).to_contain_text(words["tampered"])  # the reason, by its code, in the page's language
    expect(status.locator("[role=alert]")).to_be_visible()
    expect(status).to_be_focused()
    expect(page.locator("#confirm-panel")).to_be_hidden()
    expect(page.locator("#jobs-body tr").first).to_contain_text(words["tampered"])
    expect(page.locator("#restore-send")).to_be_disabled()
    shot(page, "rejected")
    assert harness.store.head(SCOPE).generation == before.generation
