"""Changes to people on the Team page: confirmed first, on record with who made them, and offboarding that
leaves no working credential; locked-out sign-ins that admins can lift."""

from __future__ import annotations

from html import unescape

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hubdash import hub
from hubdash.activity.models import Event
from tests.personas import BOB_TOKEN, PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def token_of(person: User) -> hub.TokenStatus | None:
    return hub.token_status(User.objects.get(pk=person.pk))  # read afresh, not the instance's cached row


def changes(person: User) -> list[tuple[str, str]]:
    rows = Event.objects.filter(action="team", subject_member=person).order_by("id")
    return [(event.details["change"], event.details["by"]) for event in rows]


@pytest.mark.parametrize(
    ("url_name", "button"),
    [("team-role", "Set role"), ("team-active", "Deactivate bob"), ("team-password-reset", "Make the link")],
)
def test_each_change_asks_for_confirmation_first_and_a_get_changes_nothing(alice_client, bob, url_name, button):
    page = alice_client.get(reverse(url_name, args=[bob.pk]))
    assert page.status_code == 200 and button in page.content.decode()
    assert 'method="post"' in page.content.decode()
    bob.refresh_from_db()
    assert bob.is_active and not bob.is_superuser and changes(bob) == []


def test_the_team_page_links_to_the_confirmations(alice_client, bob):
    page = alice_client.get(reverse("team")).content.decode()
    for url_name in ("team-role", "team-active", "team-password-reset"):
        assert f'href="{reverse(url_name, args=[bob.pk])}"' in page


def test_a_role_change_is_on_record_with_who_made_it(alice_client, bob):
    alice_client.post(reverse("team-role", args=[bob.pk]), {"role": "admin"})
    alice_client.post(reverse("team-role", args=[bob.pk]), {"role": "admin"})  # no change: nothing recorded
    alice_client.post(reverse("team-role", args=[bob.pk]), {"role": "member"})
    assert changes(bob) == [("role changed", "alice"), ("role changed", "alice")]
    page = alice_client.get(reverse("team")).content.decode()
    row = page.split(f'id="person-{bob.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "role set to member by alice" in row and "role set to admin by alice" in row


def test_deactivation_ends_every_session_at_once_and_removes_the_hub_token(hub_world, alice_client, bob):
    laptop, phone = Client(), Client()
    assert sign_in(laptop, "bob", PASSWORD) == 302 and sign_in(phone, "bob", PASSWORD) == 302
    assert laptop.post(reverse("token"), {"token": BOB_TOKEN}).status_code == 302
    assert token_of(bob) is not None
    response = alice_client.post(reverse("team-active", args=[bob.pk]), {})
    assert response.status_code == 302
    assert token_of(bob) is None
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(bob.pk)]
    # Reactivated, the old sessions do not come back: bob signs in again and connects a token again.
    alice_client.post(reverse("team-active", args=[bob.pk]), {"active": "on"})
    for browser in (laptop, phone):
        answer = browser.get(reverse("profile"))
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    assert changes(bob) == [("token connected", "bob"), ("deactivated", "alice"), ("reactivated", "alice")]
    assert "Hub token removed" in Event.objects.filter(subject_member=bob, details__change="deactivated").get().summary


def test_an_admin_removes_someones_token_after_confirming(hub_world, alice_client, bob, bob_client):
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    confirm = alice_client.get(reverse("team-token-remove", args=[bob.pk]))
    assert confirm.status_code == 200 and "Remove the token" in confirm.content.decode()
    assert BOB_TOKEN not in confirm.content.decode()
    assert token_of(bob) is not None  # the confirmation page changed nothing
    assert alice_client.post(reverse("team-token-remove", args=[bob.pk])).status_code == 302
    assert token_of(bob) is None
    assert changes(bob) == [("token connected", "bob"), ("token removed", "alice")]


