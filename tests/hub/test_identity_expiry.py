"""The cached whoami answer holds for HUBDASH_WHOAMI_CACHE_SECONDS, judged from when the Hub gave it (a time
stored in the entry): an older one, or none, is read again with exactly one whoami, and the Hub's
failure to answer is an error, never "no organisations"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from hubdash import hub
from hubdash.hub.tokens import _cache_key
from tests.personas import ALICE_TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def whoamis(hub_world) -> int:
    return len([r for r in hub_world.requests() if r["path"] == "/api/whoami-v2"])


def next_request(user: User) -> User:
    """The person as the next request loads them (nothing remembered on the object)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def connected(hub_world, alice):
    hub.connect_token(alice, ALICE_TOKEN)
    hub_world.control("DELETE", "requests")
    return alice


def test_an_answer_older_than_the_period_leads_to_exactly_one_whoami(hub_world, connected, settings):
    key = _cache_key(ALICE_TOKEN)
    answered_at, identity = cache.get(key)
    # Still held by the cache (copied at a renewal, or kept by a backend that expires later), but older.
    cache.set(key, (answered_at - settings.WHOAMI_CACHE_SECONDS - 1, identity), 3600)
    person = next_request(connected)
    assert hub.cached_identity(person) is None  # the account menu never asks the Hub
    found = hub.current_identity(person)
    assert found is not None and {org.name for org in found.orgs} == {"acme", "datalab"}
    assert hub.current_identity(person) == found  # the same request asks once
    assert hub.current_identity(next_request(connected)) == found  # and the next pages share the answer
    assert hub.cached_identity(next_request(connected)) == found
    assert whoamis(hub_world) == 1


def test_an_answer_within_the_period_costs_no_whoami(hub_world, connected):
    assert hub.current_identity(next_request(connected)).name == "alice"
    assert whoamis(hub_world) == 0


def test_a_hub_that_cannot_answer_is_an_error_asked_once_per_request(hub_world, connected):
    cache.delete(_cache_key(ALICE_TOKEN))
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503)
    person = next_request(connected)
    for _ in range(2):
        with pytest.raises(hub.HubUnavailable):
            hub.current_identity(person)
    assert whoamis(hub_world) == 1


def test_no_token_or_a_rejected_one_needs_no_whoami(hub_world, connected, charlie):
    assert hub.current_identity(charlie) is None
    hub_world.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    cache.delete(_cache_key(ALICE_TOKEN))
    assert hub.current_identity(next_request(connected)) is None  # the Hub refuses it: marked rejected
    assert hub.current_identity(next_request(connected)) is None
    assert whoamis(hub_world) == 1
