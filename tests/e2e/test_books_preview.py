"""The books preview on the confirmation screen, in Dutch and in English: an older backup over newer
books (warnings), an identical backup (no differences), and a transfer into an empty administration
of another licence. Each uses an administration/year of its own and cancels, so nothing else changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kluis.scope import Scope
from kluis.storage.data import new_generation_id
from tests.e2e.test_restore import send, wait_for_confirmation
from tests.e2e.words import LANGUAGES, WORDS
from tests.integration.harness import CUSTOMER, OTHER_CUSTOMER, Harness, seed_scope

TEXTS = {
    "nl": {
        "heading": "Wat er met de boekhouding gebeurt",
        "differs": "verschilt van de huidige",
        "lost": "gaan verloren",
        "vat": "Btw-aangifte",
        "filed": "ingediend",
        "reopened": "zijn nu ingediend, maar in de backup nog open",
        "identical": "is gelijk aan de huidige",
        "unchanged": "veranderen niet",
        "empty": "Deze administratie is nu leeg",
        "transfer": "De backup komt uit een andere licentie (klantnummer 10234)",
        "account": "Rekening",
    },
    "en": {
        "heading": "What happens to the books",
        "differs": "differ from the current ones",
        "lost": "will be lost",
        "vat": "VAT return",
        "filed": "filed",
        "reopened": "are filed now but still open in the backup",
        "identical": "are the same as the current ones",
        "unchanged": "do not change",
        "empty": "This administration is empty now",
        "transfer": "The backup comes from another licence (customer number 10234)",
        "account": "Account",
    },
}


def backup_of(harness: Harness, scope: Scope, tmp_path: Path) -> Path:
    seed_scope(harness, scope)
    data = harness.download(harness.backup(scope.administration, scope.year, customer=scope.customer)).content
    path = tmp_path / f"{scope.administration}.zip"
    path.write_bytes(data)
    return path


def newer_books(harness: Harness, scope: Scope) -> None:
    """The live books move on after the backup: two corrections at the end of the year, every VAT
    return filed."""
    store = harness.store
    head = store.head(scope)
    assert head is not None
    generation = new_generation_id()
    for item in store.generation_objects(scope, head.generation):
        body = store.open(item.key).read()
        if item.name == "records/journal_entries.jsonl":
            lines = [
                {"account": "4000", "debit": "125.00", "credit": "0.00"},
                {"account": "1100", "debit": "0.00", "credit": "125.00"},
            ]
            later = [
                {"id": f"je-later-{n}", "date": "2025-12-30", "journal": "memoriaal", "lines": lines}
                for n in range(2)
            ]
            body += b"".join(json.dumps(entry).encode() + b"\n" for entry in later)
        elif item.name == "records/vat_returns.jsonl":
            body = body.replace(b'"status":"open"', b'"status":"filed"')
        store.put(scope, generation, item.name, body)
    store.flip_head(scope, generation, head)


def cancel(page: Page, language: str) -> None:
    page.get_by_role("button", name=WORDS[language]["cancel"], exact=True).click()
    expect(page.locator("#restore-status")).to_contain_text(WORDS[language]["cancelled"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_older_backup_over_newer_books_shows_what_is_lost(open_page, harness, shot, tmp_path, language):
    scope = Scope(CUSTOMER, f"0004{LANGUAGES.index(language)}", "2025")
    path = backup_of(harness, scope, tmp_path)
    newer_books(harness, scope)
    texts = TEXTS[language]
    page = open_page(language)
    send(page, path, language)
    wait_for_confirmation(page)
    books = page.locator("#books-preview")
    expect(books).to_be_visible()
    expect(books).to_contain_text(texts["heading"])
    expect(page.locator("#books-verdict")).to_contain_text(texts["differs"])
    differences = page.locator("#books-differences")
    expect(differences).to_contain_text("memoriaal")
    expect(differences).to_contain_text(texts["lost"])
    expect(differences).to_contain_text(texts["vat"])
    expect(differences).to_contain_text(texts["account"])
    warnings = page.locator("#books-warnings-block")
    expect(warnings).to_be_visible()
    expect(warnings).to_contain_text(texts["reopened"])
    expect(warnings).to_contain_text(texts["lost"])
    # The differences come first, then the warnings.
    assert differences.evaluate("(d, w) => !!(d.compareDocumentPosition(w) & 4)", warnings.element_handle())
    shot(page, "older-over-newer")
    cancel(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_identical_backup_shows_no_differences(open_page, harness, shot, tmp_path, language):
    scope = Scope(CUSTOMER, f"0005{LANGUAGES.index(language)}", "2025")
    path = backup_of(harness, scope, tmp_path)
    texts = TEXTS[language]
    page = open_page(language)
    send(page, path, language)
    wait_for_confirmation(page)
    verdict = page.locator("#books-verdict")
    expect(verdict).to_contain_text(texts["identical"])
    expect(verdict).to_contain_text(texts["unchanged"])
    expect(page.locator("#books-differences")).to_be_hidden()
    expect(page.locator("#books-warnings-block")).to_be_hidden()
    shot(page, "identical")
    cancel(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_transfer_into_an_empty_administration_shows_what_it_will_hold(
    open_page, harness, shot, tmp_path, language
):
    scope = Scope(CUSTOMER, f"0006{LANGUAGES.index(language)}", "2025")
    path = backup_of(harness, scope, tmp_path)
    texts = TEXTS[language]
    page = open_page(language)
    switch = {"nl": ("Ander klantnummer (demo)", "Klantnummer", "Wissel van klant")}
    switch["en"] = ("Other customer number (demo)", "Customer number", "Switch customer")
    summary, label, button = switch[language]
    page.get_by_text(summary).click()
    page.get_by_label(label).fill(OTHER_CUSTOMER)
    page.get_by_role("button", name=button).click()
    expect(page.locator("#signed-in")).to_contain_text(OTHER_CUSTOMER)
    send(page, path, language)
    wait_for_confirmation(page)
    expect(page.locator("#books-verdict")).to_contain_text(texts["empty"])
    expect(page.locator("#books-differences")).to_contain_text("verkoop")
    expect(page.locator("#books-warnings-block")).to_contain_text(texts["transfer"])
    shot(page, "transfer-into-empty")
    cancel(page, language)
