"""The token page and the profile, mended: what a new user trips on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hubdash.activity.models import Event
from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db


def test_replace_and_remove_forms_have_their_own_field_ids_and_the_token_field_has_focus(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    page = alice_client.get(reverse("token")).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert 'id="id_password"' in page and 'id="remove_password"' in page
    assert re.search(r'<input[^>]*name="token"[^>]*autofocus', page)


def test_the_token_page_links_to_where_the_hub_makes_tokens(hub_world, alice_client):
    page = alice_client.get(reverse("token")).content.decode()
    assert f'href="{hub_world.url}/settings/tokens"' in page


@pytest.mark.parametrize("value", ["ghp_0123456789abcdefghij", "hf_short", "hf_has-dashes-0123456789", "Bearer hf_x"])
def test_what_cannot_be_a_hub_token_is_refused_before_it_is_sent(hub_world, alice_client, value):
    response = alice_client.post(reverse("token"), {"token": value})
    assert response.status_code == 400 and "cannot be a Hub access token" in response.content.decode()
    assert not hub_world.requests()


def test_an_unreachable_hub_and_a_slow_one_are_told_apart(hub_world, alice_client, settings):
    from hubdash.hub import transport

    hub_world.fault(method="GET", path="/api/whoami-v2", hang=True)
    settings.HUB_READ_TIMEOUT = 0.5
    transport.install()
    try:
        slow = alice_client.post(reverse("token"), {"token": ALICE_TOKEN}).content.decode()
    finally:
        settings.HUB_READ_TIMEOUT = 10
        transport.install()
    assert "did not answer in time" in slow
    settings.HF_ENDPOINT = "http://127.0.0.1:9"  # nothing listens there
    unreachable = alice_client.post(reverse("token"), {"token": ALICE_TOKEN}).content.decode()
    assert "cannot reach the Hub" in unreachable and "did not answer in time" not in unreachable


def test_connecting_replacing_and_removing_a_token_are_on_record(hub_world, alice_client, alice):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN, "password": PASSWORD})
    alice_client.post(reverse("token-remove"), {"password": PASSWORD})
    summaries = list(Event.objects.filter(member=alice).order_by("pk").values_list("summary", flat=True))
    assert summaries == ["connected a Hub token", "replaced their Hub token", "removed their Hub token"]
    assert not HubToken.objects.filter(user=alice).exists()


def test_a_failed_refresh_keeps_the_last_identity_marked_stale_and_a_good_one_says_so(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    good = alice_client.post(reverse("profile-refresh"), headers={"HX-Request": "true"}).content.decode()
    assert "Refreshed from the Hub just now" in good and "Alice Martin" in good
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503)
    failed = alice_client.post(reverse("profile-refresh"), headers={"HX-Request": "true"}).content.decode()
    assert "Stale" in failed and "Alice Martin" in failed and "trouble" in failed
    assert "Refreshed from the Hub just now" not in failed


def test_a_slow_whoami_does_not_write_back_a_token_replaced_meanwhile(hub_world, alice, bob):
    """identity_for saves only what whoami says: the token columns stay as a concurrent replace left them."""
    from hubdash import hub
    from tests.personas import FINE_TOKEN

    hub.connect_token(alice, ALICE_TOKEN)
    stale_user = type(alice).objects.get(pk=alice.pk)
    hub.token_status(stale_user)  # loads (and caches) the row as it is now, with the write token
    hub.connect_token(type(alice).objects.get(pk=alice.pk), FINE_TOKEN)  # replaced meanwhile
    hub.identity_for(stale_user, refresh=True)  # the old row's whoami comes back late
    row = HubToken.objects.get(user=alice)
    assert row.last4 == FINE_TOKEN[-4:]


def test_a_token_the_hub_rejects_is_explained_in_hubdashs_words_then_the_hubs(hub_world, alice_client):
    response = alice_client.post(reverse("token"), {"token": "hf_revoked_or_mistyped_0123456789"})
    error = response.content.decode().split('<p class="error" role="alert">', 1)[1].split("</p>", 1)[0]
    assert response.status_code == 400
    ours, hubs = error.split("(", 1)
    assert ours.startswith("The Hub does not accept this token: check that it was copied whole")
    assert "Invalid credentials" in hubs  # the Hub's own text, after


def test_a_stored_token_the_hub_now_rejects_says_so_on_the_token_page(hub_world, alice_client):
    from django.utils import timezone

    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    HubToken.objects.update(rejected_at=timezone.now())
    page = alice_client.get(reverse("token")).content.decode()
    assert "The Hub no longer accepts this token: it was revoked or has expired." in page
