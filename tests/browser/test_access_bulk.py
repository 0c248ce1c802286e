"""Bulk decisions and rules as a person uses them, in Chromium against hubsim's demo world: filter the queue,
select all matching, preview, apply, see the progress end and the lines gone; and a rule saved after its dry
run deciding a request filed later, at the next refresh.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browse import alice_on_demo_hub, tab
from tests.uploads.jobs import run_jobs

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]


def refresh(user, namespace: str = "acme") -> str:
    from hubdash import hub
    from hubdash.access.refresh import refresh_namespace

    return refresh_namespace(namespace, hub.client_for(user))


def test_filter_select_all_matching_preview_apply_and_see_the_lines_go(tab, demo_hub, alice_on_demo_hub):
    from hubdash.access.models import AccessRequest

    refresh(alice_on_demo_hub)
    matching = AccessRequest.objects.filter(namespace="acme", status="pending", email_domain="bigcorp.com")
    n = matching.count()
    assert n >= 2
    page = tab.open("/access/")
    page.get_by_label("Email domain").fill("bigcorp.com")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"domain=bigcorp\.com"))
    expect(page.locator("#access-list > li")).to_have_count(n)

    page.get_by_label(re.compile(rf"All {n} matching this filter")).check()
    page.get_by_label("Decision for the selected requests").select_option("accepted")
    page.get_by_role("button", name="Preview…").click()
    expect(page.get_by_test_id("bulk-headline")).to_contain_text(f"Accept {n} requests on")
    expect(page.get_by_test_id("bulk-calls")).to_contain_text("Hub calls:")
    page.get_by_role("button", name=f"Accept {n} requests").click()

    progress = page.locator("#bulk-progress")
    expect(progress).to_be_visible()
    run_jobs()
    expect(progress).to_have_attribute("data-state", "done", timeout=15_000)  # it polls until the end
    expect(page.get_by_test_id("bulk-summary")).to_contain_text(f"{n} accepted, 0 refused")
    expect(page.get_by_test_id("bulk-summary")).to_contain_text("0 not tried")

    page = tab.open("/access/?domain=bigcorp.com")
    expect(page.locator("#access-list > li")).to_have_count(0)
    expect(page.locator(".bulk-select")).to_have_count(0)
    tab.assert_quiet()


def test_a_rule_saved_after_its_dry_run_decides_a_request_filed_later(tab, demo_hub, alice_on_demo_hub):
    refresh(alice_on_demo_hub)
    page = tab.open("/access/rules/acme/")
    expect(page.get_by_text("No rules yet")).to_be_visible()
    page.get_by_label("Rule name").fill("Trusted university")
    page.get_by_label("Email domain is one of").fill("trusted-uni.edu")
    page.get_by_label("Then").select_option("accept")
    expect(page.get_by_role("button", name="Save this rule")).to_have_count(0)  # no saving before a dry run
    page.get_by_role("button", name="Dry run").click()
    expect(page.get_by_test_id("dry-run-headline")).to_contain_text("this rule would accept 0")
    page.get_by_role("button", name="Save this rule").click()
    expect(page.get_by_text("Saved the rule “Trusted university”")).to_be_visible()
    expect(page.get_by_test_id("rule-row")).to_contain_text("email domain is trusted-uni.edu")

    demo_hub.control(
        "POST",
        "access/requests",
        {"id": "acme/gated-llm", "type": "model", "user": "newcomer", "email": "newcomer@trusted-uni.edu"},
    )
    outcome = refresh(alice_on_demo_hub)  # the scheduled refresh: the mirror, then the rules
    assert "rule “Trusted university” accepted 1 request on 1 repo" in outcome
    held = {r["user"]: r["status"] for r in demo_hub.control("GET", "access/model/acme/gated-llm")}
    assert held["newcomer"] == "accepted"

    page = tab.open("/access/?status=accepted&q=newcomer")
    expect(page.locator("#access-list")).to_contain_text("by the rule “Trusted university”")
    page = tab.open("/access/rules/acme/")
    expect(page.get_by_test_id("rule-row")).to_contain_text("accepted 1 request on 1 repo")
    tab.assert_quiet()
