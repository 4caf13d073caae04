"""The restore flow in the browser: send a backup file, see what it holds, type the code, confirm.

They drive the restore API (POST /restores, confirm, cancel) through the page.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kluis.scope import Scope
from kluis.storage.data import DataStore
from kluis_tools.seed import SeedSpec, seed
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


def send(page: Page, path: Path) -> None:
    page.get_by_label("Backupbestand").set_input_files(str(path))
    page.get_by_role("button", name="Versturen").click()


def wait_for_confirmation(page: Page) -> str:
    panel = page.locator("#confirm-panel")
    expect(panel).to_be_visible(timeout=CONFIRM_TIMEOUT)
    code = page.locator("#verification-code").inner_text().strip()
    assert code.isdigit(), code
    return code


def test_restore_of_a_renamed_backup_replaces_the_live_data(open_page, harness, archive, shot, tmp_path):
    renamed = tmp_path / "renamed.zip"
    renamed.write_bytes(archive)
    expected = archive_records(archive)
    change_live_data(harness)
    assert live_records(harness.store) != expected, "the live data should differ before the restore"

    page = open_page()
    send(page, renamed)
    expect(page.locator("#upload-progress-bar")).to_be_visible()
    code = wait_for_confirmation(page)
    panel = page.locator("#confirm-panel")
    expect(page.locator("#code-input")).to_be_focused()
    summary = page.locator("#restore-summary")
    expect(summary).to_contain_text("00017")
    expect(summary).to_contain_text("2025")
    expect(summary).to_contain_text("10234")
    expect(page.locator("#restore-replaces")).to_contain_text("worden vervangen")
    expect(panel).to_contain_text("kan niet ongedaan worden gemaakt")
    expect(page.locator("#attempts-left")).to_contain_text("pogingen")
    confirm = page.get_by_role("button", name="Terugzetten bevestigen")
    expect(confirm).to_contain_text("✔")
    shot(page, "awaiting-confirmation")

    page.get_by_label("Bevestigingscode").fill(code)
    confirm.click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text("De backup is teruggezet", timeout=CONFIRM_TIMEOUT)
    expect(status).to_be_focused()
    expect(panel).to_be_hidden()
    expect(page.locator("#jobs-body tr").first).to_contain_text("Teruggezet")
    shot(page, "restored")

    assert live_records(harness.store) == expected


def test_a_wrong_code_shows_attempts_left_and_changes_nothing(open_page, harness, archive, shot, tmp_path):
    path = tmp_path / "backup.zip"
    path.write_bytes(archive)
    before = harness.store.head(SCOPE)

    page = open_page()
    send(page, path)
    code = wait_for_confirmation(page)
    attempts = page.locator("#attempts-left").inner_text()
    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Bevestigingscode").fill(wrong)
    page.get_by_role("button", name="Terugzetten bevestigen").click()

    error = page.locator("#code-error")
    expect(error).to_contain_text("pogingen over")
    expect(error).to_have_attribute("role", "alert")
    expect(page.locator("#code-input")).to_be_focused()
    expect(page.locator("#code-input")).to_have_attribute("aria-invalid", "true")
    assert page.locator("#attempts-left").inner_text() != attempts
    shot(page, "wrong-code")
    assert harness.store.head(SCOPE).generation == before.generation

    page.get_by_role("button", name="Annuleren").click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text("geannuleerd")
    expect(status).to_be_focused()
    expect(page.locator("#confirm-panel")).to_be_hidden()
    shot(page, "cancelled")
    assert harness.store.head(SCOPE).generation == before.generation


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


def test_a_tampered_file_is_rejected_with_a_readable_reason(open_page, harness, archive, shot, tmp_path):
    path = tmp_path / "10234 - 00017 - 2025 - Backup.zip"
    path.write_bytes(tampered(archive))
    before = harness.store.head(SCOPE)

    page = open_page()
    send(page, path)
    status = page.locator("#restore-status")
    expect(status).to_contain_text("Het bestand is afgewezen:", timeout=CONFIRM_TIMEOUT)
    expect(status.locator("[role=alert]")).to_be_visible()
    expect(status).to_be_focused()
    expect(page.locator("#confirm-panel")).to_be_hidden()
    reason = status.inner_text().split("afgewezen:", 1)[1].strip()
    assert len(reason) > 10, reason
    shot(page, "rejected")
    assert harness.store.head(SCOPE).generation == before.generation
