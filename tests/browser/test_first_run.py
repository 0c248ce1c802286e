"""What a person clicks, in Chromium driven by Playwright, against a live hubdash and hubsim."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.personas import ALICE_TOKEN, PASSWORD


@pytest.mark.browser
def test_new_user_sets_up_signs_in_connects_a_token_and_sees_their_orgs(live_server, hub_world, page):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/setup/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    expect(page.get_by_role("heading", name="Connect your Hub token")).to_be_visible()

    page.locator("summary", has=page.get_by_text("Account menu")).click()  # Sign out lives in the account menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to hubdash")).to_be_visible()
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You have not connected a Hub token yet")).to_be_visible()

    page.get_by_role("link", name="Connect your Hub token").click()
    page.get_by_label("Hub access token").fill(ALICE_TOKEN)
    page.get_by_role("button", name="Connect token").click()
    expect(page.get_by_text("Connected as alice on the Hub")).to_be_visible()
    # The Organizations table (the profile also has the jobs' "use my token for …" table once a job needs one).
    orgs = page.locator("#identity").get_by_role("table").first
    expect(orgs.get_by_role("row", name="acme")).to_contain_text("admin")
    expect(orgs.get_by_role("row", name="datalab")).to_contain_text("write")
    expect(page.locator(".fullname")).to_have_text("Alice Martin")

    # The refresh button swaps the identity region in place (htmx) and asks the Hub again.
    before = len([r for r in hub_world.requests() if r["path"] == "/api/whoami-v2"])
    with page.expect_response(lambda answer: answer.request.method == "POST" and "/refresh" in answer.url):
        page.get_by_role("button", name="Refresh from the Hub").click()
    expect(page.locator("#identity .fullname")).to_have_text("Alice Martin")
    assert len([r for r in hub_world.requests() if r["path"] == "/api/whoami-v2"]) == before + 1
    assert ALICE_TOKEN not in page.content()
    page.screenshot(path=str(ARTIFACTS / "profile.png"), full_page=True)
