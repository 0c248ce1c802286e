"""The first fill and the hourly paced refresh of the namespaces webhooks do not cover, over hubsim: the calls
each makes (a list per repo, details only for items whose comment count or status changed), what they leave in
the inbox, pausing without a fit token, "Refresh now", and the admins' choice of watched namespaces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hubdash.discussions.models import Discussion, WatchedNamespace
from tests.discussions.inbox_world import *  # noqa: F403
from tests.discussions.inbox_world import fill

pytestmark = pytest.mark.django_db

LISTS = ["GET /api/models?author=acme", "GET /api/datasets?author=acme", "GET /api/spaces?author=acme"]


def lists_and_details(calls: list[str]) -> list[str]:
    """The calls of a read, without the token owner's whoami (the job checks the lender's standing each run);
    the namespace's repo lists by their author alone."""
    kept = []
    for call in calls:
        if call.startswith("GET /api/whoami"):
            continue
        path, _, query = call.partition("?")
        if path in ("GET /api/models", "GET /api/datasets", "GET /api/spaces"):
            assert "author=acme" in query.split("&") and "limit=1000" in query.split("&")
            call = f"{path}?author=acme"
        kept.append(call)
    return kept


def test_the_first_fill_lists_each_repo_then_reads_each_open_item_once(world):
    world.hub.add_repo("acme/bert")
    world.hub.add_repo("acme/corpus", type="dataset")
    one = world.open("acme/bert", "zed", "First question")
    two = world.open("acme/bert", "yan", "A pull request", pullRequest=True)
    closed = world.open("acme/corpus", "zed", "Old one", kind="dataset")
    world.act("acme/corpus", closed, "alice", kind="dataset", status="closed")
    world.forget_calls()

    outcome = fill()

    calls = lists_and_details(world.hub_calls())
    assert sorted(calls) == sorted(
        [
            *LISTS,
            "GET /api/models/acme/bert/discussions?status=open&p=0",
            "GET /api/datasets/acme/corpus/discussions?status=open&p=0",
            f"GET /api/models/acme/bert/discussions/{one}",
            f"GET /api/models/acme/bert/discussions/{two}",
        ]
    )
    assert "acme: first fill: 2 repos, 2 open items, 2 read in detail" in outcome
    watched = WatchedNamespace.objects.get(namespace="acme")
    assert watched.filled_at is not None and watched.refreshed_at is not None
    assert set(Discussion.objects.values_list("repo_id", "num", "status")) == {
        ("acme/bert", one, "open"),
        ("acme/bert", two, "draft"),
    }


def test_an_uncovered_namespace_is_refreshed_with_a_list_per_repo_and_details_only_for_what_changed(world, seeded):
    world.act("acme/bert", seeded["question"], "alice", comment="Answered.")  # a comment (no webhook)
    world.act("acme/bert", seeded["ours"], "alice", status="closed")  # closed: leaves the open list
    world.act("acme/vault", seeded["secret"], "alice", title="Vault access (renamed)")  # no count or status change
    newer = world.open("acme/corpus", "zed", "A newer question", kind="dataset")
    world.forget_calls()

    outcome = fill()

    calls = lists_and_details(world.hub_calls())
    assert sorted(calls) == sorted(
        [
            *LISTS,
            "GET /api/models/acme/bert/discussions?status=open&p=0",
            "GET /api/models/acme/vault/discussions?status=open&p=0",
            "GET /api/datasets/acme/corpus/discussions?status=open&p=0",
            f"GET /api/models/acme/bert/discussions/{seeded['question']}",
            f"GET /api/models/acme/bert/discussions/{seeded['ours']}",
            f"GET /api/datasets/acme/corpus/discussions/{newer}",
        ]
    )
    assert "acme: refresh: 3 repos, 5 open items, 3 read in detail" in outcome
    answered = Discussion.objects.get(repo_id="acme/bert", num=seeded["question"])
    assert not answered.waiting_on_us and answered.num_comments == 2
    assert Discussion.objects.get(repo_id="acme/bert", num=seeded["ours"]).status == "closed"
    page = world.bob.get(reverse("discussions")).content.decode()
    assert "A newer question" in page and "Roadmap for v2" not in page
    assert "refreshed" in page and "read hourly: no webhook delivery came from it in the last 7 days" in page
    assert reverse("webhook-setup") not in page  # a member: nothing to set up
    assert reverse("webhook-setup") in world.alice.get(reverse("discussions")).content.decode()  # admins: where


