"""Browser tests: the web client in headless Chromium (Debian's package, driven by Playwright) against
its own embedded local stack, started here like tests/integration's harness.

The stack lives for this package only (scope="package") and resets moto's state when it stops, so the
integration tests, which start their own stack in the same process, begin from nothing.
"""

from __future__ import annotations

import os

# As in tests/integration: small multipart parts (set before moto is imported).
os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", str(256 * 1024))
os.environ.setdefault("S3_UPLOAD_PART_SIZE", str(256 * 1024))

import re
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from infra.local.gateway import Gateway
from infra.local.stack import LocalStack
from kluis_tools.seed import SeedSpec, seed
from tests.integration.harness import CUSTOMER, HOURLY_LIMITS, OTHER_CUSTOMER, SMALL, Harness

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "e2e-screenshots"
CHROMIUM = os.environ.get("KLUIS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The page polls jobs every second by default; the tests ask for a shorter interval (?poll=ms).
POLL_MS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="package")
def harness() -> Iterator[Harness]:
    """The local stack and gateway, with the browser's origin as the template's WebOrigin (CORS)."""
    port = _free_port()
    stack = LocalStack(parameters={"WebOrigin": f"http://127.0.0.1:{port}"}).start()
    gateway = Gateway(stack, port=port).start()
    harness = Harness(stack, gateway)
    # The browser tests restore the same few administrations far more often in an hour than people do;
    # the hourly limits have their own tests, which set them low for the time they run (limits()).
    limits_before = stack.configure(**{name: "10000" for name in HOURLY_LIMITS})
    seed(harness.store, SeedSpec(customer=CUSTOMER, administrations=(("00017", ("2024", "2025")),), **SMALL))
    seed(harness.store, SeedSpec(customer=OTHER_CUSTOMER, administrations=(("00017", ("2025",)),), **SMALL))
    yield harness
    stack.configure(**limits_before)
    harness.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: `make browser` installs Debian's package"
        if os.environ.get("CI"):
            pytest.fail(message)  # in CI a missing browser is a broken set-up, not a reason to skip
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def pytest_configure(config: pytest.Config) -> None:
    """The screenshots of the last run go, once per run: in the one process, or under pytest-xdist in
    the controller, before its workers write theirs into the same folder."""
    if not hasattr(config, "workerinput"):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)


