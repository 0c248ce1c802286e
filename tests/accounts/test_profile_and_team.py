"""The profile (who you are on the Hub, cached, refreshable) and the Team page's permissions."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN, BOB_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db


def whoami_calls(hub) -> int:
    return len([r for r in hub.requests() if r["path"] == "/api/whoami-v2"])


@pytest.fixture
def alice_connected(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    return alice_client


def test_profile_uses_the_cached_identity_until_refreshed(hub_world, alice_connected):
    calls = whoami_calls(hub_world)
    for _ in range(3):
        assert "Alice Martin" in alice_connected.get(reverse("profile")).content.decode()
    assert whoami_calls(hub_world) == calls  # the Hub rate-limits whoami strictly
    alice_connected.post(reverse("profile-refresh"))
    assert whoami_calls(hub_world) == calls + 1


def test_htmx_refresh_swaps_only_the_identity_region(hub_world, alice_connected):
    response = alice_connected.post(reverse("profile-refresh"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and re.match(r'<[a-z]+ [^>]*\bid="identity"', html.lstrip())
    assert "<html" not in html and "Alice Martin" in html
    assert "HX-Request" in response["Vary"]


def test_a_token_revoked_on_the_hub_is_shown_as_rejected_with_a_way_back(hub_world, alice_connected, alice):
    hub_world.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    page = alice_connected.post(reverse("profile-refresh"), headers={"HX-Request": "true"}).content.decode()
    assert "rejected the token" in page and reverse("token") in page and "Reconnect" in page
    assert HubToken.objects.get(user=alice).rejected_at is not None
    team = alice_connected.get(reverse("team")).content.decode()
    assert "rejected" in team


def test_hub_outage_on_profile_shows_an_error_in_the_region_and_keeps_the_page(hub_world, alice_connected):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=502)
    response = alice_connected.post(reverse("profile-refresh"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "trouble" in response.content.decode()
    page = alice_connected.get(reverse("profile"))
    assert page.status_code == 200 and "hf_…" in page.content.decode()


def test_refresh_without_htmx_says_when_the_hub_failed(hub_world, alice_connected):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=502)
    response = alice_connected.post(reverse("profile-refresh"), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("profile"), 302)]
    assert "Not refreshed" in page and "trouble" in page and "Refreshed from the Hub" not in page
    assert "Alice Martin" in page  # the identity from the last check, said to be so


def test_rate_limited_whoami_says_when_to_retry(hub_world, alice_connected):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=429, retry_after=42)
    page = alice_connected.post(reverse("profile-refresh"), headers={"HX-Request": "true"}).content.decode()
    assert "rate-limiting" in page and "42 s" in page


def test_person_without_token_is_invited_to_connect(hub_world, charlie_client):
    page = charlie_client.get(reverse("profile")).content.decode()
    assert "not connected a Hub token" in page and reverse("token") in page
    assert not hub_world.requests()


def test_team_page_for_admins_has_controls_and_never_tokens(hub_world, alice_connected, bob_client, charlie):
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    page = alice_connected.get(reverse("team")).content.decode()
    for name in ("alice", "bob", "charlie"):
        assert name in page
    assert "Set role" in page and "Deactivate" in page and "Add person" in page
    assert ALICE_TOKEN not in page and BOB_TOKEN not in page
    assert "valid" in page and "none" in page and "read" in page


def test_members_see_the_team_without_controls_and_cannot_post(hub_world, bob_client, charlie):
    page = bob_client.get(reverse("team")).content.decode()
    assert "charlie" in page and "Set role" not in page and "Add person" not in page
    assert bob_client.post(reverse("team-role", args=[charlie.pk]), {"role": "admin"}).status_code == 403
    assert bob_client.post(reverse("team-active", args=[charlie.pk]), {}).status_code == 403
    assert (
        bob_client.post(
            reverse("team-add"), {"username": "mallory", "password1": PASSWORD, "password2": PASSWORD, "role": "admin"}
        ).status_code
        == 403
    )
    assert not User.objects.filter(username="mallory").exists()
    charlie.refresh_from_db()
    assert not charlie.is_superuser and charlie.is_active


def test_admin_adds_people_changes_roles_and_deactivates(alice_client, alice):
    response = alice_client.post(
        reverse("team-add"), {"username": "dana", "password1": PASSWORD, "password2": PASSWORD, "role": "member"}
    )
    assert response.status_code == 302
    dana = User.objects.get(username="dana")
    assert not dana.is_superuser and dana.check_password(PASSWORD)
    alice_client.post(reverse("team-role", args=[dana.pk]), {"role": "admin"})
    dana.refresh_from_db()
    assert dana.is_superuser and dana.is_staff
    alice_client.post(reverse("team-active", args=[dana.pk]), {})
    dana.refresh_from_db()
    assert not dana.is_active
    alice_client.post(reverse("team-active", args=[dana.pk]), {"active": "on"})
    dana.refresh_from_db()
    assert dana.is_active


def test_add_person_with_bad_input_keeps_what_was_typed(alice_client):
    response = alice_client.post(
        reverse("team-add"), {"username": "erin", "password1": "short", "password2": "short", "role": "member"}
    )
    assert response.status_code == 400 and b'value="erin"' in response.content
    assert not User.objects.filter(username="erin").exists()
    taken = alice_client.post(
        reverse("team-add"), {"username": "alice", "password1": PASSWORD, "password2": PASSWORD, "role": "member"}
    )
    assert taken.status_code == 400 and b"already exists" in taken.content


def test_the_last_admin_cannot_be_demoted_or_deactivated(alice_client, alice):
    alice_client.post(reverse("team-role", args=[alice.pk]), {"role": "member"})
    alice_client.post(reverse("team-active", args=[alice.pk]), {})
    alice.refresh_from_db()
    assert alice.is_superuser and alice.is_active
    assert "at least one active admin" in alice_client.get(reverse("team")).content.decode()


def test_deactivated_member_loses_access_at_once(alice_client, bob, bob_client):
    alice_client.post(reverse("team-active", args=[bob.pk]), {})
    assert bob_client.get(reverse("profile")).status_code == 302


def test_team_shows_last_activity(alice_client, bob_client):
    bob_client.get(reverse("profile"))
    page = alice_client.get(reverse("team")).content.decode()
    assert "never" not in page.split("bob", 1)[1].split("</tr>", 1)[0]


def test_unknown_team_member_is_a_404(alice_client):
    assert alice_client.post(reverse("team-role", args=[9999]), {"role": "admin"}).status_code == 404


@pytest.mark.long
def test_a_slow_hub_cannot_take_every_thread(hub_world, bob_client, settings):
    """With every Hub slot taken by a slow call, another Hub call fails fast; other pages still work."""
    import threading
    import time

    from hubdash.hub import HubClient

    settings.HUB_CONCURRENCY = 1
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    hub_world.fault(method="GET", path="/api/whoami-v2", delay_s=4, times=1)
    slow = threading.Thread(target=lambda: HubClient(ALICE_TOKEN).whoami())  # holds the only slot for 4 s
    slow.start()
    try:
        time.sleep(0.5)
        started = time.perf_counter()
        page = bob_client.post(reverse("profile-refresh"), headers={"HX-Request": "true"}).content.decode()
        assert "busy talking to the Hub" in page and time.perf_counter() - started < 3.5
        assert bob_client.get(reverse("team")).status_code == 200  # no Hub needed: unaffected
    finally:
        slow.join()
