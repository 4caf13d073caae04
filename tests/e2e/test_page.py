"""The page itself: languages, keyboard use, switching the demo customer."""

from __future__ import annotations

from playwright.sync_api import expect


def test_dutch_by_default_and_english_on_request(open_page, harness, shot):
    harness.backup("00017", "2024", documents=False)  # a job in the list, to see its status translated
    page = open_page()
    page.get_by_label("Boekjaar", exact=True).select_option("2024")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="2. Backup maken")).to_be_visible()
    expect(page.get_by_label("Documenten meenemen")).to_be_visible()
    expect(page.locator("#jobs-body tr").first).to_contain_text("Klaar")
    shot(page, "dutch")

    page.get_by_label("Taal").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="2. Make a backup")).to_be_visible()
    expect(page.get_by_label("Include documents")).to_be_visible()
    expect(page.locator("#include-documents-hint")).to_contain_text("very large")
    expect(page.locator("#signed-in")).to_have_text("Signed in as customer 10234")
    expect(page.locator("#jobs-body tr").first).to_contain_text("Ready")
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page).to_have_title("Kluis — backup and restore")
    shot(page, "english")

    page.reload()  # the choice is remembered
    page.wait_for_selector("body[data-ready='true']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Language")).to_have_value("en")
    expect(page.get_by_role("heading", name="3. Restore a backup")).to_be_visible()

    page.get_by_label("Language").select_option("nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", name="3. Backup terugzetten")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "narrow")


def test_keyboard_only_backup(open_page, shot):
    page = open_page()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "backup-button":
            break
    else:
        raise AssertionError("Tab never reached the Backup button")
    shot(page, "focus-on-backup")
    with page.expect_download(timeout=60_000) as download_info:
        page.keyboard.press("Enter")
    assert download_info.value.suggested_filename == "10234 - 00017 - 2025 - Backup.zip"
    status = page.locator("#backup-status")
    expect(status).to_contain_text("De backup is klaar")
    expect(status).to_be_focused()  # the result is where the keyboard user is now
    shot(page, "done")


def test_switch_demo_customer(open_page, shot):
    page = open_page()
    page.get_by_text("Ander klantnummer (demo)").click()
    page.get_by_label("Klantnummer").fill("20567")
    page.get_by_role("button", name="Wissel van klant").click()
    expect(page.locator("#signed-in")).to_have_text("Aangemeld als klant 20567")
    expect(page.get_by_label("Boekjaar", exact=True).locator("option")).to_have_count(1)
    expect(page.get_by_label("Boekjaar", exact=True)).to_have_value("2025")
    expect(page.locator("#choose-heading")).to_be_focused()

    page.get_by_label("Klantnummer").fill("12x")
    page.get_by_role("button", name="Wissel van klant").click()
    expect(page.locator("#errors")).to_contain_text("klantnummer van 1 tot 10 cijfers")
    expect(page.locator("#signed-in")).to_have_text("Aangemeld als klant 20567")
    shot(page, "switched")
