"""The access queue in Chromium over hubsim's demo world: filter the queue by text, accept one request in
place (htmx), see the line change and the nav count go down, and the Hub hold the acceptance."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browse import ARTIFACTS, alice_on_demo_hub, tab

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]


@pytest.fixture
def mirrored_demo(alice_on_demo_hub, demo_hub):
    from hubdash import hub
    from hubdash.access.refresh import refresh_namespace

    for namespace in ("acme", "alice"):
        refresh_namespace(namespace, hub.client_for(alice_on_demo_hub))
    return demo_hub


def pending_on_hub(hub, repo_id: str) -> set[str]:
    return {r["user"] for r in hub.control("GET", f"access/model/{repo_id}") if r["status"] == "pending"}


def test_filter_the_queue_and_accept_one_request_in_place(tab, mirrored_demo):
    from hubdash.access.models import AccessRequest

    target = AccessRequest.objects.filter(repo__repo_id="acme/gated-llm", status="pending").order_by("?").first()
    assert target is not None and target.username in pending_on_hub(mirrored_demo, "acme/gated-llm")
    asked: list[str] = []
    tab.page.on("request", lambda r: asked.append(r.url) if "/access/count/" in r.url else None)
    page = tab.open("/access/")
    nav_count = page.locator(".nav-wide .nav-count")
    expect(nav_count).to_have_text(re.compile(r"^\d+"))
    before = int(nav_count.inner_text().split()[0])
    assert len(asked) == 1  # one request fills the wide nav, the phone menu's and its button's badge
    page.set_viewport_size({"width": 390, "height": 844})
    menu_badge = page.locator(".nav-compact > summary .nav-count")
    expect(menu_badge).to_be_visible()  # on a phone, without opening the menu
    expect(menu_badge).to_have_text(f"{before} pending access requests")
    expect(page.get_by_role("navigation", name="Main").filter(visible=True)).to_have_count(0)
    page.locator("header.shell").screenshot(path=str(ARTIFACTS / "browse-access-nav-count-390.png"), caret="initial")
    page.locator(".nav-compact > summary").click()
    expect(page.locator(".nav-sheet .nav-count")).to_have_text(f"{before} pending")
    page.locator(".nav-compact > summary").click()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Text").fill(target.username)
    # Choosing a repo filters at once; Filter then sends the text too. Pressed while the first answer is on its
    # way, Filter would replace that request (hx-sync), and htmx reports the abort as a console error: a person
    # presses it once the list has moved, as here.
    with page.expect_response(lambda answer: "/access/?" in answer.url):
        page.get_by_label("Repo", exact=True).select_option("acme/gated-llm")  # a requester may ask several repos
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(rf"q={target.username}"))
    expect(page).to_have_url(re.compile(r"repo=acme%2Fgated-llm"))
    lines = page.locator("#access-list > li")
    expect(lines).to_have_count(1)

    lines.first.get_by_role("button", name=re.compile(r"^Accept")).click()

    expect(lines.first).to_contain_text("Accepted.")
    expect(lines.first.locator(".status-badge")).to_have_text("accepted")
    expect(lines.first.get_by_role("button", name=re.compile(r"^Undo"))).to_be_visible()
    expect(nav_count).to_have_text(re.compile(rf"^{before - 1}\b"))
    assert target.username not in pending_on_hub(mirrored_demo, "acme/gated-llm")
    tab.shoot("access-accepted")
    tab.assert_quiet()
