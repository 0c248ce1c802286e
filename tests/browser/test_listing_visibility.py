"""The visibility switch on a listing row, in Chromium: the row changes in place (making a repo public asks
first in the row), without a reload, and the Hub has what the row shows.

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token.
"""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import expect

from tests.browser.test_browse import DEMO_TOKEN, alice_on_demo_hub, tab

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]

REPO = "acme/internal-classifier"


def private_on_hub(hub) -> bool:
    return bool(HfApi(endpoint=hub.url, token=DEMO_TOKEN).model_info(REPO).private)


def test_switch_a_rows_visibility_in_place(tab, demo_hub):
    page = tab.open("/models/?author=acme&search=classifier")
    page.evaluate("window.__noReload = 1")
    row = page.locator("li.repo-item").filter(has_text=REPO)
    expect(row).to_have_count(1)
    expect(row.locator(".badge.private")).to_be_visible()

    row.get_by_role("button", name="Make public").click()
    expect(row.get_by_text(f"Make {REPO} public?")).to_be_visible()
    assert private_on_hub(demo_hub)
    row.get_by_role("button", name="Yes, make it public").click()
    expect(row.get_by_text("The Hub says: now public.")).to_be_visible()
    expect(row.locator(".badge.private")).to_have_count(0)
    assert not private_on_hub(demo_hub)

    row.get_by_role("button", name="Make private").click()  # hiding it again asks nothing
    expect(row.get_by_text("The Hub says: now private.")).to_be_visible()
    expect(row.locator(".badge.private")).to_be_visible()
    assert private_on_hub(demo_hub)
    assert page.evaluate("window.__noReload") == 1
    tab.assert_quiet()
