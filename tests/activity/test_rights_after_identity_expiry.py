"""An organisation's private events stay visible to its people when the cached Hub identity expires (the
feed asks whoami once). A Hub that cannot say which organisations they are in is a 503 for the event
page and the export, not a 404; the feed shows what surely is theirs to see and says what it left out.

bob is a member of acme on hubsim (not a hubdash admin); the cache entry is deleted as expiry would.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from hubdash.activity.models import Event
from hubdash.hub.tokens import _cache_key
from tests.activity.conftest import deliver, shown, v3
from tests.personas import BOB_TOKEN

pytestmark = pytest.mark.backend

FEED = "/activity/"


@pytest.fixture
def acme_private(secrets, people, hub_world) -> Event:
    event = Event.objects.get(pk=deliver(v3("repo", "create", repo="acme/secret", private=True)).body["event"])
    cache.delete(_cache_key(BOB_TOKEN))  # the identity cache period passed without Home or Profile
    hub_world.control("DELETE", "requests")
    return event


def whoamis(hub) -> int:
    return len([r for r in hub.requests() if r["path"] == "/api/whoami-v2"])


def test_an_organisations_private_events_stay_in_the_feed_after_the_identity_expires(people, acme_private, hub_world):
    _, bob, _ = people
    assert acme_private.pk in shown(bob.get(FEED))
    assert bob.get(reverse("activity-event", args=[acme_private.pk])).status_code == 200
    assert "acme/secret" in bob.get(reverse("activity-export-csv")).getvalue().decode()
    assert whoamis(hub_world) == 1  # asked once, then shared by the pages after it


def test_a_repo_pages_activity_keeps_the_organisations_private_events(people, acme_private, hub_world):
    _, bob, _ = people
    hub_world.add_repo("acme/secret", private=True)
    page = bob.get("/models/acme/secret/")
    assert page.status_code == 200 and f'data-event="{acme_private.pk}"' in page.content.decode()


def test_a_hub_that_cannot_say_who_you_are_is_a_503_not_a_404(people, acme_private, hub_world):
    _, bob, _ = people
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503)
    event_page = bob.get(reverse("activity-event", args=[acme_private.pk]))
    assert event_page.status_code == 503 and "The Hub is not answering" in event_page.content.decode()
    assert bob.get(reverse("activity-export-json")).status_code == 503


def test_while_the_hub_cannot_say_who_you_are_the_feed_shows_what_is_surely_yours(people, acme_private, hub_world):
    _, bob, _ = people
    public = Event.objects.get(pk=deliver(v3("repo", "create", repo="acme/open")).body["event"])
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503)
    feed = bob.get(FEED)
    assert feed.status_code == 200
    assert public.pk in shown(feed) and acme_private.pk not in shown(feed)
    text = feed.content.decode()
    assert "private events are left out for now" in text and "The Hub is having trouble (HTTP 503)" in text
    # A public event's own page still opens.
    assert bob.get(reverse("activity-event", args=[public.pk])).status_code == 200
