"""Chromium driven by Playwright, for every browser test: `browser` (one per test) and `page` (1200 px).

Every page of every context opened from `browser` is watched: a console error (Chromium reports CSP
violations there too) or an uncaught exception fails the test, unless the test said it expected that
message (`console.expect(...)`, e.g. the 400 of a form refused on purpose).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"  # screenshots; ignored by git
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Reported by the page itself as well as the console, so that a violation is seen whatever Chromium logs.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP violation: ${e.violatedDirective} (${e.blockedURI || "inline"}) at ${where}`);
});
"""


@dataclass
class Console:
    """What went wrong in the test's pages that a person would see in the browser's console."""

    problems: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.add_init_script(REPORT_CSP)
        context.on("page", self._watch_page)
        return context

    def _watch_page(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                source = message.location.get("url", "")
                self.problems.append(f"{page.url}: {message.text}" + (f" ({source})" if source != page.url else ""))

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: uncaught {error}"))

    def expect(self, text: str) -> None:
        """A message the test provoked on purpose: it must have been logged, and is not a problem."""
        matching = [p for p in self.problems if text in p]
        assert matching, f"expected a console message with {text!r}, got {self.problems}"
        for problem in matching:
            self.problems.remove(problem)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread while it is started, which Django's
    # async-safety check would mistake for async code touching the ORM. Started per test, so the
    # loop is gone before the database is flushed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    console = Console()
    executable = os.environ.get("HUBDASH_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        launch = {"executable_path": executable} if os.path.exists(executable) else {}
        browser = playwright.chromium.launch(headless=True, args=CHROMIUM_FLAGS, **launch)
        new_context = browser.new_context

        def watched_context(**options: Any) -> BrowserContext:
            return console.watch(new_context(**options))

        def watched_page(**options: Any) -> Page:
            return watched_context(**options).new_page()

        browser.new_context = watched_context  # type: ignore[method-assign]
        browser.new_page = watched_page  # type: ignore[method-assign]
        browser.hubdash_console = console  # type: ignore[attr-defined]  # for the `console` fixture
        yield browser
        browser.close()
    if console.problems:
        pytest.fail("console errors:\n" + "\n".join(console.problems), pytrace=False)


@pytest.fixture
def console(browser: Browser) -> Console:
    """The watch on `browser`'s pages: a test says here which console errors it provoked on purpose."""
    return browser.hubdash_console  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
