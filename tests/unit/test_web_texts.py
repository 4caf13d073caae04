"""The web client's texts (web/i18n/nl.json and en.json): every reason code of the catalogue has a
Dutch and an English text with exactly the catalogue's placeholders, and both languages have the same
keys and placeholders.

The browser tests render every code through the page (tests/e2e/test_languages.py); this test reads the
files themselves, so a missing text fails `make unit` without a browser.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kluis.audit import Action
from kluis.reasons import MESSAGES

I18N = Path(__file__).resolve().parents[2] / "web" / "i18n"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _texts() -> dict[str, dict[str, str]]:
    return {
        language: json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
        for language in ("nl", "en")
    }


TEXTS = _texts()


def test_the_file_is_read_whole():
    assert len(TEXTS["nl"]) > 200 and len(TEXTS["en"]) > 200
    assert TEXTS["nl"]["restore.send"] == "Versturen"
    assert TEXTS["en"]["backup.intro"].startswith("Make a ZIP file")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_code_has_a_text_with_the_catalogues_placeholders(language, code):
    key = f"reason.{code}"
    assert key in TEXTS[language], f"web/i18n/ has no {language} text for {code}"
    expected = set(PLACEHOLDER.findall(MESSAGES[code]))
    assert set(PLACEHOLDER.findall(TEXTS[language][key])) == expected, (language, code)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("action", sorted(Action))
def test_every_audit_action_has_a_text_for_the_logboek(language, action):
    assert f"audit.{action}" in TEXTS[language], f"web/i18n/ has no {language} text for audit {action}"


def test_no_text_for_a_code_the_catalogue_does_not_have():
    for language, texts in TEXTS.items():
        catalogued = {f"reason.{code}" for code in MESSAGES}
        unknown = {key for key in texts if key.startswith("reason.")} - catalogued
        assert not unknown, (language, unknown)


def test_both_languages_have_the_same_keys_and_placeholders():
    assert set(TEXTS["nl"]) == set(TEXTS["en"]), set(TEXTS["nl"]) ^ set(TEXTS["en"])
    for key, dutch in TEXTS["nl"].items():
        assert set(PLACEHOLDER.findall(dutch)) == set(PLACEHOLDER.findall(TEXTS["en"][key])), key


def test_one_spelling_of_backup_in_each_language():
    for language, texts in TEXTS.items():
        for key, text in texts.items():
            assert not re.search(r"back-up", text, re.I), (language, key, text)
    for key, text in TEXTS["nl"].items():
        assert "bevestigingscode" not in text.lower(), (key, "the Dutch word is verificatiecode")


# The parameters of each books warning (kluis.books.summary.WarningCode); `after` may be absent,
# for which books.newer_entries_lost.noDate is the text.
WARNING_PARAMS = {
    "books.newer_entries_lost": {"entries", "after"},
    "books.filed_vat_returns_reopened": {"returns", "periods"},
    "books.backup_unbalanced": {"entries"},
    "books.backup_unreadable_records": {"records"},
}


def test_the_placeholders_of_the_books_warnings_are_known():
    from kluis.books.summary import WarningCode

    assert set(WARNING_PARAMS) == {str(code) for code in WarningCode}


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("code", sorted(WARNING_PARAMS))
def test_every_books_warning_has_a_text_with_its_placeholders(language, code):
    assert code in TEXTS[language], f"web/i18n/ has no {language} text for the books warning {code}"
    assert set(PLACEHOLDER.findall(TEXTS[language][code])) == WARNING_PARAMS[code], (language, code)
    if "after" in WARNING_PARAMS[code]:
        without = TEXTS[language][f"{code}.noDate"]
        assert set(PLACEHOLDER.findall(without)) == WARNING_PARAMS[code] - {"after"}