def test_members_cannot_change_others(bob_client, charlie):
    for url_name in ("team-token-remove", "team-active", "team-role"):
        assert bob_client.get(reverse(url_name, args=[charlie.pk])).status_code == 403
        assert bob_client.post(reverse(url_name, args=[charlie.pk]), {"role": "admin"}).status_code == 403
    assert bob_client.post(reverse("team-unlock"), {"address": "127.0.0.1"}).status_code == 403
    charlie.refresh_from_db()
    assert charlie.is_active and not charlie.is_superuser


def test_admins_see_locked_out_sign_ins_and_unlock_them(alice_client, charlie, settings):
    office = Client(REMOTE_ADDR="198.51.100.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(office, "charlie", "guess")
    assert sign_in(office, "charlie", PASSWORD) == 429
    page = alice_client.get(reverse("team")).content.decode()
    assert "Unlock charlie" in page and "198.51.100.9" in page
    attempt = page.split('name="attempt" value="', 1)[1].split('"', 1)[0]
    assert alice_client.post(reverse("team-unlock"), {"attempt": attempt}).status_code == 302
    assert "No sign-in is locked out" in alice_client.get(reverse("team")).content.decode()
    assert sign_in(office, "charlie", PASSWORD) == 302
    assert changes(charlie) == [("unlocked", "alice")]


def test_admins_unpause_an_address(alice_client, alice, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    office = Client(REMOTE_ADDR="198.51.100.10")
    for name in ("ann", "ben", "cat"):
        sign_in(office, name, "guess")
    assert sign_in(office, "dan", "guess") == 429
    page = alice_client.get(reverse("team")).content.decode()
    assert "Unlock 198.51.100.10" in page
    assert alice_client.post(reverse("team-unlock"), {"address": "198.51.100.10"}).status_code == 302
    assert sign_in(office, "alice", PASSWORD) == 302
    assert [e.details["by"] for e in Event.objects.filter(details__change="unlocked")] == ["alice"]


def test_unlocking_a_lock_already_lifted_says_so(alice_client):
    response = alice_client.post(reverse("team-unlock"), {"attempt": "9999"}, follow=True)
    assert "already lifted" in response.content.decode()
    nothing = alice_client.post(reverse("team-unlock"), {}, follow=True)
    assert "Choose a lock" in nothing.content.decode()


def test_the_team_page_costs_the_same_queries_for_3_or_60_people_and_calls_no_hub(alice, hub_world):
    from tests.personas import ALICE_TOKEN

    admin = signed_in(alice)
    admin.post(reverse("token"), {"token": ALICE_TOKEN})
    admin.get(reverse("profile"))
    hub_calls = len(hub_world.requests())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(reverse("team")).status_code == 200
        return len(captured)

    for name in ("ann", "ben"):
        User.objects.create_user(name)
    for person in User.objects.all():
        for n in range(5):
            Event.objects.create(source="hubdash", action="team", summary=f"change {n}", subject_member=person)
    small = queries()
    for n in range(57):
        person = User.objects.create_user(f"person{n:02}")
        for k in range(5):
            Event.objects.create(source="hubdash", action="team", summary=f"change {k}", subject_member=person)
    page = admin.get(reverse("team")).content.decode()
    assert page.count("change 4") == 60 and "change 1" not in page  # three latest each
    assert queries() == small
    assert len(hub_world.requests()) == hub_calls


def test_team_rows_show_what_they_are_given_as_text_never_as_markup(hub_world, alice_client, bob):
    from hubdash.hub.models import HubToken

    hostile = '<img src=x onerror="alert(1)">'
    hub.connect_token(bob, BOB_TOKEN)
    HubToken.objects.filter(user=bob).update(hub_username=hostile)  # as a Hub could name someone
    Event.objects.create(source="hubdash", action="team", summary=hostile, subject_member=bob)
    page = alice_client.get(reverse("team")).content.decode()
    row = page.split(f'id="person-{bob.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<img" not in row
    assert unescape(row).count(hostile) == 2  # the Hub name and the change, shown as the text they are
