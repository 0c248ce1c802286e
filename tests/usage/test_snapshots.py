"""Daily snapshots over hubsim with a controlled clock: calls, figures, gaps, renames, deletions, pauses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from huggingface_hub import HfApi

from tests.personas import ALICE_TOKEN

from .conftest import FIRST

pytestmark = pytest.mark.django_db

LISTS = ("/api/models", "/api/datasets", "/api/spaces")


def test_a_snapshot_makes_one_call_per_page_of_results_never_one_per_repo(world, monkeypatch):
    from hubdash.hub import usage as hub_usage
    from hubdash.usage.models import Snapshot

    for n in range(5):
        world.hub.add_repo(f"acme/m{n}", downloads=n)
    monkeypatch.setattr(hub_usage, "PAGE_LIMIT", 3)
    world.forget_calls()

    line = world.take(FIRST)

    calls = [r["path"] for r in world.hub_calls()]
    assert calls.count("/api/models") == 3  # 7 models, 3 a page
    assert calls.count("/api/datasets") == 1 and calls.count("/api/spaces") == 1
    assert calls.count("/api/organizations/acme/settings/repositories") == 1
    assert not [c for c in calls if c.startswith(("/api/models/", "/api/datasets/", "/api/spaces/"))]
    assert Snapshot.objects.filter(day=FIRST).count() == 7 + 1 + 1
    assert "acme: 9 repos" in line
    app = Snapshot.objects.get(repo__repo_id="acme/app")
    assert app.visibility == "protected" and app.downloads_all_time is None and app.likes == 9


def test_thirty_days_draw_the_hubs_figures(world):
    from hubdash.usage import series
    from hubdash.usage.models import TrackedRepo

    days = world.days(FIRST, 30)
    for day in days:
        world.take(day)

    truth = world.hub.usage("acme/grower", days=30)  # the Hub's figures of those 30 days, oldest first
    assert [t["date"] for t in truth] == [d.isoformat() for d in days]
    drawn = series.repo_series(TrackedRepo.objects.get(repo_id="acme/grower"))
    assert drawn.days == days
    gained = [truth[n]["downloadsAllTime"] - truth[n - 1]["downloadsAllTime"] for n in range(1, 30)]
    assert drawn.values("downloads")[1:] == gained
    assert drawn.values("downloads")[0] is None  # the first snapshot has nothing to differ from
    assert drawn.values("likes") == [t["likes"] for t in truth]
    assert drawn.values("storage") == [t["usedStorage"] for t in truth]
    assert drawn.values("downloads_30d") == [t["downloads"] for t in truth]
    assert max(gained) >= 5000  # the spike of 2026-11-10 is drawn on its day
    assert gained[days.index(FIRST + timedelta(days=9)) - 1] >= 5000


def test_a_gap_stays_a_gap_and_the_sum_after_it_is_marked(world):
    from hubdash.usage import series
    from hubdash.usage.models import Snapshot, TrackedRepo

    days = world.days(FIRST, 8)
    taken = [d for n, d in enumerate(days) if n not in (3, 4, 5)]
    for day in taken:
        world.take(day)

    truth = {t["date"]: t for t in world.hub.usage("acme/grower", days=8)}
    drawn = series.repo_series(TrackedRepo.objects.get(repo_id="acme/grower"))
    assert drawn.points[3] is None and drawn.points[4] is None and drawn.points[5] is None
    after = drawn.points[6]
    assert after is not None and after.gap_days == 3
    assert (
        after.downloads
        == truth[days[6].isoformat()]["downloadsAllTime"] - truth[days[2].isoformat()]["downloadsAllTime"]
    )
    assert Snapshot.objects.filter(day__in=days[3:6]).count() == 0  # nothing invented

    page = world.alice.get("/usage/", {"days": 7}).content.decode()
    assert "sum of 4 days" in page
    assert "no snapshot (a gap)" in page


def test_the_next_run_fills_only_its_own_day_and_a_failure_keeps_what_was_taken(world):
    from hubdash.jobs.delegation import take_on
    from hubdash.usage.models import Snapshot, Watched

    Watched.objects.create(namespace="datalab")
    world.hub.add_repo("datalab/set", type="dataset", downloadsAllTime=3)
    alice = Watched.objects.get(namespace="acme").added_by  # None: made directly
    assert alice is None
    from django.contrib.auth.models import User

    take_on(User.objects.get(username="alice"), "usage", "datalab")
    world.hub.fault(method="GET", path="/api/datasets", status=503, times=1)  # acme's datasets fail

    line = world.take(FIRST)

    assert "acme: failed" in line and "datalab: 1 repo" in line
    assert not Snapshot.objects.filter(namespace="acme").exists()
    acme = Watched.objects.get(namespace="acme")
    assert acme.last_problem.startswith("failed")
    before = list(Snapshot.objects.filter(namespace="datalab").values_list("pk", "downloads_all_time"))

    world.hub.clock(advance_days=0)
    line = world.take(FIRST)  # the same day again: acme is filled in, datalab's row stays as it was

    assert "acme: 4 repos" in line
    assert Snapshot.objects.filter(namespace="acme", day=FIRST).count() == 4
    assert list(Snapshot.objects.filter(namespace="datalab").values_list("pk", "downloads_all_time")) == before
    world.take(FIRST + timedelta(days=1))
    assert Snapshot.objects.filter(day=FIRST).count() == 5  # the past is never rewritten


def test_a_renamed_repo_keeps_its_series_and_a_deleted_one_is_marked(world):
    from hubdash.usage import series
    from hubdash.usage.models import TrackedRepo

    for day in world.days(FIRST, 3):
        world.take(day)
    api = HfApi(endpoint=world.hub.url, token=ALICE_TOKEN)
    api.move_repo("acme/grower", "acme/grown")
    api.delete_repo("acme/corpus", repo_type="dataset")
    world.take(FIRST + timedelta(days=3))

    repo = TrackedRepo.objects.get(kind="model", repo_id="acme/grown")
    assert repo.former_ids == ["acme/grower"]
    drawn = series.repo_series(repo)
    assert len(drawn.points) == 4 and all(p is not None for p in drawn.points)
    assert drawn.points[3].downloads is not None and drawn.points[3].gap_days == 0  # type: ignore[union-attr]
    corpus = TrackedRepo.objects.get(kind="dataset", repo_id="acme/corpus")
    assert corpus.deleted_on == FIRST + timedelta(days=3)
    assert corpus.snapshots.count() == 3

    page = world.alice.get("/usage/model/acme/grown/").content.decode()
    assert "formerly acme/grower" in page and FIRST.isoformat() in page
    gone = world.alice.get("/usage/dataset/acme/corpus/").content.decode()
    assert "deleted" in gone


def test_work_pauses_when_the_chosen_person_loses_their_rights(world):
    from hubdash.jobs.delegation import pause_of
    from hubdash.usage.models import Snapshot, Watched

    Watched.objects.create(namespace="datalab")  # nobody took it on
    line = world.take(FIRST)
    assert "datalab: paused (nobody has taken this on)" in line and "acme: 4 repos" in line

    world.hub.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    world.forget_calls()
    line = world.take(FIRST + timedelta(days=1))

    assert "acme: paused (alice's token was rejected by the Hub)" in line
    assert not Snapshot.objects.filter(day=FIRST + timedelta(days=1)).exists()
    assert [r["path"] for r in world.hub_calls() if r["path"] in LISTS] == []
    pause = pause_of("usage", "acme")
    assert pause is not None and "rejected" in pause.reason
    settings_page = world.alice.get("/usage/settings/").content.decode()
    assert "alice&#x27;s token was rejected by the Hub" in settings_page


def test_retention_removes_old_snapshots(world, settings):
    from hubdash.usage.models import Snapshot

    settings.HUBDASH_USAGE_RETENTION_DAYS = 2
    for day in world.days(FIRST, 4):
        world.take(day)
    assert sorted({d.isoformat() for d in Snapshot.objects.values_list("day", flat=True)}) == [
        (FIRST + timedelta(days=n)).isoformat() for n in (1, 2, 3)
    ]


def test_the_job_is_registered_daily_for_the_usage_capability():
    from hubdash.jobs.schedule import job_named

    job = job_named("usage.snapshot")
    assert job is not None and job.every == timedelta(days=1) and job.capability == "usage"


def test_a_rename_is_followed_through_the_feeds_move_event_when_the_hub_gave_no_id_before(world):
    from django.utils import timezone

    from hubdash.activity.models import Event
    from hubdash.usage.models import TrackedRepo

    for day in world.days(FIRST, 2):
        world.take(day)
    TrackedRepo.objects.filter(repo_id="acme/grower").update(hub_id="")  # as if the Hub's answers had no `_id`
    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).move_repo("acme/grower", "acme/grown")
    Event.objects.create(
        source="hub", action="move", summary="moved to acme/grown", repo_type="model", repo_id="acme/grower",
        namespace="acme", details={"moved_to": "acme/grown"}, received_at=timezone.now(),
    )  # fmt: skip
    world.take(FIRST + timedelta(days=2))

    repo = TrackedRepo.objects.get(kind="model", repo_id="acme/grown")
    assert repo.former_ids == ["acme/grower"] and repo.snapshots.count() == 3
    assert not TrackedRepo.objects.filter(repo_id="acme/grower").exists()
