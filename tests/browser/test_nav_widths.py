"""The top nav fits its screen: between the phone menu (60rem) and a wide screen (icon-only items up to 112rem, labels
above) the page never scrolls sideways and the account menu stays in view, for an admin (the nav's longest: Saved
views and Jobs) with a Hub token."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.personas import ALICE_TOKEN, PASSWORD, signed_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1024, 1280, 1366, 1440, 1600, 1920])
def test_the_nav_fits_and_the_account_menu_is_in_view(
    browser: Browser, live_server, hub_world, transactional_db, settings, width: int
) -> None:
    from django.contrib.auth.models import User

    from hubdash import hub

    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    hub.connect_token(alice, ALICE_TOKEN)
    client = signed_in(alice)
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    page.goto(live_server.url + "/team/")
    nav = page.get_by_role("navigation", name="Main").first
    expect(nav.get_by_role("link", name="Jobs")).to_be_visible()
    expect(nav.locator("summary", has_text="Saved views")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # nothing in the header spills past its own box either (labels or not, the account menu stays in the row)
    assert page.locator(".shell-inner").evaluate("e => e.scrollWidth <= e.clientWidth")
    account = page.locator("summary", has=page.get_by_text("Account menu"))
    box = account.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    for name in ("Jobs", "Team", "Home"):  # every nav item is on screen too, with its name
        link = nav.get_by_role("link", name=name).bounding_box()
        assert link is not None and link["x"] + link["width"] <= box["x"]

    account.click()  # the menu opens fully on screen
    signout = page.get_by_role("button", name="Sign out").bounding_box()
    assert signout is not None and signout["x"] >= 0 and signout["x"] + signout["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
