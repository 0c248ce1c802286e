"""A password reset link in Chromium: the token leaves the address at once and is never sent on as a
Referer, and the form behind it still works (its Origin is not "null", so CSRF accepts it)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.personas import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "bob-chooses-a-long-one-7"


def test_a_reset_link_sets_a_password_and_its_token_goes_nowhere(live_server, transactional_db, browser: Browser):
    from django.contrib.auth.models import User
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from hubdash.team.reset_links import reset_tokens

    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    bob = User.objects.create_user("bob", "bob@example.com", PASSWORD)
    token = reset_tokens.make_token_by(bob, alice)
    link = f"{live_server.url}/password/reset/{urlsafe_base64_encode(force_bytes(bob.pk))}/{token}/"

    page = browser.new_context().new_page()
    page.set_default_timeout(10_000)
    referers: list[str] = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    page.goto(link)
    expect(page).to_have_url(
        f"{live_server.url}/password/reset/{urlsafe_base64_encode(force_bytes(bob.pk))}/set-password/"
    )
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your new password is set, and you are signed in.")).to_be_visible()
    assert referers and not [referer for referer in referers if token in referer]
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
