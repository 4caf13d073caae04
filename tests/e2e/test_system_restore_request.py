"""Asking the operator for a restore from the system backups: choose what, when, see the costs, acknowledge.

They drive GET/POST /system-restore-requests through the page and check the outcome through the API.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.integration.harness import CUSTOMER

ACKNOWLEDGE = "Ik begrijp dat hiervoor kosten in rekening kunnen worden gebracht."
MOMENT = "Tijdstip om naar terug te gaan"


def local_input(moment: datetime) -> str:
    """The value of a datetime-local input: the browser's local time (the same machine as the test)."""
    return moment.astimezone().strftime("%Y-%m-%dT%H:%M")


def test_request_a_restore_of_two_years(open_page, harness, shot):
    page = open_page()
    section = page.locator("#system-restore")
    expect(section.get_by_role("heading", name="5. Herstel uit systeembackup aanvragen")).to_be_visible()
    expect(page.locator("#sysrestore-rule")).to_contain_text("€ 75,00 per administratie en boekjaar")
    expect(page.locator("#sysrestore-moment-hint")).to_contain_text("400 dagen")
    expect(page.locator("#sysrestore-total")).to_contain_text("€ 0,00")

    page.get_by_label("Administratie 00017, boekjaar 2024").check()
    expect(page.locator("#sysrestore-total")).to_contain_text("€ 75,00")
    page.get_by_label("Administratie 00017, boekjaar 2025").check()
    expect(page.locator("#sysrestore-total")).to_contain_text("150")
    expect(page.locator("#sysrestore-total")).to_contain_text("€ 150,00")
    moment = datetime.now(UTC) - timedelta(days=1)
    page.get_by_label(MOMENT).fill(local_input(moment))
    note = f"Per ongeluk boekingen verwijderd ({moment.timestamp():.0f})"
    page.get_by_label("Toelichting voor de beheerder").fill(note)

    # Without the acknowledgement of the costs nothing is sent.
    page.get_by_role("button", name="Herstel aanvragen").click()
    expect(page.locator("#sysrestore-status")).to_contain_text("niet verstuurd")
    expect(page.locator("#sysrestore-ack-error")).to_contain_text("kosten in rekening")
    expect(page.get_by_label(ACKNOWLEDGE)).to_be_focused()
    shot(page, "acknowledgement-missing")
    assert not [r for r in mine(harness) if r.get("note") == note]

    page.get_by_label(ACKNOWLEDGE).check()
    expect(page.locator("#sysrestore-ack-error")).to_be_empty()
    shot(page, "filled-in")
    page.get_by_role("button", name="Herstel aanvragen").click()

    status = page.locator("#sysrestore-status")
    expect(status).to_contain_text("is ontvangen")
    expect(status).to_contain_text("Status: Ontvangen")
    expect(status).to_contain_text("€ 150,00")
    expect(status).to_be_focused()
    request_id = re.search(r"aanvraag (\S+) is ontvangen", status.inner_text()).group(1)
    row = page.locator(f"#sysrestore-body tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("Ontvangen")
    expect(row).to_contain_text("Administratie 00017, boekjaar 2024")
    expect(row).to_contain_text("Administratie 00017, boekjaar 2025")
    expect(row).to_contain_text("Wacht")
    expect(row).to_contain_text("€ 150,00")
    expect(row).to_contain_text(note)
    # The form is empty again, the total back to nothing.
    expect(page.get_by_label("Administratie 00017, boekjaar 2024")).not_to_be_checked()
    expect(page.locator("#sysrestore-total")).to_contain_text("€ 0,00")
    shot(page, "received")

    stored = next(r for r in mine(harness) if r["requestId"] == request_id)
    assert stored["status"] == "received"
    assert stored["note"] == note
    assert sorted((i["administration"], i["year"]) for i in stored["items"]) == [
        ("00017", "2024"),
        ("00017", "2025"),
    ]
    assert stored["costs"]["totalCents"] == 15000
    point = datetime.fromisoformat(stored["pointInTime"].replace("Z", "+00:00"))
    assert abs(point - moment) < timedelta(minutes=2)

    page.get_by_label("Taal").select_option("en")
    expect(status).to_contain_text("has been received. Status: Received")
    expect(status).to_contain_text("€150.00")
    expect(page.locator("#sysrestore-rule")).to_contain_text("€75.00 per administration and fiscal year")
    expect(row).to_contain_text("Received")
    expect(row).to_contain_text("Administration 00017, fiscal year 2025")
    expect(row).to_contain_text("Pending")
    shot(page, "english")


def test_a_point_in_time_in_the_future_is_refused(open_page, harness, shot):
    before = len(mine(harness))
    page = open_page()
    page.get_by_label("Administratie 00017, boekjaar 2025").check()
    page.get_by_label(MOMENT).fill(local_input(datetime.now(UTC) + timedelta(days=1)))
    page.get_by_label(ACKNOWLEDGE).check()
    page.get_by_role("button", name="Herstel aanvragen").click()

    status = page.locator("#sysrestore-status")
    expect(status).to_contain_text("De aanvraag is niet aangenomen")
    expect(status).to_contain_text("Het tijdstip moet in het verleden liggen.")  # the reason, in Dutch
    expect(status.get_by_role("alert")).to_be_visible()
    expect(status).to_be_focused()
    # What was filled in stays, to correct it.
    expect(page.get_by_label("Administratie 00017, boekjaar 2025")).to_be_checked()
    shot(page, "refused")
    assert len(mine(harness)) == before


def mine(harness) -> list[dict]:
    response = harness.call("GET", "/system-restore-requests", CUSTOMER)
    assert response.status_code == 200, response.text
    return response.json()["requests"]
