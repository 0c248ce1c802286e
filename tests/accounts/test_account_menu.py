"""The account menu's data (`hub_account` in every template): right for each persona, and free of Hub calls."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubdash.accounts.context_processors import hub_account
from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN, signed_in

pytestmark = pytest.mark.django_db


def whoami_calls(hub_world) -> int:
    return len([r for r in hub_world.requests() if r["path"] == "/api/whoami-v2"])


def menu_of(client: Client):
    response = client.get(reverse("team"))
    assert response.status_code == 200
    return response.context["hub_account"]


def test_signed_out_pages_have_no_account(alice):
    response = Client().get(reverse("login"))
    assert response.status_code == 200 and response.context["hub_account"] is None


def test_a_person_without_a_token_sees_none(hub_world, charlie_client):
    menu = menu_of(charlie_client)
    assert (menu.hub_name, menu.avatar_url, menu.token_state, menu.last4) == (None, None, "none", None)
    assert not hub_world.requests()


def test_a_connected_person_gets_their_hub_name_from_the_cached_whoami_without_a_hub_call(
    hub_world, alice_client, alice
):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    HubToken.objects.filter(user=alice).update(hub_username="name-when-last-stored")
    calls = whoami_calls(hub_world)
    menu = menu_of(alice_client)
    assert (menu.hub_name, menu.token_state, menu.last4) == ("alice", "valid", ALICE_TOKEN[-4:])
    assert menu.avatar_url is None  # hubsim serves avatars over http, and only https ones are shown
    assert whoami_calls(hub_world) == calls


def test_with_whoami_no_longer_cached_the_stored_name_stands_in(hub_world, alice_client, alice):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    HubToken.objects.filter(user=alice).update(hub_username="name-when-last-stored")
    cache.clear()
    calls = whoami_calls(hub_world)
    menu = menu_of(alice_client)
    assert (menu.hub_name, menu.avatar_url, menu.token_state) == ("name-when-last-stored", None, "valid")
    assert whoami_calls(hub_world) == calls


def test_a_token_the_hub_rejected_shows_as_rejected(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    hub_world.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    alice_client.post(reverse("profile-refresh"))
    assert menu_of(alice_client).token_state == "rejected"


def test_it_costs_nothing_until_read_then_one_query(hub_world, alice):
    signed_in(alice).post(reverse("token"), {"token": ALICE_TOKEN})
    request = RequestFactory().get("/")
    request.user = type(alice).objects.get(pk=alice.pk)
    with CaptureQueriesContext(connection) as queries:
        menu = hub_account(request)["hub_account"]
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        assert menu.hub_name == "alice" and menu.token_state == "valid"
    assert len(queries) == 1
