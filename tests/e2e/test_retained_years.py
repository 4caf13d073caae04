"""Retained years in the page: a year kept on request (10 years) appears with until when and its legal
hold state, and downloads as the complete backup; with a read-only sign-in (the licence ended) the page
says so, offers no backup, restore or request, and still downloads a retained year. A retained year kept
with an XAF 3.2 auditfile only, and a ready backup, each give an auditfile in XAF 4.0 on request (from
1 January 2027 the Belastingdienst accepts nothing else), followed to its end and then downloaded."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import pyxaf
from playwright.sync_api import Download, Locator, Page, expect

from kluis.books.xaf import XAF_32
from kluis_tools.seed import SeedSpec, seed
from tests.e2e.conftest import POLL_MS, choose, sign_in_as
from tests.e2e.words import LANGUAGES, WORDS
from tests.integration.harness import SMALL, Harness

CUSTOMER = "10302"
AUDITFILE_CUSTOMER = "10305"  # one open year, 2025: the daily run of closed years leaves it alone
BANNER = "Alleen-lezen: uw licentie is beëindigd; u kunt bewaarde jaren nog downloaden."


@pytest.fixture(scope="module")
def books(harness: Harness) -> None:
    """Two fiscal years; the seed closes every year but the latest (2024 closed, 2025 open)."""
    spec = {**SMALL, "entries_per_year": 40, "documents_per_year": 2}
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00017", ("2024", "2025")),), **spec))


@pytest.fixture(scope="module")
def open_year(harness: Harness) -> None:
    spec = SeedSpec(customer=AUDITFILE_CUSTOMER, administrations=(("00017", ("2025",)),), **SMALL)
    seed(harness.store, spec)


@pytest.fixture(scope="module")
def kept_in_xaf_32(harness: Harness, open_year: None) -> None:
    """2025 kept on request as Kluis kept years before December 2026: one auditfile.xaf, in XAF 3.2."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("kluis.flows.backup.build.AUDITFILE_VERSIONS", {"auditfile.xaf": XAF_32})
        path = "/administrations/00017/years/2025/retention"
        response = harness.call("POST", path, AUDITFILE_CUSTOMER, json={})
        assert response.status_code == 202, response.text
        job = harness.wait_for(response.json()["jobId"], AUDITFILE_CUSTOMER, timeout=120)
    assert job["status"] == "ready", job


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


# Every text a status element shows from the click on: the progress, which may last a moment only, is
# seen without racing it.
WATCH = """(selector) => {
  const element = document.querySelector(selector);
  const seen = (window.kluisSeen = []);
  new MutationObserver(() => seen.push(element.textContent)).observe(element, {
    subtree: true, childList: true, characterData: true,
  });
}"""


def auditfile_downloaded(page: Page, button: Locator, status: str) -> tuple[Download, Locator, list[str]]:
    """Clicks `button` and waits for the auditfile it downloads: the download, the job's row in the
    recent jobs, and every text `status` showed meanwhile."""
    page.evaluate(WATCH, status)
    requested = re.compile(r"/api/(jobs|retained-archives)/[^/]+/auditfile$")
    with (
        page.expect_download(timeout=120_000) as download,
        page.expect_response(lambda response: bool(requested.search(response.url))) as response,
    ):
        button.click()
    row = page.locator(f"#jobs-body tr[data-job-id='{response.value.json()['jobId']}']")
    return download.value, row, page.evaluate("() => window.kluisSeen")


def assert_xaf_40(download: Download, filename: str) -> bytes:
    assert download.suggested_filename == filename
    assert download.suggested_filename.endswith("Auditfile XAF 4.0.xaf")
    data = Path(download.path()).read_bytes()
    report = pyxaf.validate(data, xsd=True)
    assert report.ok, report.errors[:3]
    with pyxaf.open(data) as auditfile:
        assert auditfile.version.value == "4.0"
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_year_kept_in_xaf_32_downloads_an_auditfile_in_xaf_40(open_page, kept_in_xaf_32, shot, language):
    words = WORDS[language]
    page = sign_in_as(open_page(language), AUDITFILE_CUSTOMER)
    choose(page, "00017", "2025")
    row = page.locator("#retained-body tr", has_text="2025")
    button = row.get_by_role("button", name=re.compile(f"^{re.escape(words['auditfile_retained'])} 2025"))
    expect(button).to_have_text(words["auditfile"])
    expect(button).to_have_attribute("data-action", "auditfile-retained")

    download, job, seen = auditfile_downloaded(page, button, "#retained-status")
    filename = f"{AUDITFILE_CUSTOMER} - 00017 - 2025 - Auditfile XAF 4.0.xaf"
    data = assert_xaf_40(download, filename)
    assert any(words["auditfile_building"] in text for text in seen), seen
    expect(page.locator("#retained-status")).to_contain_text(f"{words['auditfile_ready']} {filename}")
    expect(button).to_have_attribute("aria-disabled", "false")

    # The recent jobs list it, made from the retained year, and download it again.
    expect(job).to_contain_text(f"{words['kind_auditfile']} ({words['auditfile_from_retained']})")
    expect(job).to_contain_text(words["status_ready"])
    again = job.get_by_role("button", name=re.compile(f"^{words['download']}: {words['kind_auditfile']}"))
    shot(page, "auditfile")
    with page.expect_download() as info:
        again.click()
    assert info.value.suggested_filename == filename
    assert Path(info.value.path()).read_bytes() == data


