"""The visibility and gating switches on a listing row, in Chromium: the row changes in place (making a repo
public asks first in the row), without a reload, and the Hub has what the row shows.

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token.
"""

from __future__ import annotations

import re

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_browse import DEMO_TOKEN, PHONE, WIDE, alice_on_demo_hub, tab

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

    row.get_by_role("button", name="Make private").click()  # hiding it asks too: downloads would stop
    expect(row.get_by_text(f"Make {REPO} private?")).to_be_visible()
    row.get_by_role("button", name="Yes, make it private").click()
    expect(row.get_by_text("The Hub says: now private.")).to_be_visible()
    expect(row.locator(".badge.private")).to_be_visible()
    assert private_on_hub(demo_hub)
    assert page.evaluate("window.__noReload") == 1
    tab.assert_quiet()


def gating_on_hub(hub, repo_id: str) -> object:
    return hub.repo_state(repo_id)["gated"]


def test_change_a_rows_gating_in_place(tab, demo_hub):
    page = tab.open("/models/?author=acme&search=classifier")
    page.evaluate("window.__noReload = 1")
    row = page.locator("li.repo-item").filter(has_text=REPO)
    gating = row.get_by_role("group", name=f"Gating of {REPO}")
    expect(gating.get_by_role("button", name="Off")).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".badge.gated")).to_have_count(0)

    gating.get_by_role("button", name="Manual").click()
    expect(row.get_by_text(f"Gate {REPO}, approving requests by hand?")).to_be_visible()
    row.get_by_role("button", name="Yes, gate it").click()
    expect(row.get_by_text("The Hub says: gated, manual approval.")).to_be_visible()
    expect(row.locator(".badge.gated")).to_have_text("gated (manual)")
    expect(row.get_by_role("group", name=f"Gating of {REPO}").get_by_role("button", name="Manual")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert gating_on_hub(demo_hub, REPO) == "manual"

    row.get_by_role("group", name=f"Gating of {REPO}").get_by_role("button", name="Off").click()
    expect(row.get_by_text("The Hub says: access requests are off.")).to_be_visible()
    expect(row.locator(".badge.gated")).to_have_count(0)
    assert gating_on_hub(demo_hub, REPO) is False
    assert page.evaluate("window.__noReload") == 1
    tab.assert_quiet()


def one_row(page, row):
    """The listing row of the repo `row` shows, by its name."""
    name = row.locator(".repo-title a").inner_text()
    return page.locator("li.repo-item").filter(has=page.get_by_role("link", name=name, exact=True))


def shoot_rows(tab, name: str) -> None:
    """The top of the listing (the first rows, as a person first sees them) at a laptop's and a phone's width."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in (WIDE, PHONE):
        tab.page.set_viewport_size({"width": width, "height": height})
        tab.page.locator("li.repo-item").first.scroll_into_view_if_needed()
        tab.page.screenshot(path=str(ARTIFACTS / f"rows-{name}-{width}.png"), caret="initial")
    tab.page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})


def row_text(row) -> str:
    """What a row shows, its "Updated ..." time by its timestamp (the words move on as seconds pass)."""
    return row.evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('time').forEach(t => t.textContent = t.dateTime);"
        r" return c.textContent.replace(/\s+/g, ''); }"
    )


def test_make_private_from_a_row_asks_first_and_cancel_changes_nothing(tab, demo_hub):
    hub = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    hub.update_repo_settings(REPO, private=False)
    demo_hub.control("DELETE", "requests")
    page = tab.open("/models/?author=acme&search=classifier")
    row = page.locator("li.repo-item").filter(has_text=REPO)
    before = row_text(row)
    row.get_by_role("button", name="Make private").click()
    cancel = row.get_by_role("button", name="Cancel")
    expect(row.get_by_role("alert")).to_contain_text(f"Make {REPO} private?")
    expect(cancel).to_be_focused()  # Enter on what had the focus does not make it private
    assert not private_on_hub(demo_hub)
    # Chromium focuses an inserted [autofocus] at once, htmx wires the new row's buttons a moment later (its
    # settle step, which also takes off "htmx-added"): a person's Enter comes after that, the test's waits for it.
    expect(page.locator("li.repo-item.htmx-added")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(row.get_by_role("button", name="Make private")).to_be_focused()  # back where the person was
    expect(row.get_by_role("alert")).to_have_count(0)
    assert row_text(row) == before  # the row as it was, in the listing's own layout
    assert not private_on_hub(demo_hub)
    assert [r["path"] for r in demo_hub.requests() if r["method"] != "GET"] == []  # nothing sent to the Hub
    tab.assert_quiet()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_rows_with_their_switches(tab, demo_hub, scheme):
    """Listings whose rows carry switches, at a laptop's and a phone's width: written to test-results/."""
    tab.page.emulate_media(color_scheme=scheme)
    page = tab.open("/spaces/?author=acme")
    rows = (
        page.locator("li.repo-item")
        .filter(has=page.get_by_role("group", name=re.compile("^Gating of ")))
        .filter(has_not=page.locator(".badge.private"))  # a public Space: made protected without a question
    )
    expect(rows.first).to_be_visible()
    row = one_row(page, rows.first)  # found again by its name: while it asks, it has no switches
    row.get_by_role("button", name="Make protected").click()
    expect(row.get_by_role("button", name="Cancel")).to_be_focused()
    shoot_rows(tab, f"spaces-asking-{scheme}")
    row.get_by_role("button", name="Yes, make it protected").click()
    expect(row.get_by_text("The Hub says: now protected.")).to_be_visible()
    expect(row.locator(".badge.protected")).to_be_visible()
    shoot_rows(tab, f"spaces-{scheme}")
    page = tab.open("/models/?author=acme")
    rows = page.locator("li.repo-item").filter(has=page.get_by_role("group", name=re.compile("^Gating of ")))
    row = one_row(page, rows.first)
    row.get_by_role("button", name="Automatic").click()
    expect(row.get_by_role("button", name="Cancel")).to_be_focused()
    shoot_rows(tab, f"models-asking-{scheme}")
    row.get_by_role("button", name="Yes, gate it").click()
    expect(row.get_by_text("The Hub says: gated, auto approval.")).to_be_visible()
    expect(row.locator(".badge.gated")).to_have_text("gated (auto)")
    shoot_rows(tab, f"models-{scheme}")
    tab.assert_quiet()


def _without_javascript(tab, browser):
    """A browser of alice's session with JavaScript off: its context (to close) and a page."""
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(tab.page.context.cookies())
    return context, context.new_page()


def test_without_javascript_a_rows_switch_opens_a_page_that_asks(tab, browser, demo_hub):
    hub = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    hub.update_repo_settings(REPO, private=False)
    context, page = _without_javascript(tab, browser)
    page.goto(tab.url + "/models/?author=acme&search=classifier")
    row = page.locator("li.repo-item").filter(has_text=REPO)
    row.get_by_role("button", name="Make private").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Make {REPO} private?")
    assert not private_on_hub(demo_hub)  # asking changed nothing
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_test_id("current-visibility")).to_have_text("public")
    assert not private_on_hub(demo_hub)
    page.go_back()
    page.get_by_role("button", name="Yes, make it private").click()
    expect(page.get_by_text(f"{REPO} is now private.")).to_be_visible()
    assert private_on_hub(demo_hub)
    context.close()


def test_without_javascript_every_action_of_a_kept_listing_completes(tab, browser, demo_hub):
    hub = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    hub.update_repo_settings(REPO, gated=False)
    context, page = _without_javascript(tab, browser)
    listing = tab.url + "/models/?author=acme&search=classifier"
    for _ in range(3):  # from the second visit on, the page is the kept one, which holds no CSRF token
        page.goto(listing)
    assert page.locator("input[name=csrfmiddlewaretoken]").count() == 0
    gating = page.locator("li.repo-item").filter(has_text=REPO).get_by_role("group", name=f"Gating of {REPO}")
    gating.get_by_role("button", name="Manual").click()
    page.get_by_role("button", name="Yes, gate it").click()
    expect(page.get_by_text("gated, manual approval")).to_be_visible()
    assert gating_on_hub(demo_hub, REPO) == "manual"
    page.goto(listing)
    page.locator("summary", has=page.get_by_text("Account menu")).click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()  # on the page that asks
    expect(page.get_by_role("heading", name="Sign in to hubdash")).to_be_visible()
    context.close()
    hub.update_repo_settings(REPO, gated=False)  # as the demo world had it, for the tests after
