"""The backup flow in the browser, in Dutch and in English: choose, include documents, make the backup,
progress, download; and a backup still running when the page is reloaded: its progress, then its
download. On a Dutch page every screenshot step also checks that no text is English (conftest.shot)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import reload
from tests.e2e.words import LANGUAGES, WORDS

FILENAME = "10234 - 00017 - 2025 - Backup.zip"
# Sizes as Windows Explorer's Properties show them: three digits, "8,10 MB" / "532 bytes" in Dutch.
SIZE = {"nl": r"\d+(,\d+)? (bytes|kB|MB|GB)", "en": r"\d+(\.\d+)? (bytes|KB|MB|GB)"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_backup_with_documents_downloads_the_archive(open_page, harness, shot, tmp_path: Path, language):
    words = WORDS[language]
    page = open_page(language)
    expect(page.get_by_label(words["administration"], exact=True)).to_have_value("00017")
    expect(page.get_by_label(words["year"], exact=True)).to_have_value("2025")
    # The seed leaves unprocessed Scan & Recognize proposals: the page warns they are not backed up.
    expect(page.locator("#proposals-warning")).to_be_visible()
    shot(page, "chosen")

    page.get_by_label(words["include_documents"]).check()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name=words["backup_button"]).click()
        expect(page.locator("#backup-progress-bar")).to_be_visible()
        shot(page, "in-progress")
    download = download_info.value
    assert download.suggested_filename == FILENAME
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    status = page.locator("#backup-status")
    expect(status).to_contain_text(f"{words['backup_ready']}: {FILENAME}")
    expect(status).to_contain_text(re.compile(rf"\({SIZE[language]}\)"))
    expect(status).to_be_focused()
    expect(page.locator("#backup-progress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_role("link", name=words["download_again"])).to_be_visible()
    first_row = page.locator("#jobs-body tr").first
    expect(first_row).to_contain_text(words["with_documents"])
    expect(first_row).to_contain_text(words["status_ready"])
    expect(first_row.get_by_role("button", name=re.compile(f"^{words['download']}"))).to_be_visible()
    shot(page, "ready")

    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
    assert any(name.startswith("documents/") and name.endswith(".pdf") for name in names)
    assert any(name.startswith("records/") for name in names)
    assert {"auditfile.xaf", "auditfile-3.2.xaf"} <= set(names)  # which the screen says, before and after
    expect(page.locator("#backup-auditfile")).to_contain_text("XAF 4.0")
    expect(page.locator("#backup-auditfile")).to_contain_text("auditfile-3.2.xaf")
    expect(page.locator("#backup-auditfile-ready")).to_be_visible()
    assert manifest["administration"] == "00017"
    assert str(manifest["fiscal_year"]) == "2025"

    # "Download again" asks the API for a fresh link to the same archive; so does the row's button.
    with page.expect_download() as again_info:
        page.get_by_role("link", name=words["download_again"]).click()
    again_path = tmp_path / "again.zip"
    again_info.value.save_as(again_path)
    assert again_path.read_bytes() == saved.read_bytes()
    with page.expect_download() as row_info:
        first_row.get_by_role("button", name=re.compile(f"^{words['download']}")).click()
    assert row_info.value.suggested_filename == FILENAME
    with zipfile.ZipFile(io.BytesIO(Path(row_info.value.path()).read_bytes())) as archive:
        assert "manifest.json" in archive.namelist()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_backup_running_during_a_reload_shows_its_progress_then_its_download(
    open_page, harness, shot, tmp_path: Path, language
):
    words = WORDS[language]
    before = harness.stack.configure(BUILD_TIME_BUDGET_SECONDS="0")  # one entry per invocation: slow
    try:
        page = open_page(language)
        page.get_by_label(words["include_documents"]).check()
        page.get_by_role("button", name=words["backup_button"]).click()
        expect(page.locator("#backup-progress-bar")).to_be_visible()
        reload(page)
        # The page picks the running backup up by itself: its progress, in the section and the list.
        status = page.locator("#backup-status")
        expect(status).to_contain_text(words["backup_following"])
        expect(page.locator("#backup-progress")).to_be_visible()
        shot(page, "after-reload")
        expect(status).to_contain_text(f"{words['backup_ready']}: {FILENAME}", timeout=90_000)
    finally:
        harness.stack.configure(**before)
    download_button = page.locator("#backup-download-again")
    expect(download_button).to_have_text(re.compile(words["download"]))
    shot(page, "ready-after-reload")
    with page.expect_download() as download_info:
        download_button.click()
    assert download_info.value.suggested_filename == FILENAME
    saved = tmp_path / "after-reload.zip"
    download_info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert archive.testzip() is None
        assert any(name.startswith("documents/") for name in archive.namelist())
