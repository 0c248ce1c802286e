"""Usage pages in Chromium: /usage/ shows its charts and their tables with no console error (CSP included),
the CSV downloads, and a repo's Usage tab marks a visibility change on the chart's axis: made on the Hub, it
reaches the running hubdash through hubsim's own webhook delivery.

The snapshots are of the last six days up to today (UTC): a delivery is received now, so its day is today's."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import Browser, Page, expect

from tests.personas import ALICE_TOKEN, PASSWORD, signed_in

pytestmark = pytest.mark.browser

TODAY = datetime.now(tz=UTC).date()
FIRST = TODAY - timedelta(days=5)
SECRET = "whsec-usage-tab-0123456789"


@pytest.fixture
def usage_tab(browser: Browser, live_server, hub_world, transactional_db, settings) -> Iterator[Page]:
    from django.contrib.auth.models import User

    from hubdash import hub
    from hubdash.jobs.delegation import take_on
    from hubdash.usage import snapshot
    from hubdash.usage.models import Watched

    settings.WEBHOOK_SECRETS = [SECRET]
    start = (FIRST - timedelta(days=60)).isoformat()
    hub_world.add_repo(
        "acme/grower",
        downloadsAllTime=1000,
        likes=5,
        usage={"start": start, "downloadsPerDay": 100, "likesPerDay": 0.5, "storagePerDay": 10},
    )
    hub_world.add_repo("acme/corpus", type="dataset", downloadsAllTime=7, likes=2)  # fmt: skip
    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    hub.connect_token(alice, ALICE_TOKEN)
    Watched.objects.create(namespace="acme")
    take_on(alice, "usage", "acme")
    for n in range(6):
        if n == 3:
            continue  # a missed day
        hub_world.clock(today=(FIRST + timedelta(days=n)).isoformat())
        snapshot.take(FIRST + timedelta(days=n))
    client = signed_in(alice)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def test_usage_page_shows_charts_and_tables_and_the_csv_downloads(usage_tab: Page):
    page = usage_tab
    page.goto(page.base_url + "/usage/?days=7")  # type: ignore[attr-defined]
    expect(page.get_by_role("heading", name="Usage over time")).to_be_visible()
    charts = page.get_by_role("img", name="acme: downloads a day", exact=False)
    expect(charts.first).to_be_visible()
    expect(page.locator("figure.usage-chart svg")).to_have_count(6)
    box = page.locator("#usage-ns-acme figure.usage-chart svg").first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 60  # drawn, at a size one can read
    block = page.locator("#usage-ns-acme")
    block.get_by_text("Table of these figures").click()
    table = block.locator("table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(6)  # from the first snapshot: the day before it is no gap
    expect(table).to_contain_text("no snapshot (a gap)")
    expect(table).to_contain_text("sum of 2 days")

    with page.expect_download() as download_info:
        block.get_by_role("link", name="CSV of these figures").click()
    download = download_info.value
    assert download.suggested_filename == "usage-acme.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert [r["date"] for r in rows][-6:] == [(FIRST + timedelta(days=n)).isoformat() for n in range(6)]
    assert rows[-3]["likes"] == "" and rows[-2]["days_missed_before"] == "1"


def test_a_repos_usage_tab_marks_a_visibility_change_on_the_axis(usage_tab: Page, hub_world):
    from hubdash.activity.models import Event

    page = usage_tab
    # made private on the Hub itself (alice's own Hub client, not hubdash): hubsim delivers the webhook
    hub_world.control("POST", "webhook-policy", {"attempts": 3, "backoff_s": 0.05})
    api = HfApi(endpoint=hub_world.url, token=ALICE_TOKEN)
    api.create_webhook(
        url=f"{page.base_url}/webhooks/hub",  # type: ignore[attr-defined]
        watched=[{"type": "org", "name": "acme"}],
        secret=SECRET,
    )
    api.update_repo_settings("acme/grower", private=True)
    assert [d["status"] for d in hub_world.deliveries(wait=True)] == [201]
    [made_private] = Event.objects.filter(repo_id="acme/grower", action="settings")
    assert (made_private.source, made_private.summary) == ("hub", "made private")
    page.goto(page.base_url + "/models/acme/grower/")  # type: ignore[attr-defined]
    page.get_by_role("link", name="Usage", exact=True).last.click()
    expect(page.get_by_role("heading", name="Usage of acme/grower")).to_be_visible()
    expect(page).to_have_url(page.base_url + "/usage/model/acme/grower/")  # type: ignore[attr-defined]
    axis = page.locator("figure.usage-chart svg .axis.x").first
    day = made_private.received_at.astimezone(UTC).date()  # today's, the last snapshot's
    expect(axis.locator("text.event")).to_have_text([f"▲ {day:%b} {day.day}"])  # the one event, on its day
    expect(page.locator("#usage-events")).to_contain_text("made private")