def test_a_ready_backup_downloads_an_auditfile_in_xaf_40(open_page, open_year, shot):
    words = WORDS["nl"]
    page = sign_in_as(open_page(), AUDITFILE_CUSTOMER)
    choose(page, "00017", "2025")
    with page.expect_download(timeout=60_000):
        page.get_by_role("button", name=words["backup_button"]).click()
    button = page.locator("#backup-download").get_by_role(
        "button", name=f"{words['auditfile_backup']} van administratie 00017, boekjaar 2025"
    )
    expect(button).to_have_attribute("data-action", "auditfile-backup")

    download, job, seen = auditfile_downloaded(page, button, "#backup-auditfile-status")
    filename = f"{AUDITFILE_CUSTOMER} - 00017 - 2025 - Auditfile XAF 4.0.xaf"
    assert_xaf_40(download, filename)
    assert any(words["auditfile_building"] in text for text in seen), seen
    expect(page.locator("#backup-auditfile-status")).to_contain_text(f"{words['auditfile_ready']} {filename}")
    expect(job).to_contain_text(f"{words['kind_auditfile']} ({words['auditfile_from_backup']})")
    expect(job).to_contain_text(words["status_ready"])
    shot(page, "backup-auditfile")


def test_a_read_only_sign_in_gets_auditfiles_too(page, harness, kept_in_xaf_32, shot):
    """Neither request changes the books: with the licence ended, the retained year offers it, and so
    does a ready backup in the recent jobs (its own section is hidden)."""
    backup = harness.backup("00017", "2025", documents=False, customer=AUDITFILE_CUSTOMER)
    assert backup["status"] == "ready", backup
    words = WORDS["nl"]
    page.goto(f"{harness.gateway.url}/?poll={POLL_MS}&role=read-only")
    page.wait_for_selector("body[data-ready='true']")
    sign_in_as(page, AUDITFILE_CUSTOMER)
    expect(page.locator("body")).to_have_attribute("data-read-only", "true")
    choose(page, "00017", "2025")
    retained = page.locator("#retained-body tr", has_text="2025")
    expect(retained.locator("[data-action='auditfile-retained']")).to_be_visible()

    row = page.locator(f"#jobs-body tr[data-job-id='{backup['jobId']}']")
    button = row.get_by_role("button", name=re.compile(f"^{re.escape(words['auditfile'])}: Backup van"))
    download, job, seen = auditfile_downloaded(page, button, "#jobs-status")
    assert_xaf_40(download, f"{AUDITFILE_CUSTOMER} - 00017 - 2025 - Auditfile XAF 4.0.xaf")
    assert any(words["auditfile_building"] in text for text in seen), seen
    expect(job).to_contain_text(f"{words['kind_auditfile']} ({words['auditfile_from_backup']})")
    expect(page.locator("#jobs-status")).to_contain_text(words["auditfile_ready"])
    shot(page, "read-only-auditfile")


CHANGED = "records/ledger_accounts.jsonl"  # a name without English words (conftest.shot looks)


def test_an_auditfile_of_a_changed_archive_fails_with_its_reason(open_page, harness, open_year, shot):
    """A byte changed in a backup's archive after it was made: no auditfile, and the page says which
    part of the archive differs from the signed manifest."""
    backup = harness.backup("00017", "2025", documents=False, customer=AUDITFILE_CUSTOMER)
    s3, bucket = harness.stack.client("s3"), harness.stack.name_of("ArchivesBucket")
    key = f"archives/{AUDITFILE_CUSTOMER}/{backup['jobId']}.zip"
    data = bytearray(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(CHANGED)
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2] ^= 0x01
    s3.put_object(Bucket=bucket, Key=key, Body=bytes(data))

    page = sign_in_as(open_page(), AUDITFILE_CUSTOMER)
    choose(page, "00017", "2025")
    row = page.locator(f"#jobs-body tr[data-job-id='{backup['jobId']}']")
    requested = re.compile(r"/api/jobs/[^/]+/auditfile$")
    with page.expect_response(lambda response: bool(requested.search(response.url))) as response:
        row.locator("[data-action='auditfile-from-backup']").click()
    status = page.locator("#jobs-status")
    expect(status).to_contain_text("De auditfile kon niet worden gemaakt:")
    expect(status).to_contain_text(
        f"{CHANGED}\u2019 in het archief klopt niet met de ondertekende inhoudslijst"
    )
    expect(status).to_be_focused()
    job = page.locator(f"#jobs-body tr[data-job-id='{response.value.json()['jobId']}']")
    expect(job).to_contain_text("Mislukt")
    expect(job.locator("[data-action='download-auditfile']")).to_have_count(0)
    shot(page, "auditfile-failed")
