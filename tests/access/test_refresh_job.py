"""The scheduled refresh's steps that need no Hub: pausing when no one (fit) took a namespace on, and the
removal of requesters' personal details after the retention period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from .conftest import ask, gated

pytestmark = pytest.mark.django_db


def test_personal_details_are_removed_after_the_retention_period(world, settings):
    from hubdash.access.jobs import refresh_all
    from hubdash.access.models import AccessRequest

    settings.HUBDASH_ACCESS_RETENTION_DAYS = 30
    bert = gated("acme/bert")
    old = ask(bert, "erin", status="rejected", decided_at=timezone.now() - timedelta(days=31), orgs=["uni"])
    recent = ask(bert, "frank", status="accepted", decided_at=timezone.now() - timedelta(days=29))
    waiting = ask(bert, "gina", minutes_ago=60 * 24 * 100)

    outcome = refresh_all(None)  # type: ignore[arg-type]

    old.refresh_from_db()
    assert (old.username, old.fullname, old.email, old.orgs, old.fields) == ("", "", "", [], {})
    assert old.status == "rejected" and old.personal_removed_at is not None
    assert AccessRequest.objects.get(pk=recent.pk).email == "frank@example.com"
    assert AccessRequest.objects.get(pk=waiting.pk).email == "gina@example.com"  # pending: kept
    assert "personal details of 1 old request removed" in outcome
    page = world.alice.get(reverse("access-repo", args=["model", "acme", "bert"]), {"status": "rejected"})
    assert "Details removed" in page.content.decode() and "erin" not in page.content.decode()


def test_retention_also_removes_requesters_named_in_old_feed_events_and_bulk_runs(world, alice, settings):
    from hubdash.access import decisions
    from hubdash.access.jobs import refresh_all
    from hubdash.access.models_rules import BulkItem, BulkRun
    from hubdash.activity.models import Event

    settings.HUBDASH_ACCESS_RETENTION_DAYS = 30
    bert = gated("acme/bert")
    long_ago = timezone.now() - timedelta(days=31)
    decisions._record(alice, bert, "rejected the request of erin: spam", {"requester": "erin", "reason": "spam"})
    decisions._record(alice, bert, "accepted the request of frank", {"requester": "frank"})
    old_event, recent_event = Event.objects.filter(action="access").order_by("id")
    Event.objects.filter(pk=old_event.pk).update(received_at=long_ago)
    old_run = BulkRun.objects.create(created_by=alice, status="accepted", state="done", finished_at=long_ago)
    BulkItem.objects.create(run=old_run, kind="model", repo_id="acme/bert", who="gina", user="gina", user_id="g1")
    recent_run = BulkRun.objects.create(created_by=alice, status="accepted", state="done", finished_at=timezone.now())
    BulkItem.objects.create(run=recent_run, kind="model", repo_id="acme/bert", who="hana", user="hana")
    forgotten = BulkRun.objects.create(created_by=alice, status="accepted", created_at=long_ago)  # a draft

    refresh_all(None)  # type: ignore[arg-type]

    old_event.refresh_from_db()
    assert old_event.summary == "rejected the request of a requester: spam"
    assert old_event.details == {"reason": "spam"}
    assert Event.objects.get(pk=recent_event.pk).details["requester"] == "frank"  # within the period: kept
    assert list(old_run.items.values_list("who", "user", "user_id")) == [("(details removed)", "", "")]
    assert list(recent_run.items.values_list("who", flat=True)) == ["hana"]
    assert not BulkRun.objects.filter(pk=forgotten.pk).exists()
    page = world.alice.get(reverse("access-bulk-run", args=[old_run.pk])).content.decode()
    assert "gina" not in page


def test_the_refresh_pauses_a_namespace_whose_delegate_was_deactivated(world, alice, bob):
    from hubdash.access.jobs import refresh_all
    from hubdash.jobs.delegation import take_on

    ask(gated("acme/bert"), "erin")
    take_on(bob, "access", "acme")
    bob.is_active = False
    bob.save()
    world.forget_calls()

    outcome = refresh_all(None)  # type: ignore[arg-type]

    assert "acme: paused (bob was deactivated)" in outcome
    assert world.hub_calls() == []
    page = world.alice.get(reverse("access-queue")).content.decode()
    assert "paused: bob was deactivated" in page
    assert "erin" in page  # the mirror keeps what it had


def test_refresh_now_enqueues_the_job_and_never_calls_the_hub(world):
    from hubdash.jobs.models import ScheduledRun

    world.forget_calls()
    response = world.alice.post(reverse("access-refresh"))
    assert response.status_code == 302
    assert ScheduledRun.objects.filter(job="access.refresh", state="queued").count() == 1
    assert world.hub_calls() == []


def test_refresh_now_is_for_people_who_manage_requests_and_not_again_within_a_minute(world):
    from datetime import timedelta

    from django.utils import timezone

    from hubdash.jobs.models import ScheduledRun

    refused = world.charlie.post(reverse("access-refresh"), follow=True)
    assert "Only people who may manage" in refused.content.decode()
    assert not ScheduledRun.objects.filter(job="access.refresh").exists()  # a member with no rights spends no token
    ScheduledRun.objects.create(
        job="access.refresh", period_start=timezone.now(), state="done", finished_at=timezone.now()
    )
    again = world.alice.post(reverse("access-refresh"), follow=True).content.decode()
    assert "refreshed less than a minute ago; ask again in" in again
    assert not ScheduledRun.objects.filter(job="access.refresh", state="queued").exists()
    ScheduledRun.objects.update(finished_at=timezone.now() - timedelta(minutes=2))
    world.alice.post(reverse("access-refresh"))
    assert ScheduledRun.objects.filter(job="access.refresh", state="queued").count() == 1
