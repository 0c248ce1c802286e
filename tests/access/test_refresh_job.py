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
