"""Chromium driven by Playwright, for every browser test: `browser` and `page` (1200 px).

One Chromium serves a run of consecutive browser tests (`CHROMIUM`): starting Playwright and Chromium took
0.6-0.8 s a test. Each test still gets its own contexts (cookies, storage, cache), closed when it ends, and
Chromium stops after the last browser test of a run, before any other test (tests/conftest.py).

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
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Playwright, sync_playwright

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


class SharedChromium:
    """Chromium for consecutive browser tests, started by the first one's `browser` and stopped by `stop`.

    While Playwright's sync API is started, its event loop runs in this thread, which Django's async-safety
    check would mistake for async code touching the ORM (the tests' own queries, the database flushed after
    each test): the check is off from the start to the stop, and only then.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._env: str | None = None

    def get(self) -> Browser:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self.stop()
        self._env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        self._playwright = sync_playwright().start()
        executable = os.environ.get("HUBDASH_CHROMIUM", "/usr/bin/chromium")
        launch = {"executable_path": executable} if os.path.exists(executable) else {}
        self._browser = self._playwright.chromium.launch(headless=True, args=CHROMIUM_FLAGS, **launch)
        return self._browser

    def stop(self) -> None:
        if self._playwright is None:
            return
        try:
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = self._browser = None
            if self._env is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self._env


CHROMIUM = SharedChromium()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """The shared Chromium, every context the test opens watched (`Console`) and closed when it ends."""
    console = Console()
    chromium = CHROMIUM.get()
    opened: list[BrowserContext] = []

    def watched_context(**options: Any) -> BrowserContext:
        context = console.watch(Browser.new_context(chromium, **options))
        opened.append(context)
        return context

    def watched_page(**options: Any) -> Page:
        return watched_context(**options).new_page()

    chromium.new_context = watched_context  # type: ignore[method-assign]
    chromium.new_page = watched_page  # type: ignore[method-assign]
    chromium.hubdash_console = console  # type: ignore[attr-defined]  # for the `console` fixture
    try:
        yield chromium
        for context in opened:
            context.close()
    finally:
        del chromium.new_context, chromium.new_page, chromium.hubdash_console  # type: ignore[attr-defined]
        if not chromium.is_connected():  # the test closed it, or it crashed: the next test starts another
            CHROMIUM.stop()
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
