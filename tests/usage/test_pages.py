"""/usage/, a repo's Usage tab, the CSV, the settings and the home page's line: rights, escaping, no Hub call."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from .conftest import FIRST

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapped(world):
    for day in world.days(FIRST, 5):
        world.take(day)
    world.forget_calls()
    return world


def test_the_page_draws_charts_and_tables_with_no_hub_call_and_no_script_or_style(snapped):
    page = snapped.bob.get("/usage/", {"days": 7})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<svg role="img"') == 6  # the team's and acme's three charts each
    assert "Whole team" in body and "Table of these figures" in body
    chart_part = body[body.index('<svg role="img"') :]
    assert "<script" not in chart_part and "<style" not in chart_part and "style=" not in chart_part
    assert snapped.hub_calls() == []


def test_private_figures_only_for_people_whose_hub_rights_read_them(snapped):
    bob = snapped.bob.get("/usage/", {"days": 7}).content.decode()
    charlie = snapped.charlie.get("/usage/", {"days": 7}).content.decode()
    assert "acme/secret" in bob  # bob is in acme on the Hub
    assert "acme/secret" not in charlie and "acme/grower" in charlie
    assert snapped.charlie.get("/usage/model/acme/secret/").status_code == 404
    assert snapped.charlie.get("/usage/model/acme/secret/usage.csv").status_code == 404
    assert snapped.bob.get("/usage/model/acme/secret/").status_code == 200
    # The totals count every repo, for everyone: charlie sees the same namespace figures as bob.
    marker = "downloads in the Hub"
    assert bob[bob.index("On 2026") : bob.index(marker)] == charlie[charlie.index("On 2026") : charlie.index(marker)]
    assert snapped.hub_calls() == []


def test_the_csv_holds_the_charts_figures_and_its_gaps(world):
    days = world.days(FIRST, 5)
    for day in (days[0], days[1], days[4]):
        world.take(day)
    truth = {t["date"]: t for t in world.hub.usage("acme/grower", days=5)}

    response = world.bob.get("/usage/model/acme/grower/usage.csv")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["date"] for r in rows] == [d.isoformat() for d in days]
    assert rows[2]["likes"] == rows[3]["likes"] == "" and rows[2]["downloads_gained"] == ""
    assert rows[4]["days_missed_before"] == "2"
    gained = truth[days[4].isoformat()]["downloadsAllTime"] - truth[days[1].isoformat()]["downloadsAllTime"]
    assert rows[4]["downloads_gained"] == str(gained)
    assert rows[1]["used_storage_bytes"] == str(truth[days[1].isoformat()]["usedStorage"])

    team = world.bob.get("/usage/csv/team.csv", {"days": 7})
    assert team.status_code == 200 and team.content.decode().startswith("date,downloads_gained")
    assert world.bob.get("/usage/csv/namespace/nowhere.csv").status_code == 404
    acme = world.bob.get("/usage/csv/namespace/acme.csv", {"days": 7})
    # The period is 7 days but watching began 5 days ago: the CSV starts at the first snapshot, its real gaps kept.
    lines = acme.content.decode().splitlines()
    assert acme.status_code == 200 and len(lines) == 1 + 5 and lines[1].startswith(days[0].isoformat())
    assert lines[3] == f"{days[2].isoformat()},,,,,"


def test_the_repo_tab_marks_the_feeds_events_escaped(snapped):
    from hubdash.activity.models import Event

    Event.objects.create(
        source="hub", action="settings", summary="made <b>private</b>", repo_type="model", repo_id="acme/grower",
        namespace="acme", actor="<img src=x onerror=alert(1)>", received_at=timezone.now(),
    )  # fmt: skip
    body = snapped.bob.get("/usage/model/acme/grower/").content.decode()
    assert "made &lt;b&gt;private&lt;/b&gt;" in body and "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert snapped.hub_calls() == []


def test_a_repo_name_the_hub_could_not_have_is_no_repo_on_any_database(snapped):
    assert snapped.bob.get("/usage/model/acme/x%00y/").status_code == 404  # a NUL: PostgreSQL stores none
    assert snapped.bob.get("/usage/model/acme%00/grower/").status_code == 404


def test_growers_rank_by_storage_and_downloads(snapped):
    body = snapped.bob.get("/usage/", {"days": 7}).content.decode()
    storage = body[body.index("By storage added") : body.index("By downloads gained")]
    downloads = body[body.index("By downloads gained") : body.index("Private repos are listed")]
    assert storage.index("acme/secret") < storage.index("acme/grower")  # 50 B a day against 10
    assert downloads.index("acme/grower") < downloads.index("acme/secret")  # ~100 a day against 7


def test_settings_are_for_admins_and_keep_what_was_typed(world, alice):
    from hubdash.usage.models import Watched

    assert world.bob.get("/usage/settings/").status_code == 403
    assert world.bob.post("/usage/take-now/").status_code == 403
    page = world.alice.get("/usage/settings/").content.decode()
    assert "alice's token" in page and "acme" in page and "datalab" in page  # alice writes in datalab

    bad = world.alice.post("/usage/settings/", {"watch": ["acme"], "quota_acme": "-3", "add": "not/a name"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "not a Hub user or organisation name" in text and 'value="not/a name"' in text and 'value="-3"' in text

    ok = world.alice.post("/usage/settings/", {"watch": ["acme", "datalab"], "quota_acme": "1.5"})
    assert ok.status_code == 302
    assert dict(Watched.objects.values_list("namespace", "quota_bytes")) == {"acme": 1_500_000_000, "datalab": None}


def test_take_one_now_enqueues_the_job_without_calling_the_hub(world):
    from hubdash.jobs.models import ScheduledRun

    response = world.alice.post("/usage/take-now/")
    assert response.status_code == 302
    assert ScheduledRun.objects.filter(job="usage.snapshot", state="queued").count() == 1
    assert world.alice.get("/usage/take-now/").status_code == 405
    assert world.hub_calls() == []


def test_admins_home_asks_to_set_up_until_a_namespace_is_watched(world):
    from hubdash.usage.models import Watched

    assert "/usage/setup-line/" in world.alice.get("/").content.decode()  # loaded by URL name
    assert "Set up" not in world.alice.get("/usage/setup-line/").content.decode()  # acme is watched
    Watched.objects.all().delete()
    assert "Set up" not in world.bob.get("/usage/setup-line/").content.decode()
    assert "Set up usage snapshots" in world.alice.get("/usage/setup-line/").content.decode()
    Watched.objects.create(namespace="acme")
    assert "Set up" not in world.alice.get("/usage/setup-line/").content.decode()


def test_the_quota_line_shows_only_where_entered(snapped):
    from hubdash.usage.models import Watched

    assert (
        "quota"
        not in snapped.bob.get("/usage/")
        .content.decode()
        .split("Whole team", 1)[1]
        .lower()
        .split("private repos are listed")[0]
    )
    Watched.objects.filter(namespace="acme").update(quota_bytes=10**9)
    body = snapped.bob.get("/usage/").content.decode()
    assert "1.0 GB quota" in body and "Quota" in body
    _ = timedelta


def test_the_daily_job_draws_the_pages_charts_so_nobody_waits(world):
    from django.core.cache import cache

    from hubdash.usage import charts, drawing, jobs

    line = jobs.take_snapshot(None)  # type: ignore[arg-type]
    assert "acme: 4 repos" in line
    version = drawing.version()
    for days in (7, 30, 90):
        assert cache.get(f"usage:blocks:{charts.DRAWING}:{version}:{days}") is not None
    page = world.bob.get("/usage/", {"days": 7}).content.decode()
    assert page.count('<svg role="img"') == 6


def test_the_first_day_of_watching_shows_no_growth_no_gaps_and_says_why_downloads_are_empty(world):
    """One snapshot: it is the baseline. Nobody grew, no day before it is a gap, and the downloads chart says
    daily downloads come from the second day (not "No snapshot yet")."""
    from hubdash.usage.models import Watched

    world.take(FIRST)
    Watched.objects.filter(namespace="acme").update(quota_bytes=10**12)
    body = world.bob.get("/usage/", {"days": 30}).content.decode()
    storage = body[body.index("By storage added") : body.index("By downloads gained")]
    assert "acme/grower" not in storage and "acme/secret" not in storage and "No repo you may see grew" in storage
    assert "no snapshot (a gap)" not in body and "One snapshot so far: daily downloads show from the second day" in body
    assert "No snapshot yet" not in body
    assert "of a 1.0 TB quota (&lt;1 %)" in body
    rows = world.bob.get("/usage/csv/namespace/acme.csv", {"days": 30}).content.decode().splitlines()
    assert len(rows) == 2 and rows[1].startswith(FIRST.isoformat())

    world.take(FIRST + timedelta(days=1))  # the second snapshot: now it grew (secret 50 B a day, grower 10)
    body = world.bob.get("/usage/", {"days": 30}).content.decode()
    storage = body[body.index("By storage added") : body.index("By downloads gained")]
    assert storage.index("acme/secret") < storage.index("acme/grower") and "+50 B" in storage


def test_a_downloads_axis_has_whole_distinct_ticks():
    from hubdash.usage import charts

    svg = str(charts.line_chart("t", [FIRST, FIRST + timedelta(days=1)], [("Downloads a day", [0, 1])]))
    labels = re.findall(r'<text[^>]*class="[^"]*"[^>]*>([^<]+)</text>', svg.split('class="axis y', 1)[1])
    ticks = [label for label in labels if label.strip().lstrip("-").replace(",", "").isdigit()]
    assert ticks and len(ticks) == len(set(ticks)), ticks
    assert charts.count_ticks([0, 1]) == [0, 1] and charts.count_ticks([120, 5000]) == [0, 1000, 2000, 3000, 4000, 5000]


def test_a_repos_usage_tab_carries_the_repos_name_a_way_back_and_the_tab_row(snapped):
    page = snapped.bob.get("/usage/model/acme/grower/").content.decode()
    start = page.index('<header class="repo-header repo-header-light">')
    header = page[start : page.index("</header>", start)]
    assert 'href="/models/acme/grower/"' in header and "Back to the repo" in header
    assert (
        'href="/models/acme/grower/history/"' in header
        and 'href="/usage/model/acme/grower/" aria-current="page"' in header
    )
    assert snapped.hub_calls() == []


@pytest.mark.long
def test_someone_removed_from_the_org_no_longer_sees_its_private_figures_after_the_identity_period(snapped, settings):
    import time

    settings.WHOAMI_CACHE_SECONDS = 2
    time.sleep(2.2)
    assert "acme/secret" in snapped.bob.get("/usage/", {"days": 7}).content.decode()
    assert snapped.bob.get("/usage/model/acme/secret/usage.csv").status_code == 200

    snapped.hub.control("POST", "users", {"name": "bob", "orgs": {"acme": "no_access"}})
    time.sleep(2.2)

    assert "acme/secret" not in snapped.bob.get("/usage/", {"days": 7}).content.decode()
    assert snapped.bob.get("/usage/model/acme/secret/").status_code == 404
    assert snapped.bob.get("/usage/model/acme/secret/usage.csv").status_code == 404
    assert len([c for c in snapped.hub_calls() if "whoami" in c["path"]]) == 2  # one per period, not per page


def test_a_repos_visibility_is_the_settings_lists_protected_included(world):
    days = world.days(FIRST, 3)
    world.take(days[0])
    # the next day the repositories-settings list does not answer: a Space the listing reads as public is not
    # known to be public; models and datasets are (only Spaces can be protected)
    world.hub.fault(method="GET", path="/api/organizations/acme/settings/repositories", status=503, times=1)
    world.take(days[1])
    world.take(days[2])
    world.forget_calls()

    app = world.bob.get("/usage/space/acme/app/").content.decode()
    assert (
        '<span id="usage-visibility">Protected</span> in the last snapshot' in app
        and "acme's repositories settings" in app
    )
    table = app[app.index("<table") : app.index("</table>")]
    assert '<th scope="col">Visibility</th>' in table
    assert [
        v.strip()
        for v in re.findall(r"<td data-label=\"Visibility\">(protected|public or protected \(not known\))</td>", table)
    ] == [
        "protected",
        "public or protected (not known)",
        "protected",
    ]
    rows = list(csv.DictReader(io.StringIO(world.bob.get("/usage/space/acme/app/usage.csv").content.decode())))
    assert [r["visibility"] for r in rows] == ["protected", "", "protected"]
    assert '<span id="usage-visibility">Private</span>' in world.bob.get("/usage/model/acme/secret/").content.decode()
    assert '<span id="usage-visibility">Public</span>' in world.bob.get("/usage/model/acme/grower/").content.decode()
    growers = world.bob.get("/usage/", {"days": 7}).content.decode()
    assert re.search(
        r'acme/secret</a> <span class="badge warn" title="Visibility in its last snapshot">private</span>', growers
    )
    assert 'acme/grower</a> <span class="badge" title="Visibility in its last snapshot">public</span>' in growers
    assert world.hub_calls() == []
