"""Retention: `prune_activity` removes the events older than HUBDASH_ACTIVITY_RETENTION_DAYS, no others."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hubdash.activity import record
from hubdash.activity.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def test_old_events_are_removed_and_recent_ones_kept(settings):
    settings.ACTIVITY_RETENTION_DAYS = 30
    old = [record(action="team", summary=f"old {i}") for i in range(3)]
    recent = record(action="team", summary="recent")
    Event.objects.filter(pk__in=[e.pk for e in old]).update(received_at=timezone.now() - timedelta(days=31))
    out = StringIO()
    call_command("prune_activity", stdout=out)
    assert list(Event.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "Removed 3 activity events older than 30 days." in out.getvalue()


def test_record_refuses_an_unknown_action():
    with pytest.raises(ValueError, match="unknown activity action"):
        record(action="explode", summary="x")


def test_a_secret_made_with_the_command_is_accepted_until_it_is_retired(settings):
    from tests.activity.conftest import deliver

    settings.WEBHOOK_SECRETS = []
    out = StringIO()
    call_command("webhook_secret", "create", "staging webhook", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    assert deliver({"add": "acme/one"}, secret=secret).status == 201
    listing = StringIO()
    call_command("webhook_secret", "list", stdout=listing)
    assert secret not in listing.getvalue() and "active\tstaging webhook" in listing.getvalue()
    row_id = listing.getvalue().split("\t", 1)[0]
    call_command("webhook_secret", "retire", row_id, stdout=StringIO())
    assert deliver({"add": "acme/two"}, secret=secret).status == 401
