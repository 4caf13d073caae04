"""Every reason the API or a job can give, rendered through the page's own message element in Dutch and
in English: translated by its code, with its parameters filled in, and no English on the Dutch page.
The rest of the Dutch page is checked at every screenshot of every Dutch run (conftest.shot)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kluis.reasons import MESSAGES
from tests.e2e.conftest import english_words

# A sample value for each parameter a reason has; a name from a file is a plain file name.
SAMPLES: dict[str, Any] = {
    "administration": "00017",
    "year": "2025",
    "changedAt": "2026-11-20T14:02:00+00:00",
    "status": "ready",
    "attemptsLeft": 4,
    "limit": 1048576,
    "days": 400,
    "job": "20261120T140200-0123456789ab",
    "request": "20261120T140200-ba9876543210",
    "name": "records/journal_entries.jsonl",
    "field": "includeDocuments",
    "value": "12x",
    "method": 99,
    "version": 9,
    "supported": 1,
    "retryAt": "2026-11-20T15:00:00+00:00",
    "part": 2,
    "years": 7,
    "hours": 24,
    "parts": 3,
}
UNKNOWN = "restore.some_code_from_a_newer_api"

RENDER = """async ({ reasons, language }) => {
  const i18n = await import("./i18n.js");
  const dom = await import("./dom.js");
  i18n.setLanguage(language);
  const element = document.createElement("div");
  element.className = "status";
  document.querySelector("main").append(element);
  const texts = {};
  for (const reason of reasons) {
    dom.showMessage(element, "error", "restore.failed", { reason: () => i18n.reasonText(reason) });
    texts[reason.reasonCode] = element.querySelector(".message-text").textContent;
  }
  element.remove();
  return texts;
}"""


def reasons() -> list[dict[str, Any]]:
    sample = []
    for code, english in MESSAGES.items():
        params = {name: SAMPLES[name] for name in re.findall(r"\{(\w+)\}", english)}
        sample.append({"reasonCode": code, "reasonParams": params, "reason": english.format(**params)})
    sample.append({"reasonCode": UNKNOWN, "reasonParams": {}, "reason": "Something only a newer API says."})
    return sample


def render(page: Page, language: str) -> dict[str, str]:
    return page.evaluate(RENDER, {"reasons": reasons(), "language": language})


@pytest.fixture
def loaded(open_page) -> Page:
    return open_page()


def test_every_reason_reads_in_dutch_with_its_parameters(loaded):
    texts = render(loaded, "nl")
    for reason in reasons()[:-1]:
        code = reason["reasonCode"]
        text = texts[code].removeprefix("Het terugzetten is mislukt: ")
        assert text != reason["reason"], f"{code} is shown in English"
        assert "{" not in text, f"{code} leaves a placeholder: {text}"
        assert not english_words(text), f"{code} reads English: {english_words(text)} in {text!r}"
        for name, value in reason["reasonParams"].items():
            if name not in ("changedAt", "retryAt", "status", "limit"):
                assert str(value) in text, f"{code} lacks its {name}: {text}"
    # Parameters read as Dutch: a status by its Dutch name, a moment in Dutch, numbers grouped with dots.
    assert "\u2018Klaar\u2019" in texts["job.state_conflict"]
    assert re.search(r"20 nov\.? 2026", texts["restore.superseded"]), texts["restore.superseded"]
    assert "1.048.576" in texts["request.body_too_large"]
    # A limit says when to try again, as a Dutch moment.
    limit = texts["limit.backups_per_customer"]
    assert re.search(r"20 nov\.? 2026", limit), limit
    # A code this page does not know yet is shown in the API's English words, not as a code.
    assert texts[UNKNOWN].endswith("Something only a newer API says.")


def test_every_reason_reads_in_english_with_its_parameters(loaded):
    texts = render(loaded, "en")
    for reason in reasons()[:-1]:
        code = reason["reasonCode"]
        text = texts[code].removeprefix("The restore failed: ")
        assert "{" not in text, f"{code} leaves a placeholder: {text}"
        assert "reason." not in text, f"{code} is shown as its key"
    assert "Nov 20, 2026" in texts["restore.superseded"], texts["restore.superseded"]
    assert "'Ready'" in texts["job.state_conflict"]


def test_a_message_on_the_page_follows_a_change_of_language(loaded):
    """A reason already shown is rendered anew in the language chosen afterwards."""
    page = loaded
    page.evaluate(
        """async () => {
          const dom = await import("./dom.js");
          const i18n = await import("./i18n.js");
          const reason = { reasonCode: "restore.cancelled", reasonParams: {}, reason: "Cancelled." };
          dom.showMessage(document.querySelector("#restore-status"), "info", "restore.failed",
            { reason: () => i18n.reasonText(reason) });
        }"""
    )
    status = page.locator("#restore-status")
    expect(status).to_contain_text("Het terugzetten is geannuleerd. Er is niets veranderd.")
    page.get_by_label("Taal").select_option("en")
    expect(status).to_contain_text("The restore was cancelled. Nothing was changed.")
