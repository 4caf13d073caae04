"""Undo a restore from the page: within its window the restored job says until when it can be undone and
offers it; the undo goes through the same summary and verification code as a restore and gives back,
byte for byte, what was live before. It is refused with its Dutch reason after a later restore, and
after the window the sweeper removes the replaced generation and the page offers no undo any more.

Each test has an administration of its own of customer 10301 (signed in with the page's demo switch).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kluis.scope import Scope
from tests.e2e.conftest import sign_in_as
from tests.integration.harness import Harness, archive_members, change_live_data, confirm_code, seed_scope

CUSTOMER = "10301"
CONFIRM_TIMEOUT = 45_000
UNDO = "Deze terugzetting ongedaan maken"
UNTIL = re.compile(
    r"U kunt deze terugzetting tot .+ ongedaan maken; daarna kan alleen een systeemherstel helpen\."
)


def prepared(harness: Harness, administration: str, tmp_path: Path) -> tuple[Scope, bytes, Path]:
    """A backup of the administration, then other live data: restoring the backup replaces it."""
    scope = Scope(CUSTOMER, administration, "2025")
    seed_scope(harness, scope, documents=2)
    data = harness.download(harness.backup(administration, "2025", customer=CUSTOMER)).content
    change_live_data(harness.store, scope, "changed after the backup")
    path = tmp_path / f"{CUSTOMER} - {administration} - 2025 - Backup.zip"
    path.write_bytes(data)
    return scope, data, path


def code_typed(page: Page, confirm: str) -> None:
    """The verification code shown, typed back, and confirmed."""
    expect(page.locator("#confirm-panel")).to_be_visible(timeout=CONFIRM_TIMEOUT)
    code = page.locator("#verification-code").inner_text().strip()
    page.get_by_label("Verificatiecode").fill(code)
    page.get_by_role("button", name=confirm).click()


def restored_from_the_page(page: Page, path: Path) -> None:
    page.get_by_label("Backupbestand").set_input_files(str(path))
    page.get_by_role("button", name="Versturen").click()
    expect(page.locator("#confirm-panel")).to_be_visible(timeout=CONFIRM_TIMEOUT)
    # Before the code: the truth about what is definitive.
    expect(page.locator("#restore-irreversible")).to_have_text(
        re.compile("na het terugzetten kunt u dit nog 30 dagen ongedaan maken; daarna kan alleen een herstel")
    )
    code_typed(page, "Terugzetten bevestigen")
    expect(page.locator("#restore-status")).to_contain_text(
        "De backup is teruggezet", timeout=CONFIRM_TIMEOUT
    )


def restore_row(page: Page, job_id: str):
    return page.locator(f"#jobs-body tr[data-job-id='{job_id}']")


def latest_restore_id(harness: Harness, scope: Scope) -> str:
    jobs = harness.call("GET", f"/administrations/{scope.administration}/years/2025/jobs", CUSTOMER).json()
    return next(
        job["jobId"] for job in jobs["jobs"] if job["kind"] == "restore" and job["status"] == "restored"
    )


def test_a_restore_undone_from_the_page_gives_back_exactly_what_was_live_before(
    open_page, harness, shot, tmp_path
):
    scope, data, path = prepared(harness, "00041", tmp_path)
    before = harness.snapshot(scope)
    page = sign_in_as(open_page(), CUSTOMER)

    restored_from_the_page(page, path)
    assert harness.snapshot(scope)[1] == archive_members(data), "the backup is live"
    offer = page.locator("#undo-offer")
    expect(offer).to_be_visible()
    expect(offer).to_have_text(UNTIL)
    row = restore_row(page, latest_restore_id(harness, scope))
    expect(row).to_contain_text(UNTIL)
    expect(row.get_by_role("button", name=re.compile(f"^{UNDO}"))).to_be_visible()
    shot(page, "restored-undo-offered")

    offer.get_by_role("button", name=UNDO).click()
    panel = page.locator("#confirm-panel")
    expect(panel).to_be_visible(timeout=CONFIRM_TIMEOUT)
    expect(page.locator("#confirm-heading")).to_have_text("Controleer en bevestig het ongedaan maken")
    expect(page.locator("#restore-replaces")).to_contain_text(
        "gaat terug naar de gegevens en documenten van vóór"
    )
    expect(page.locator("#restore-irreversible")).to_contain_text("kan zelf niet ongedaan worden gemaakt")
    expect(page.locator("#restore-summary")).to_contain_text("boekingen")
    # The contents span two columns, as in a restore's summary.
    contents = page.locator('#restore-summary [data-row="undo.summary.contents"]')
    expect(contents).to_have_css("grid-column-start", "span 2")
    shot(page, "undo-awaiting-code")
    assert harness.snapshot(scope)[1] == archive_members(data), "nothing changes before the code"

    code_typed(page, "Ongedaan maken bevestigen")
    status = page.locator("#restore-status")
    expect(status).to_contain_text("De terugzetting is ongedaan gemaakt", timeout=CONFIRM_TIMEOUT)
    expect(offer).to_be_hidden()
    expect(page.locator("#jobs-body tr").first).to_contain_text("Terugzetting ongedaan maken")
    expect(page.get_by_role("button", name=re.compile(f"^{UNDO}"))).to_have_count(0)
    shot(page, "undone")

    generation, live, _ = harness.snapshot(scope)
    assert (generation, live) == before[:2], "byte-identical to before the restore, the same generation live"


def test_an_undo_after_a_later_restore_is_refused_with_its_reason(open_page, harness, shot, tmp_path):
    scope, data, path = prepared(harness, "00042", tmp_path)
    page = sign_in_as(open_page(), CUSTOMER)
    restored_from_the_page(page, path)
    expect(page.locator("#undo-offer")).to_be_visible()
    first = latest_restore_id(harness, scope)

    # Meanwhile someone restores the same year again (another tab, a colleague).
    change_live_data(harness.store, scope, "changed again")
    later = harness.wait_until(
        harness.start_restore(data, customer=CUSTOMER)["jobId"], {"awaiting-confirmation"}, CUSTOMER
    )
    assert confirm_code(harness, later, CUSTOMER).status_code == 202
    assert harness.wait_for(later["jobId"], CUSTOMER)["status"] == "restored"
    live = harness.snapshot(scope)[:2]

    page.locator("#undo-offer").get_by_role("button", name=UNDO).click()
    status = page.locator("#restore-status")
    expect(status).to_contain_text(
        "Deze terugzetting kan niet ongedaan worden gemaakt: De administratie en het boekjaar zijn na deze "
        "terugzetting gewijzigd"
    )
    expect(status).to_contain_text("Er is niets veranderd.")
    expect(status.locator("[role=alert]")).to_be_visible()
    expect(page.locator("#confirm-panel")).to_be_hidden()
    # The list, loaded anew, offers no undo of the first restore; the later one may be undone.
    expect(restore_row(page, first)).to_be_visible()
    expect(restore_row(page, first).get_by_role("button")).to_have_count(0)
    expect(
        restore_row(page, later["jobId"]).get_by_role("button", name=re.compile(f"^{UNDO}"))
    ).to_be_visible()
    shot(page, "undo-refused")
    assert harness.snapshot(scope)[:2] == live, "the refused undo changed nothing"


@pytest.fixture
def short_window(configure):
    """The undo window of 2.6 seconds from now on, and a sweeper without grace (as the integration tests)."""

    def shorten() -> None:
        configure(UNDO_WINDOW_DAYS="0.00003", SWEEP_GRACE_DAYS="0")
        time.sleep(3)

    return shorten


def test_after_the_window_the_sweeper_removes_the_replaced_data_and_no_undo_is_offered(
    open_page, harness, shot, tmp_path, short_window
):
    scope, data, path = prepared(harness, "00043", tmp_path)
    replaced = harness.snapshot(scope)[0]
    page = sign_in_as(open_page(), CUSTOMER)
    restored_from_the_page(page, path)
    expect(page.locator("#undo-offer")).to_be_visible()
    job_id = latest_restore_id(harness, scope)

    short_window()  # the window has passed
    assert replaced in harness.generations(scope), "kept until the sweeper runs"
    report = harness.stack.run_scheduled("SweepGenerationsFunction")
    assert replaced in report["retired"].get(str(scope), []), report
    assert replaced not in harness.generations(scope), "the replaced generation is swept"
    assert harness.snapshot(scope)[1] == archive_members(data), "the live data is untouched"

    page.get_by_role("button", name="Vernieuwen").first.click()
    row = restore_row(page, job_id)
    expect(row).to_contain_text("Teruggezet")
    expect(row.get_by_role("button")).to_have_count(0)
    expect(row).not_to_contain_text("ongedaan")
    expect(page.locator("#undo-offer")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile(f"^{UNDO}"))).to_have_count(0)
    shot(page, "window-passed")