def test_a_namespace_covered_by_webhooks_is_left_alone_by_the_hourly_job(world, seeded):
    WatchedNamespace.objects.filter(namespace="acme").update(last_delivery_at=timezone.now() - timedelta(days=6))
    assert "acme: kept current by webhooks" in fill()
    assert world.hub_calls() == []
    WatchedNamespace.objects.filter(namespace="acme").update(last_delivery_at=timezone.now() - timedelta(days=8))
    assert "acme: refresh:" in fill()  # no delivery for 7 days: refreshed again
    assert "GET /api/models/acme/bert/discussions?status=open&p=0" in world.hub_calls()


def test_refresh_now_reads_every_watched_namespace_covered_or_not(world, seeded, alice):
    from hubdash.discussions.jobs import refresh_all
    from hubdash.jobs.models import ScheduledRun

    WatchedNamespace.objects.filter(namespace="acme").update(last_delivery_at=timezone.now())
    response = world.alice.post(reverse("discussions-refresh"))
    assert response.status_code == 302
    run = ScheduledRun.objects.get(job="discussions.refresh")
    assert run.trigger == "run_now" and run.state == "queued"
    assert "acme: refresh:" in refresh_all(run)


def test_refresh_now_is_for_admins_and_lenders_and_not_again_within_ten_minutes(world, seeded, bob):
    from hubdash.jobs.delegation import take_on
    from hubdash.jobs.models import DONE, ScheduledRun

    runs = ScheduledRun.objects.filter(job="discussions.refresh")
    for member in (world.bob, world.charlie):  # neither an admin nor lending a token: it would spend alice's
        assert reverse("discussions-refresh") not in member.get(reverse("discussions")).content.decode()
        refused = member.post(reverse("discussions-refresh"), follow=True).content.decode()
        assert "Only admins and the people who lend their token for the discussions can refresh them" in refused
    assert not runs.exists()
    asked = world.dora.post(reverse("discussions-refresh"), follow=True).content.decode()  # an admin
    assert "A refresh is on its way" in asked and runs.count() == 1
    runs.update(state=DONE, started_at=timezone.now(), finished_at=timezone.now() - timedelta(minutes=3))
    again = world.alice.post(reverse("discussions-refresh"), follow=True).content.decode()
    assert "The inbox was refreshed 3 minutes ago: ask again in 7 minutes." in again and runs.count() == 1
    WatchedNamespace.objects.create(namespace="datalab")
    take_on(bob, "discussions", "datalab")  # bob lends his token for datalab: he may ask, after the cooldown
    runs.update(finished_at=timezone.now() - timedelta(minutes=11))
    assert reverse("discussions-refresh") in world.bob.get(reverse("discussions")).content.decode()
    assert "A refresh is on its way" in world.bob.post(reverse("discussions-refresh"), follow=True).content.decode()
    assert runs.count() == 2


def test_a_refresh_drops_the_rows_of_a_repo_its_namespace_no_longer_has(world, seeded):
    # A row left under a name the repo no longer has (written before hubdash knew of a rename, say).
    Discussion.objects.filter(repo_id="acme/bert", num=seeded["question"]).update(repo_id="acme/bert-old")
    assert "acme: refresh:" in fill()
    assert not Discussion.objects.filter(repo_id="acme/bert-old").exists()
    assert "How do I fine-tune bert?" in world.bob.get(reverse("discussions")).content.decode()  # read anew


def test_a_list_of_more_than_fifty_items_is_read_page_by_page(world):
    world.hub.add_repo("acme/busy")
    for n in range(53):
        world.open("acme/busy", "zed", f"Question number {n}")
    world.forget_calls()
    fill()
    calls = world.hub_calls()
    assert "GET /api/models/acme/busy/discussions?status=open&p=1" in calls
    assert "GET /api/models/acme/busy/discussions?status=open&p=2" not in calls
    assert Discussion.objects.filter(repo_id="acme/busy").count() == 53


def test_the_work_pauses_without_a_fit_token_and_the_inbox_says_why(world, seeded, alice):
    from hubdash.jobs.delegation import give_up

    give_up(alice, "discussions", "acme")
    world.forget_calls()
    assert "acme: paused (nobody has taken this on)" in fill()
    assert world.hub_calls() == []
    page = world.bob.get(reverse("discussions")).content.decode()
    assert "it waits for a token: nobody lends one for its discussions" in page
    assert "How do I fine-tune bert?" in page  # rows kept


