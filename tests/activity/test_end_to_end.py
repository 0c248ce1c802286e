"""From hubsim to the feed: repos created, changed and deleted through huggingface_hub reach a running
hubdash by hubsim's webhook delivery; an open feed shows a new event without a reload."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import Browser, Page, expect

from hubdash.activity.models import Event
from tests.activity.conftest import NEW_SECRET
from tests.browser.conftest import ARTIFACTS
from tests.personas import ALICE_TOKEN, signed_in

WIDE, PHONE = (1280, 900), (390, 844)


@pytest.fixture
def hub_api(hub_world, secrets, transactional_db) -> HfApi:
    hub_world.control("POST", "webhook-policy", {"attempts": 3, "backoff_s": 0.05})
    return HfApi(endpoint=hub_world.url, token=ALICE_TOKEN)


def test_repo_changes_on_the_hub_reach_the_feed(hub_world, hub_api, live_server, alice):
    hub_api.create_webhook(
        url=f"{live_server.url}/webhooks/hub", watched=[{"type": "org", "name": "acme"}], secret=NEW_SECRET
    )
    hub_api.create_repo("acme/watched", private=True)
    hub_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/watched")
    hub_api.update_repo_settings("acme/watched", private=False)
    hub_api.delete_repo("acme/watched")
    deliveries = hub_world.deliveries(wait=True)
    assert [d["status"] for d in deliveries] == [201] * 4
    events = list(Event.objects.order_by("id"))
    assert [(e.source, e.action, e.summary) for e in events] == [
        ("hub", "create", "created"),
        ("hub", "push", "pushed to main"),
        ("hub", "settings", "made public"),
        ("hub", "delete", "deleted"),
    ]
    assert {e.repo_id for e in events} == {"acme/watched"} and events[0].private is True
    html = signed_in(alice).get("/activity/").content.decode()
    assert html.count("acme/watched") >= 4 and "pushed to main" in html


def test_legacy_deliveries_reach_the_feed(hub_world, hub_api, live_server):
    hook = hub_api.create_webhook(
        url=f"{live_server.url}/webhooks/hub", watched=[{"type": "user", "name": "alice"}], secret=NEW_SECRET
    )
    hub_world.control("POST", f"webhooks/{hook.id}", {"legacy": True})
    hub_api.create_repo("alice/old-ds", repo_type="dataset")
    hub_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="alice/old-ds", repo_type="dataset")
    hub_api.delete_repo("alice/old-ds", repo_type="dataset")
    assert [d["status"] for d in hub_world.deliveries(wait=True)] == [201] * 3
    assert [(e.source, e.action, e.repo_type, e.repo_id) for e in Event.objects.order_by("id")] == [
        ("legacy", "create", "dataset", "alice/old-ds"),
        ("legacy", "update", "dataset", "alice/old-ds"),
        ("legacy", "delete", "dataset", "alice/old-ds"),
    ]


@pytest.fixture
def feed_page(browser: Browser, live_server, alice, settings) -> Iterator[Page]:
    client = signed_in(alice)
    context = browser.new_context(viewport={"width": WIDE[0], "height": WIDE[1]})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == []


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in (WIDE, PHONE):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"activity-{name}-{width}.png"), full_page=True, caret="initial")
    page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})


@pytest.mark.browser
def test_a_new_event_appears_in_an_open_feed_without_a_reload(hub_world, hub_api, live_server, feed_page):
    from hubdash.activity import record

    record(action="team", summary="connected a Hub token")
    hub_api.create_webhook(
        url=f"{live_server.url}/webhooks/hub", watched=[{"type": "org", "name": "acme"}], secret=NEW_SECRET
    )
    hub_api.create_repo("acme/first", private=True)
    hub_world.deliveries(wait=True)
    feed_page.goto(f"{live_server.url}/activity/")
    expect(feed_page.locator(".event-item")).to_have_count(2)
    feed_page.evaluate("window.__sameDocument = true")
    hub_api.create_repo("acme/live-one")
    hub_api.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/live-one")
    # Polls come every 5 s: allow a few.
    expect(feed_page.locator(".event-item").first).to_contain_text("pushed to main", timeout=30_000)
    expect(feed_page.locator(".event-item")).to_have_count(4)
    expect(feed_page.locator(".event-item").nth(1)).to_contain_text("acme/live-one")
    assert feed_page.evaluate("window.__sameDocument") is True  # no reload happened
    shoot(feed_page, "feed")
    feed_page.locator(".event-item").first.get_by_role("link", name="Details").click()
    expect(feed_page.locator("pre.payload")).to_contain_text('"scope": "repo.content"')
    shoot(feed_page, "event")
