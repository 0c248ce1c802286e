"""Chromium driven by Playwright, for every browser test: `browser` (one per test) and `page` (1200 px)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread while it is started, which Django's
    # async-safety check would mistake for async code touching the ORM. Started per test, so the
    # loop is gone before the database is flushed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    executable = os.environ.get("HUBDASH_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        launch = {"executable_path": executable} if os.path.exists(executable) else {}
        browser = playwright.chromium.launch(headless=True, args=CHROMIUM_FLAGS, **launch)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
