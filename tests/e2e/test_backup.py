"""The backup flow in the browser: choose, tick Include documents, Backup, progress, download."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from playwright.sync_api import expect

FILENAME = "10234 - 00017 - 2025 - Backup.zip"


def test_backup_with_documents_downloads_the_archive(open_page, harness, shot, tmp_path: Path):
    page = open_page()
    expect(page.locator("#signed-in")).to_have_text("Aangemeld als klant 10234")
    expect(page.get_by_label("Administratie", exact=True)).to_have_value("00017")
    expect(page.get_by_label("Boekjaar", exact=True)).to_have_value("2025")
    # The seed leaves unprocessed Scan & Recognize proposals: the page warns they are not backed up.
    expect(page.locator("#proposals-warning")).to_be_visible()
    expect(page.locator("#proposals-warning")).to_contain_text("komen niet in de backup")
    expect(page.locator("#include-documents-hint")).to_contain_text("erg groot")
    shot(page, "chosen")

    page.get_by_label("Documenten meenemen").check()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Backup maken").click()
        expect(page.locator("#backup-progress-bar")).to_be_visible()
        shot(page, "in-progress")
    download = download_info.value
    assert download.suggested_filename == FILENAME
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    status = page.locator("#backup-status")
    expect(status).to_contain_text(f"De backup is klaar: {FILENAME}")
    expect(status).to_be_focused()
    expect(page.locator("#backup-progress-bar")).to_have_attribute("value", "100")
    expect(page.get_by_role("link", name="Opnieuw downloaden")).to_be_visible()
    first_row = page.locator("#jobs-body tr").first
    expect(first_row).to_contain_text("Backup")
    expect(first_row).to_contain_text("met documenten")
    expect(first_row).to_contain_text("Klaar")
    shot(page, "ready")

    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
    assert any(name.startswith("documents/") and name.endswith(".pdf") for name in names)
    assert any(name.startswith("records/") for name in names)
    assert "manifest.json" in names
    assert manifest["administration"] == "00017"
    assert str(manifest["fiscal_year"]) == "2025"

    # "Download again" asks the API for a fresh link to the same archive.
    with page.expect_download() as again_info:
        page.get_by_role("link", name="Opnieuw downloaden").click()
    again = again_info.value
    assert again.suggested_filename == FILENAME
    again_path = tmp_path / "again.zip"
    again.save_as(again_path)
    assert again_path.read_bytes() == saved.read_bytes()
    with zipfile.ZipFile(io.BytesIO(again_path.read_bytes())) as archive:
        assert "manifest.json" in archive.namelist()
