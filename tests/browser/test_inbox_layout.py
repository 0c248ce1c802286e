"""The discussions inbox and a repo's Discussions tab in Chromium over hubsim's demo world, filled by the first
fill: filter to pull requests waiting on us from the selects (htmx, the URL follows), and each page fits a phone
and a wide screen, light and dark, without sideways scrolling (screenshots in test-results/)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_browse import alice_on_demo_hub, tab

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]


@pytest.fixture
def filled_demo(alice_on_demo_hub, demo_hub, monkeypatch):
    from hubdash import hub
    from hubdash.discussions import refresh
    from hubdash.discussions.models import WatchedNamespace
    from hubdash.discussions.refresh import read_namespace

    monkeypatch.setattr(refresh, "sleep", lambda seconds: None)  # the pacer spreads calls: the test need not wait

    for namespace in ("acme", "alice"):
        WatchedNamespace.objects.create(namespace=namespace)
        read_namespace(namespace, hub.client_for(alice_on_demo_hub))
    return demo_hub


def fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_filter_the_inbox_to_pull_requests_waiting_on_us_on_every_screen(tab, filled_demo):
    from hubdash.discussions.models import Discussion

    waiting_prs = Discussion.objects.filter(is_pull_request=True, waiting_on_us=True, status__in=["open", "draft"])
    assert waiting_prs.exists(), "the demo world has no pull request waiting on us"
    page = tab.open("/discussions/")
    rows = page.locator("tbody .disc-row")
    expect(rows.first).to_be_visible()
    waiting = Discussion.objects.filter(waiting_on_us=True, status__in=["open", "draft"]).count()
    page.set_viewport_size({"width": 390, "height": 844})
    badge = page.locator("summary #nav-menu-discussions .nav-count")  # a phone sees it with the menu closed
    expect(badge).to_be_visible()
    expect(badge).to_contain_text(f"{waiting} discussions or pull requests waiting on us")
    page.set_viewport_size({"width": 1280, "height": 900})
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            fits(page)
            tab.shoot(f"discussions-all-{scheme}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Kind").select_option("pull_request")
    expect(page).to_have_url(re.compile(r"kind=pull_request"))  # each choice filters at once
    page.get_by_label("Waiting on us", exact=True).select_option("yes")
    expect(page).to_have_url(re.compile(r"kind=pull_request.*waiting=yes"))
    expect(rows).to_have_count(waiting_prs.count())
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            fits(page)
            tab.shoot(f"discussions-inbox-{scheme}")

    repo = waiting_prs.first().repo_id
    namespace, name = repo.split("/")
    tab.open(f"/discussions/{waiting_prs.first().repo_type}/{namespace}/{name}/")
    expect(page.get_by_role("link", name="Discussions", exact=False).and_(page.locator("[aria-current=page]")))
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            fits(page)
            tab.shoot(f"discussions-tab-{scheme}")
    tab.assert_quiet()
