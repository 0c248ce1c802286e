"""The access queue in Chromium over hubsim's demo world: filter the queue by text, accept one request in
place (htmx), see the line change and the nav count go down, and the Hub hold the acceptance."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browse import alice_on_demo_hub, tab

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
    page = tab.open("/access/")
    nav_count = page.locator(".nav-wide .nav-count")
    expect(nav_count).to_have_text(re.compile(r"^\d+"))
    before = int(nav_count.inner_text().split()[0])

    page.get_by_label("Text").fill(target.username)
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
