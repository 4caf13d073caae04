"""Retained years in the page: a year kept on request (10 years) appears with until when and its legal
hold state, and downloads as the complete backup; with a read-only sign-in (the licence ended) the page
says so, offers no backup, restore or request, and still downloads a retained year."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kluis_tools.seed import SeedSpec, seed
from tests.e2e.conftest import POLL_MS, choose, sign_in_as
from tests.integration.harness import SMALL, Harness

CUSTOMER = "10302"
BANNER = "Alleen-lezen: uw licentie is beëindigd; u kunt bewaarde jaren nog downloaden."


@pytest.fixture(scope="module")
def books(harness: Harness) -> None:
    """Two fiscal years; the seed closes every year but the latest (2024 closed, 2025 open)."""
    spec = {**SMALL, "entries_per_year": 40, "documents_per_year": 2}
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00017", ("2024", "2025")),), **spec))


def downloaded(page: Page, button, tmp_path: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        button.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path


def assert_complete_backup(path: Path, year: str) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read("manifest.json"))
        names = archive.namelist()
    assert (manifest["fiscal_year"], manifest["administration"]) == (year, "00017"), manifest
    assert manifest["include_documents"] is True
    assert any(name.startswith("documents/") for name in names), "a retained year holds its documents"


def test_a_year_kept_on_request_is_listed_and_downloads(open_page, harness, books, shot, tmp_path):
    page = sign_in_as(open_page(), CUSTOMER)
    choose(page, "00017", "2025")
    section = page.locator("#retained")
    expect(section.locator("#retained-empty")).to_have_text("Er worden nog geen jaren bewaard.")
    expect(section.locator("#retention-scope")).to_contain_text("Administratie 00017, boekjaar 2025")

    section.get_by_label("10 jaar (voor gegevens over onroerende zaken)").check()
    section.get_by_role("button", name="Bewaren aanvragen").click()
    status = section.locator("#retention-status")
    expect(status).to_contain_text(
        re.compile(
            r"De bewaarkopie van administratie 00017, boekjaar 2025 is gemaakt "
            r"en wordt bewaard tot 1 jan\.? 2036"
        ),
        timeout=120_000,
    )
    row = section.locator("#retained-body tr").first
    expect(row).to_contain_text("00017")
    expect(row).to_contain_text("2025")
    expect(row).to_contain_text("10 jaar")
    expect(row).to_contain_text("Op uw verzoek")
    expect(row).to_contain_text("Nee")  # no legal hold
    shot(page, "retained")

    path = downloaded(page, row.get_by_role("button", name=re.compile("^Bewaard boekjaar 2025")), tmp_path)
    assert path.name == f"{CUSTOMER} - 00017 - 2025 - Backup.zip"
    assert_complete_backup(path, "2025")


def test_after_the_licence_ended_the_page_is_read_only_and_retained_years_still_download(
    page, harness, books, shot, tmp_path
):
    # The daily run keeps every closed year (2024 here) for 7 years after its end.
    started = harness.stack.run_scheduled("RetainClosedYearsFunction")["started"]
    for scope, job_id in started.items():
        assert harness.wait_for(job_id, scope.split("/")[0], timeout=120)["status"] == "ready"
    assert f"{CUSTOMER}/00017/2024" in started, started

    # The licence ended: a read-only sign-in (the local token issuer's role).
    page.goto(f"{harness.gateway.url}/?poll={POLL_MS}&role=read-only")
    page.wait_for_selector("body[data-ready='true']")
    sign_in_as(page, CUSTOMER)
    expect(page.locator("#read-only-banner strong")).to_have_text(BANNER)
    expect(page.locator("body")).to_have_attribute("data-read-only", "true")
    for hidden in ("#backup", "#restore", "#sysrestore-form", "#retention-request"):
        expect(page.locator(hidden)).to_be_hidden()
    # The visible sections are numbered without the hidden ones (no jump from 1 to 4), in both languages.
    numbered = page.locator("main section.card:visible h2")
    expect(numbered).to_have_text(
        [
            "1. Administratie en boekjaar",
            "2. Recente taken",
            "3. Herstel uit systeembackup aanvragen",
            "4. Bewaarde jaren",
            "5. Logboek",
        ]
    )
    page.get_by_label("Taal").select_option("en")
    expect(numbered).to_have_text(
        [
            "1. Administration and fiscal year",
            "2. Recent jobs",
            "3. Request a restore from a system backup",
            "4. Retained years",
            "5. Audit log",
        ]
    )
    page.get_by_label("Language").select_option("nl")
    expect(page.get_by_role("button", name="Backup maken")).to_have_count(0)
    expect(page.get_by_role("button", name="Versturen")).to_have_count(0)
    expect(page.get_by_role("button", name="Bewaren aanvragen")).to_have_count(0)
    expect(
        page.get_by_role("button", name=re.compile("^(Bevestigen of annuleren|Deze terugzetting)"))
    ).to_have_count(0)

    row = page.locator("#retained-body tr", has_text="2024")
    expect(row).to_contain_text("Boekjaar afgesloten")
    expect(row).to_contain_text("7 jaar")
    expect(row).to_contain_text(re.compile(r"1 jan\.? 2032"))  # 7 years after the end of 2024
    shot(page, "read-only")

    path = downloaded(page, row.get_by_role("button", name=re.compile("^Bewaard boekjaar 2024")), tmp_path)
    assert_complete_backup(path, "2024")
    expect(page.locator("#retained-status")).to_contain_text("Het downloaden van")
    # The API refuses writes by itself too: the page only hides what it would refuse.
    refused = harness.call(
        "POST", "/administrations/00017/years/2025/backups", CUSTOMER, role="read-only", json={}
    )
    assert refused.status_code == 403 and refused.json()["reasonCode"] == "request.read_only"
