"""The listings' trend column: downloads a day over the last snapshots, drawn by the listing's own template,
for the repos hubdash has snapshots of, with the same Hub calls as before and one query for all rows."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import FIRST

pytestmark = pytest.mark.django_db


def rows(body: str) -> dict[str, str]:
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<li class="repo-item">.*?href="/models/([^"]+)/".*?</li>', body, re.S)
    }


def test_a_listing_draws_the_trend_of_repos_with_snapshots_in_one_query(world):
    world.hub.control("DELETE", "requests")
    before = world.bob.get("/models/", {"author": "acme"})
    calls_before = [r["path"] for r in world.hub_calls()]
    assert 'svg class="trend"' not in before.content.decode()  # no snapshot yet: no column

    for day in world.days(FIRST, 6):
        world.take(day)
    world.hub.add_repo("acme/newcomer", downloads=3)  # made since the last snapshot
    cache.clear()  # a cold listing, as the first was
    world.forget_calls()
    with CaptureQueriesContext(connection) as queries:
        after = world.bob.get("/models/", {"author": "acme"})
    body = after.content.decode()

    listed = rows(body)
    assert (
        'svg class="trend"' in listed["acme/grower"]
        and 'aria-label="Downloads a day, last 30 days' in listed["acme/grower"]
    )
    assert 'svg class="trend"' in listed["acme/secret"]  # bob reads acme's private repos on the Hub: listed to him
    assert "trend" not in listed["acme/newcomer"]  # listed, but hubdash has no snapshot of it
    truth = world.hub.usage("acme/grower", days=6)
    first_gain = truth[1]["downloadsAllTime"] - truth[0]["downloadsAllTime"]
    assert f"{first_gain:,} to" in listed["acme/grower"]
    calls_after = [r["path"] for r in world.hub_calls()]
    assert set(calls_after) <= set(calls_before)  # no Hub call of its own (the kept vocabulary spares one)
    assert calls_after.count("/api/models") == calls_before.count("/api/models") == 1
    # A fixed few queries whatever the rows (the figures' version for the kept list's key, the last day, the
    # rows' figures), never one per row: 3 here for 3 rows, as for 100.
    assert len(listed) == 3 and sum("usage_snapshot" in q["sql"] for q in queries.captured_queries) == 3


def test_a_saved_view_draws_the_same_trend_column_as_the_listing(world, bob):
    from hubdash.bulk.models_saved import SavedView

    for day in world.days(FIRST, 6):
        world.take(day)
    view = SavedView.objects.create(name="acme's models", kind="model", query="author=acme", owner=bob)
    world.forget_calls()
    with CaptureQueriesContext(connection) as queries:
        page = world.bob.get(f"/views/{view.pk}/")
    assert page.status_code == 200
    shown = rows(page.content.decode())
    listing = rows(world.bob.get("/models/", {"author": "acme"}).content.decode())
    assert set(shown) == {"acme/grower", "acme/secret"}
    for repo_id in shown:  # the listing's own row template draws both: the same inline SVG line
        trend = re.search(r'<span class="repo-trend".*?</span>', shown[repo_id], re.S)
        assert trend is not None and trend.group(0) in listing[repo_id]
    # one query for every row's figures, whatever the rows, and no Hub call of its own beyond the view's listing
    assert sum("usage_snapshot" in q["sql"] for q in queries.captured_queries) <= 3
    assert [r["path"] for r in world.hub_calls()].count("/api/models") <= 2
