"""The Logboek: who did what and when, newest first, each action in the page's language by its code; and
a limit (429) that says the backup was not started and from when it can be."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from kluis.scope import Scope
from tests.e2e.conftest import sign_in_as
from tests.integration.harness import seed_scope

CUSTOMER = "10303"
LIMITED = "10304"
SUBJECT = f"user-{CUSTOMER}"  # the local token issuer's subject


def test_the_logboek_shows_who_did_what_in_dutch_newest_first(open_page, harness, shot):
    seed_scope(harness, Scope(CUSTOMER, "00017", "2025"), documents=1)
    seed_scope(harness, Scope(CUSTOMER, "00023", "2025"))
    harness.backup("00023", "2025", customer=CUSTOMER)  # another administration, for the filter
    page = sign_in_as(open_page(), CUSTOMER)
    with page.expect_download(timeout=60_000):
        page.get_by_role("button", name="Backup maken").click()
    expect(page.locator("#backup-status")).to_contain_text("De backup is klaar")

    log = page.locator("#audit-log")
    log.get_by_role("button", name="Vernieuwen").click()
    rows = log.locator("#audit-body tr")
    expect(rows.first).to_contain_text("Downloadlink van een backup uitgegeven")  # the latest first
    expect(rows.first).to_contain_text(SUBJECT)
    expect(rows.first).to_contain_text("00017 / 2025")
    expect(rows.first).to_contain_text("Uitgevoerd")
    requested = log.locator("#audit-body tr[data-action='backup.requested']", has_text="00017 / 2025")
    expect(requested).to_contain_text("Backup aangevraagd")
    expect(requested).to_contain_text(SUBJECT)
    ready = log.locator("#audit-body tr[data-action='backup.ready']", has_text="00017 / 2025")
    expect(ready).to_contain_text("Backup klaar")
    expect(ready).to_contain_text("Kluis (automatisch)")  # the product's own step, not the user
    # Newest first: the request comes after (below) its result.
    actions = rows.evaluate_all("rows => rows.map(row => row.dataset.action)")
    assert actions.index("backup.ready") < actions.index("backup.requested"), actions
    expect(log).to_contain_text("00023 / 2025")
    shot(page, "logboek")

    log.get_by_label("Alleen de gekozen administratie en het gekozen boekjaar (00017 / 2025)").check()
    expect(log).not_to_contain_text("00023 / 2025")
    expect(rows.first).to_contain_text("00017 / 2025")
    shot(page, "logboek-filtered")

    page.get_by_label("Taal").select_option("en")
    requested = log.locator("#audit-body tr[data-action='backup.requested']")
    expect(requested).to_contain_text("Backup requested")
    expect(log.locator("#audit-body tr[data-action='backup.ready']")).to_contain_text("Kluis (automatic)")


def test_a_backup_over_the_hourly_limit_says_when_it_can_be_started(open_page, harness, configure, shot):
    seed_scope(harness, Scope(LIMITED, "00017", "2025"))
    configure(BACKUPS_PER_HOUR_PER_ADMINISTRATION="1")
    harness.backup("00017", "2025", customer=LIMITED, documents=False)  # the one allowed this hour
    page = sign_in_as(open_page(), LIMITED)
    page.get_by_role("button", name="Backup maken").click()
    status = page.locator("#backup-status")
    expect(status).to_contain_text(
        "De backup is niet gestart: Van deze administratie en dit boekjaar zijn dit uur al 1 backups "
        "gestart, het maximum."
    )
    retry = re.compile(r"Vanaf \d+ \w+\.? \d{4}, \d\d:\d\d kunt u de volgende starten\.")
    expect(status).to_contain_text(retry)
    expect(page.locator("#backup-progress")).to_be_hidden()
    shot(page, "limit")
