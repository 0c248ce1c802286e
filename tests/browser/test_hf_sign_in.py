"""Sign in with Hugging Face in Chromium: hubdash on a live server, hubsim as the Hub's OAuth provider."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS


@pytest.mark.browser
def test_a_member_of_an_admitted_organisation_signs_in_with_hugging_face(live_server, hub_world, page, alice, settings):
    from hubdash.team.models import SignInPolicy

    callback = live_server.url + "/accounts/hf/callback/"
    app = hub_world.oauth_app([callback], client_id="hubdash-browser", client_secret="browser-client-secret-0123")
    settings.HF_OAUTH_CLIENT_ID, settings.HF_OAUTH_CLIENT_SECRET = app["client_id"], app["client_secret"]
    # What settings.py derives from HF_ENDPOINT when the app is configured: the sign-in form may lead to the Hub.
    csp = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**csp["DIRECTIVES"], "form-action": ["'self'", hub_world.url]}}
    hub_world.add_user("erin", fullname="Erin Okafor", orgs={"acme": "write"})
    SignInPolicy.objects.create(pk=1, mode="orgs", orgs=["acme"])
    hub_world.oauth_browser(None)  # nobody signed in at the Hub: its consent page asks who

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in to hubdash")).to_be_visible()
    page.get_by_role("button", name="Sign in with Hugging Face").click()
    expect(page.get_by_role("heading", name="hubsim: authorize this app")).to_be_visible()
    page.get_by_label("Hub user").fill("erin")
    page.get_by_label("Organisations to grant").fill("acme")
    page.get_by_role("button", name="Authorize").click()

    expect(page.get_by_text("Signed in with Hugging Face as @erin")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/")  # back where the sign-in started
    page.goto(live_server.url + "/account/")
    expect(page.locator("#token-kind")).to_have_text("From signing in with Hugging Face")
    expect(page.locator(".fullname")).to_have_text("Erin Okafor")
    # The Organizations table (the profile also has the jobs' "use my token for …" table).
    orgs = page.locator("#identity").get_by_role("table").first
    expect(orgs.get_by_role("row", name="acme")).to_contain_text("write")
    assert "hf_oauth_" not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hf-sign-in.png"), full_page=True)
