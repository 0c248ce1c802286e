"""The team portal in Chromium: an admin invites someone, the invitee opens the link in a browser of their
own, chooses a password and lands signed in, and the admin sees them join on the Team page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, Console
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

DANA_PASSWORD = "dana-chooses-a-long-one-9"


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_an_invitee_joins_through_the_link_and_the_admin_sees_it(
    live_server, transactional_db, browser: Browser, console: Console
):
    from django.contrib.auth.models import User

    User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    admin = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    admin.set_default_timeout(10_000)
    sign_in(admin, live_server.url, "alice", PASSWORD)
    admin.get_by_role("link", name="Team").first.click()
    admin.get_by_role("link", name="Invite someone").click()
    admin.get_by_role("region", name="Invite someone").get_by_label("Role").select_option("member")
    admin.get_by_label("Link valid for").select_option("3")
    admin.get_by_label("For whom (optional)").fill("Dana, data team")
    admin.get_by_role("button", name="Make invitation link").click()
    expect(admin.get_by_role("heading", name="Invitation link ready")).to_be_visible()
    link = admin.get_by_label("Invitation link").input_value()
    assert link.startswith(live_server.url + "/invitation/")

    # The invitee: another browser, nobody signed in.
    invitee_context = browser.new_context(viewport={"width": 390, "height": 844})
    invitee = invitee_context.new_page()
    invitee.set_default_timeout(10_000)
    invitee.goto(link)
    expect(invitee).to_have_url(live_server.url + "/invitation/accept/")  # the token is out of the address
    expect(invitee.get_by_text("alice invites you")).to_be_visible()
    invitee.get_by_label("Username").fill("dana")
    invitee.get_by_label("Password", exact=True).fill("short")
    invitee.get_by_label("Password confirmation").fill("short")
    invitee.get_by_role("button", name="Join").click()
    expect(invitee.locator(".field.has-error", has=invitee.get_by_label("Password", exact=True))).to_contain_text(
        "too short"
    )
    console.expect("the server responded with a status of 400")  # the refused form's answer
    invitee.get_by_label("Password", exact=True).fill(DANA_PASSWORD)
    invitee.get_by_label("Password confirmation").fill(DANA_PASSWORD)
    invitee.get_by_role("button", name="Join").click()
    expect(invitee.get_by_text("Welcome to hubdash, dana!")).to_be_visible()
    expect(invitee.get_by_role("heading", name="Connect your Hub token")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    invitee.screenshot(path=str(ARTIFACTS / "team-joined.png"), full_page=True)

    # The link is spent: opened again it says so.
    again = browser.new_context().new_page()
    again.goto(link)
    expect(again.get_by_role("heading", name="Invitation used")).to_be_visible()
    console.expect("the server responded with a status of 410")

    admin.goto(live_server.url + "/team/")
    expect(admin.get_by_role("row", name=re.compile(r"^dana member"))).to_contain_text(
        "joined as member, invited by alice"
    )
    expect(admin.get_by_role("row", name=re.compile(r"^alice"))).to_contain_text("invited someone as member")
    expect(admin.locator("#pending-invitations")).to_have_count(0)
    admin.screenshot(path=str(ARTIFACTS / "team-page.png"), full_page=True)
    invitee_context.close()


def test_an_invitee_joins_with_hugging_face_and_lands_connected(live_server, hub_world, browser: Browser, settings):
    from django.contrib.auth.models import User

    callback = live_server.url + "/accounts/hf/callback/"
    app = hub_world.oauth_app([callback], client_id="hubdash-invite", client_secret="invite-client-secret-0123")
    settings.HF_OAUTH_CLIENT_ID, settings.HF_OAUTH_CLIENT_SECRET = app["client_id"], app["client_secret"]
    # What settings.py derives from HF_ENDPOINT when the app is configured: the sign-in form may lead to the Hub.
    csp = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**csp["DIRECTIVES"], "form-action": ["'self'", hub_world.url]}}
    hub_world.add_user("erin", fullname="Erin Okafor", orgs={"acme": "write"})
    hub_world.oauth_browser(None)  # nobody signed in at the Hub: its consent page asks who
    User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    admin = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    admin.set_default_timeout(10_000)
    sign_in(admin, live_server.url, "alice", PASSWORD)
    admin.goto(live_server.url + "/team/")
    admin.get_by_role("region", name="Invite someone").get_by_label("Role").select_option("member")
    admin.get_by_role("button", name="Make invitation link").click()
    link = admin.get_by_label("Invitation link").input_value()

    # The invitee, in a fresh browser, joins with their Hugging Face account instead of a password
    # (by default hubdash admits only invited people this way: the link is what lets erin in).
    invitee_context = browser.new_context(viewport={"width": 390, "height": 844})
    invitee = invitee_context.new_page()
    invitee.set_default_timeout(10_000)
    invitee.goto(link)
    invitee.get_by_role("button", name="Join with Hugging Face").click()
    expect(invitee.get_by_role("heading", name="hubsim: authorize this app")).to_be_visible()
    invitee.get_by_label("Hub user").fill("erin")
    invitee.get_by_label("Organisations to grant").fill("acme")
    invitee.get_by_role("button", name="Authorize").click()
    expect(invitee.get_by_text("Signed in with Hugging Face as @erin")).to_be_visible()
    expect(invitee).to_have_url(live_server.url + "/account/")  # on their profile, connected
    expect(invitee.locator("#token-kind")).to_have_text("From signing in with Hugging Face")
    invitee_context.close()

    admin.goto(live_server.url + "/team/")
    expect(admin.get_by_role("row", name=re.compile(r"^erin member"))).to_contain_text(
        "joined as member, invited by alice"
    )
