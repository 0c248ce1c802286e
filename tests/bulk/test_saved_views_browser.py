"""Saving a view from a listing and opening it from the nav, in Chromium against hubsim's demo world: the
save form posts in place (htmx, the CSRF cookie's token), the nav's menu loads the view with the count
and age of one's last opening, and the view's page shows what the listing showed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, console  # noqa: F401 - Chromium for this module
from tests.browser.test_browse import alice_on_demo_hub, hub_ids, tab

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]

NAV_LIST = re.compile(r"/views/nav/")


def test_save_a_view_from_a_listing_and_open_it_from_the_nav(tab, demo_hub):
    page = tab.open("/models/?author=acme&sort=likes")
    shown = page.locator("li.repo-item .repo-title a").all_inner_texts()
    listed = len(hub_ids(demo_hub, "model", author="acme"))
    assert 0 < len(shown) <= listed
    page.locator("summary", has_text="Save this view…").click()  # a small disclosure above the listing
    form = page.locator("#save-view")
    form.get_by_label("Save this view as").fill("acme by likes")
    form.get_by_label("For").select_option("team")
    with page.expect_response(NAV_LIST):  # the save's savedViewsChanged event reloads the nav's list
        form.get_by_role("button", name="Save this view").click()
    expect(page.locator("#save-view")).to_contain_text("Saved the view acme by likes for the team.")

    nav = page.locator("nav.nav-wide")
    # Opening the menu loads its list once more ("toggle once"). A person clicks a view in the list they see
    # drawn; a click pressed while htmx swaps the list in lands on a link being replaced, and goes nowhere.
    with page.expect_response(NAV_LIST):
        nav.locator("summary", has_text="Saved views").click()
    expect(nav.locator(".saved-views-panel.htmx-settling, .saved-views-panel .htmx-added")).to_have_count(0)
    link = nav.get_by_role("link", name="acme by likes")
    expect(link).to_be_visible()
    expect(link).to_contain_text("not opened yet")
    link.click()
    expect(page.locator("h1")).to_have_text("acme by likes")
    expect(page.get_by_test_id("view-count")).to_contain_text(f"{listed} repo")
    assert page.locator("li.repo-item .repo-title a").all_inner_texts() == shown  # the listing's first page

    page.reload()
    page.locator("nav.nav-wide summary", has_text="Saved views").click()
    seen = page.locator("nav.nav-wide").get_by_role("link", name="acme by likes")
    expect(seen).to_contain_text(re.compile(rf"{listed} · (now|\d+\s+seconds? ago|a second ago)"))
