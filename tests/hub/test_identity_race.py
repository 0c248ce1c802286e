"""A slow whoami answers for the token it was asked about: if the person replaces or removes their token while
the Hub takes its time, the answer about the old token must not land on the new one (its role, scopes and the
last identity the profile shows), nor bring back a removed one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connections

from hubdash import hub
from hubdash.hub.models import HubToken
from hubdash.hub.tokens import _cache_key
from tests.personas import ALICE_TOKEN, FINE_TOKEN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]

SLOW_S = 3.0  # long enough for the replacement to be stored well before the Hub answers


def while_whoami_is_in_flight(hub_world, alice: User, change: Callable[[], None]) -> list[object]:
    """Ask who alice is (her write token, nothing cached) with the Hub slow to answer; `change` runs once the
    question has reached the Hub and is done before the answer comes back."""
    cache.delete(_cache_key(ALICE_TOKEN))
    hub_world.fault(method="GET", path="/api/whoami-v2", delay_s=SLOW_S, times=1)
    outcome: list[object] = []

    def ask() -> None:
        try:
            outcome.append(hub.identity_for(User.objects.get(pk=alice.pk)))
        except Exception as err:  # the test reports whatever came out
            outcome.append(err)
        finally:
            connections.close_all()  # this thread's own connection

    asking = threading.Thread(target=ask)
    asking.start()
    deadline = time.monotonic() + 10
    while hub_world.control("GET", "faults") and time.monotonic() < deadline:  # the fault is used up on arrival
        time.sleep(0.02)
    assert not hub_world.control("GET", "faults"), "whoami never reached the Hub"
    change()
    assert asking.is_alive(), "the Hub answered before the change was made: the race was not run"
    asking.join(timeout=20)
    return outcome


def test_a_token_replaced_during_a_slow_whoami_keeps_its_own_facts(hub_world, alice):
    hub.connect_token(alice, ALICE_TOKEN)

    outcome = while_whoami_is_in_flight(
        hub_world, alice, lambda: hub.connect_token(User.objects.get(pk=alice.pk), FINE_TOKEN)
    )

    assert len(outcome) == 1 and isinstance(outcome[0], hub.HubIdentity)  # the slow page got its answer
    assert outcome[0].token_role == "write"
    row = HubToken.objects.get(user=alice)
    assert (row.last4, row.role) == (FINE_TOKEN[-4:], "fineGrained")
    assert [scope["name"] for scope in row.scopes] == ["acme"]
    person = User.objects.get(pk=alice.pk)
    assert hub.token_status(person).role == "fineGrained"
    assert hub.current_identity(person).token_role == "fineGrained"
    assert hub.last_known_identity(person).token_role == "fineGrained"  # what the profile falls back on


def test_a_token_removed_during_a_slow_whoami_stays_removed(hub_world, alice):
    hub.connect_token(alice, ALICE_TOKEN)

    outcome = while_whoami_is_in_flight(hub_world, alice, lambda: hub.remove_token(User.objects.get(pk=alice.pk)))

    assert len(outcome) == 1 and isinstance(outcome[0], hub.HubIdentity)  # no error for the slow page
    assert not HubToken.objects.filter(user=alice).exists()
    person = User.objects.get(pk=alice.pk)
    assert hub.token_status(person) is None
    assert hub.last_known_identity(person) is None