@pytest.fixture
def page(browser: Browser, harness: Harness) -> Iterator[Page]:
    # A Dutch bookkeeper's browser (navigator.language); the time zone stays the machine's, which the
    # tests' own times (test_system_restore_request.local_input) are in.
    context = browser.new_context(
        accept_downloads=True, viewport={"width": 1100, "height": 900}, locale="nl-NL"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.add_init_script(PANEL_WITHOUT_CODE_WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _console_error(message, harness, errors))
    yield page
    context.close()
    assert not errors, f"errors in the page or its console: {errors}"


# In every browser test: the confirm panel is never visible without the code it asks to type back. The
# page's console error fails the test (the `page` fixture keeps every console error).
PANEL_WITHOUT_CODE_WATCH = """
new MutationObserver(() => {
  const panel = document.getElementById("confirm-panel");
  const code = document.getElementById("verification-code");
  if (panel && code && !panel.hidden && !code.textContent.trim()) {
    console.error("kluis: the confirm panel is shown without a verification code");
  }
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
"""


def _console_error(message: ConsoleMessage, harness: Harness, errors: list[str]) -> None:
    """Keeps every console error but the network log of an answer the page expects and handles.

    Chromium logs each 4xx/5xx response as an error: the API's refusals (a wrong code, an incomplete
    request) are part of the tests, and so is S3 asking the page to slow down (503, which the page
    sends again). Anything else that fails to load is kept: a module (404, wrong MIME type, a missing
    export), and the favicon (the page declares one: no request may 404).
    """
    if message.type != "error":
        return
    url = message.location.get("url", "")
    slow_down = url.startswith(harness.stack.endpoint) and "status of 503" in message.text
    expected = url.startswith(f"{harness.gateway.url}/api/") or slow_down
    if not (message.text.startswith("Failed to load resource:") and expected):
        errors.append(f"{message.text} ({url})")


@pytest.fixture
def open_page(page: Page, harness: Harness) -> Callable[..., Page]:
    """Loads the web client (in `language`, as a user who chose it before) and waits until it has
    signed in and loaded the administrations."""

    def load(language: str = "nl") -> Page:
        # Only on the first load: after that the page remembers what the user chose (a reload keeps it).
        page.add_init_script(
            "if (!localStorage.getItem('kluis.language')) "
            f"localStorage.setItem('kluis.language', {language!r})"
        )
        page.goto(f"{harness.gateway.url}/?poll={POLL_MS}")
        page.wait_for_selector("body[data-ready='true']")
        return page

    return load


@pytest.fixture
def configure(harness: Harness) -> Iterator[Callable[..., None]]:
    """`configure(NAME=value, ...)`: the functions' settings for this test (they start cold and read them
    anew), put back after it."""
    before: dict[str, str | None] = {}

    def apply(**variables: str | None) -> None:
        for name, value in harness.stack.configure(**variables).items():
            before.setdefault(name, value)

    yield apply
    if before:
        harness.stack.configure(**before)


def sign_in_as(page: Page, customer: str) -> Page:
    """The local page's demo switch: sign in as another customer (a test's own, so that its data and its
    hourly limits are its own), and wait until the page has loaded that customer's administrations."""
    page.locator("#switch-customer summary").click()
    page.locator("#customer-input").fill(customer)
    page.locator("#switch-form button[type=submit]").click()
    expect(page.locator("#signed-in")).to_contain_text(customer)
    expect(page.locator("#choose-form")).to_be_visible()
    return page


def choose(page: Page, administration: str, year: str) -> None:
    """Section 1: pick an administration and fiscal year, and wait for its facts."""
    page.locator("#administration").select_option(administration)
    page.locator("#year").select_option(year)
    expect(page.locator("#jobs-caption")).to_contain_text(f"{administration}")
    expect(page.locator("#live-since")).not_to_have_text("—")


def reload(page: Page) -> Page:
    page.reload()
    page.wait_for_selector("body[data-ready='true']")
    return page


# Words a Dutch page never shows: English ones that are not Dutch as well (not "status", "backup",
# "code", "moment", "data"). A whole word, any case.
ENGLISH_WORDS = (
    "the",
    "and",
    "with",
    "without",
    "to",
    "from",
    "failed",
    "error",
    "restore",
    "restored",
    "restores",
    "upload",
    "uploaded",
    "job",
    "jobs",
    "ready",
    "cancel",
    "cancelled",
    "send",
    "sent",
    "download",
    "file",
    "files",
    "please",
    "attempt",
    "attempts",
    "left",
    "nothing",
    "changed",
    "archive",
    "entry",
    "entries",
    "manifest",
    "signature",
    "unknown",
    "someone",
    "administration",
    "fiscal",
    "year",
    "expired",
    "request",
    "since",
    "checked",
    "damaged",
    "rejected",
    "confirm",
    "confirmation",
    "progress",
    "size",
    "documents",
    "journal",
    "ledger",
    "relations",
    "returns",
    "there",
    "this",
    "that",
    "were",
    "has",
    "have",
    "not",
    "cannot",
    "could",
    "must",
    "may",
    "again",
    "try",
    "field",
    "missing",
    "invalid",
    "body",
    "contains",
    "holds",
    "which",
    "your",
    "our",
    "you",
)
ENGLISH = re.compile(rf"\b({'|'.join(ENGLISH_WORDS)})\b", re.IGNORECASE)


def english_words(text: str) -> list[str]:
    return sorted({match.group(0) for match in ENGLISH.finditer(text)})


def visible_text(page: Page) -> str:
    """The page's text as the user sees it, less the language menu (each language by its own name)."""
    text = page.locator("body").inner_text()
    return "\n".join(line for line in text.splitlines() if line.strip() not in ("Nederlands", "English"))


def assert_no_english(page: Page) -> None:
    found = english_words(visible_text(page))
    assert not found, f"English on the Dutch page: {found}"


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """shot(page, "step") saves build/e2e-screenshots/{test}-{n}-{step}.png (full page), and on a Dutch
    page checks that no visible text is English."""
    test = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)
    counter = iter(range(1, 100))

    def take(page: Page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        if page.locator("html").get_attribute("lang") == "nl":
            assert_no_english(page)  # every step of a Dutch run is Dutch all the way
        return path

    return take


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.glob("*.png")):
        count = len(list(SCREENSHOTS.glob("*.png")))
        terminalreporter.write_line(f"browser test screenshots ({count}): {SCREENSHOTS}")
