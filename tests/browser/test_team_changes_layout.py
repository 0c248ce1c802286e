"""The Team page's recent changes on a phone: each person's changes stay in the value column of their
cell, under one another, not spread across the label's column."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import ARTIFACTS
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_recent_changes_stay_in_their_column(live_server, transactional_db, browser: Browser, width):
    from django.contrib.auth.models import User

    from hubdash.accounts.team_changes import record_team_change

    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    bob = User.objects.create_user("bob", "bob@example.com", PASSWORD)
    for summary in ("added as member", "role set to admin", "role set to member"):
        record_team_change(person=bob, by=alice, summary=summary, change="role changed")
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(live_server.url + "/team/")
    cell = page.locator(f"#person-{bob.pk} td.changes")
    items = cell.locator(".small")  # one per change
    assert items.count() == 3
    boxes = [items.nth(i).bounding_box() for i in range(3)]
    assert all(box is not None for box in boxes)
    lefts = {round(box["x"]) for box in boxes}
    assert len(lefts) == 1  # one column, one under the other
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    if width < 640:
        # Right of the cell's label ("Recent changes"), which takes the first 7.5rem of the cell.
        label_end = cell.bounding_box()["x"] + 7.5 * 16
        assert min(lefts) >= label_end
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"team-changes-{width}.png"), full_page=True)
