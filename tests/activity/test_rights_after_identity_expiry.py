"""An organisation's private events stay visible to its people when the cached Hub identity expires (the
feed asks whoami once), and a Hub that cannot say which organisations they are in is a 503, not a 404.

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
    assert bob.get(FEED).status_code == 503
    assert bob.get(reverse("activity-export-json")).status_code == 503