def test_a_repo_the_hub_fails_to_list_keeps_its_rows_and_says_why(world, seeded):
    world.hub.fault(path="/api/models/acme/vault/discussions*", status=500, times=10)
    outcome = fill()
    assert "; 1 repo could not be read" in outcome and "vault" not in outcome  # the jobs page shows every member
    assert "Vault access for the team" in world.bob.get(reverse("discussions")).content.decode()
    tab = world.bob.get(reverse("discussions-repo", args=["model", "acme", "vault"])).content.decode()
    assert "The last read of this repo's discussions failed" in tab


def test_a_private_repo_that_failed_its_first_read_is_not_named_to_who_may_not_read_it(world):
    world.hub.add_repo("acme/bert")
    world.hub.add_repo("acme/secret-plans", private=True)
    world.hub.fault(path="/api/models/acme/secret-plans/discussions*", status=500, times=10)
    outcome = fill()
    assert "acme: first fill: 2 repos, 0 open items, 0 read in detail; 1 repo could not be read" in outcome
    assert "secret-plans" not in outcome
    for stranger in (world.charlie, world.dora):  # no token; an admin without Hub rights on acme
        page = stranger.get(reverse("discussions")).content.decode()
        assert "1 repo could not be read" in page and "secret-plans" not in page
    tab = world.bob.get(reverse("discussions-repo", args=["model", "acme", "secret-plans"])).content.decode()
    assert "The last read of this repo's discussions failed" in tab  # bob's Hub rights read it: he sees why
    hidden = world.charlie.get(reverse("discussions-repo", args=["model", "acme", "secret-plans"])).content.decode()
    assert "failed" not in hidden


def test_a_rate_limit_waits_for_the_window_and_goes_on(world, seeded, monkeypatch):
    from hubdash.discussions import refresh

    waits: list[float] = []
    monkeypatch.setattr(refresh, "sleep", waits.append)
    world.hub.fault(path="/api/datasets/acme/corpus/discussions*", status=429, retry_after=3, times=1)
    outcome = fill()
    assert "could not be read" not in outcome and 4.0 in waits


def test_lending_a_token_for_a_namespace_never_read_starts_its_first_read(
    world, alice, django_capture_on_commit_callbacks
):
    from hubdash.jobs.delegation import take_on
    from hubdash.jobs.models import ScheduledRun

    WatchedNamespace.objects.create(namespace="datalab", added_by=alice)
    runs = ScheduledRun.objects.filter(job="discussions.refresh", state="queued")
    with django_capture_on_commit_callbacks(execute=True):
        take_on(alice, "usage", "datalab")  # another capability: nothing
    assert not runs.exists()
    with django_capture_on_commit_callbacks(execute=True):
        take_on(alice, "discussions", "datalab")
    assert runs.count() == 1
    fill()
    assert WatchedNamespace.objects.get(namespace="datalab").filled_at is not None
    runs.delete()
    with django_capture_on_commit_callbacks(execute=True):
        take_on(alice, "discussions", "acme", replace=True)  # read before: the hourly runs keep it
    assert not runs.exists()


def test_admins_choose_the_watched_namespaces_and_the_first_fill_starts(world, alice):
    from hubdash.jobs.models import ScheduledRun

    assert world.bob.get(reverse("discussions-settings")).status_code == 403
    page = world.alice.get(reverse("discussions-settings"))
    assert page.status_code == 200 and "datalab" in page.content.decode()  # alice writes there on the Hub
    response = world.alice.post(reverse("discussions-settings"), {"watch": ["acme", "datalab"]}, follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert set(WatchedNamespace.objects.values_list("namespace", flat=True)) == {"acme", "datalab"}
    assert ScheduledRun.objects.filter(job="discussions.refresh", state="queued").exists()
    assert "Nobody lends a token for the discussions of datalab yet" in response.content.decode()
    bad = world.alice.post(reverse("discussions-settings"), {"watch": ["acme"], "add": "not/a name"})
    assert bad.status_code == 400 and "That is not a Hub user or organisation name." in bad.content.decode()
    world.alice.post(reverse("discussions-settings"), {"watch": []})
    assert not WatchedNamespace.objects.exists()
