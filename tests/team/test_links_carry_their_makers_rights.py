"""A one-time link carries no more than its maker holds when it is used: an invitation is void once its
maker was deactivated and gives at most member rights once they were demoted; a reset link stops working
once its maker was deactivated or demoted, and once its person was deactivated (even if reactivated since).
Pages behind such links send no Referer, and their token leaves the address at once."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hubdash.activity.models import Event
from tests.personas import PASSWORD, signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def dave(alice):
    """A second admin, who makes the links and whom alice later demotes or deactivates."""
    return User.objects.create_superuser("dave", "dave@example.com", PASSWORD)


def shown(response, element_id: str) -> str:
    assert response.status_code == 200, response.content.decode()
    match = re.search(rf'id="{element_id}" readonly value="([^"]+)"', response.content.decode())
    assert match, f"{element_id} is shown to copy"
    return match.group(1)


def invite(maker: User, role: str) -> str:
    return shown(signed_in(maker).post(reverse("team-invite"), {"role": role, "valid_days": "7"}), "invitation-link")


def reset_link(maker: User, person: User) -> str:
    return shown(signed_in(maker).post(reverse("team-password-reset", args=[person.pk])), "reset-link")


def demote(admin_client: Client, person: User) -> None:
    assert admin_client.post(reverse("team-role", args=[person.pk]), {"role": "member"}).status_code == 302
    person.refresh_from_db()
    assert not person.is_superuser


def set_active(admin_client: Client, person: User, active: bool) -> None:
    data = {"active": "on"} if active else {}
    assert admin_client.post(reverse("team-active", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.is_active == active


def join(browser: Client, username: str = "erin"):
    data = {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    return browser.post(reverse("invitation-accept"), data)


# -- invitations -----------------------------------------------------------------------------------


def test_an_admin_invitation_from_a_demoted_maker_says_it_gives_member_rights_and_does(alice_client, dave):
    link = invite(dave, "admin")
    demote(alice_client, dave)
    team = alice_client.get(reverse("team")).content.decode()
    pending = team.split('id="pending-invitations"', 1)[1].split("</ul>", 1)[0]
    assert "member (made as admin; its maker is no longer an admin)" in pending
    browser = Client()
    assert browser.get(link)["Location"] == reverse("invitation-accept")
    page = browser.get(reverse("invitation-accept")).content.decode()
    assert "as a <strong>member</strong>" in page and "dave is no longer an admin" in page  # before any password
    assert join(browser).status_code == 302
    erin = User.objects.get(username="erin")
    assert not erin.is_superuser and not erin.is_staff
    assert Event.objects.filter(member=erin, details__change="joined", details__role="member").exists()


def test_a_member_invitation_from_a_demoted_maker_still_works(alice_client, dave):
    link = invite(dave, "member")
    demote(alice_client, dave)
    browser = Client()
    browser.get(link)
    assert "dave is no longer an admin" not in browser.get(reverse("invitation-accept")).content.decode()
    assert join(browser).status_code == 302 and not User.objects.get(username="erin").is_superuser


def test_an_invitation_from_a_deactivated_maker_is_void_even_after_reactivation(alice_client, dave):
    link = invite(dave, "admin")
    opened_before = Client()
    opened_before.get(link)  # the form is open when dave is deactivated
    set_active(alice_client, dave, False)
    response = Client().get(link)
    assert response.status_code == 410 and "the admin who made it was deactivated" in response.content.decode()
    assert 'id="pending-invitations"' not in alice_client.get(reverse("team")).content.decode()
    late = join(opened_before)
    assert late.status_code == 410 and not User.objects.filter(username="erin").exists()
    set_active(alice_client, dave, True)
    assert Client().get(link).status_code == 410
    assert not User.objects.filter(username="erin").exists()
    # An invitation dave makes after coming back works.
    browser = Client()
    browser.get(invite(dave, "member"))
    assert join(browser).status_code == 302


# -- reset links -----------------------------------------------------------------------------------


def test_a_reset_link_from_a_maker_deactivated_since_no_longer_works(alice_client, dave, bob):
    link = reset_link(dave, bob)
    set_active(alice_client, dave, False)
    dead = Client().get(link)
    assert dead.status_code == 410 and "Reset link not valid" in dead.content.decode()
    set_active(alice_client, dave, True)
    assert Client().get(link).status_code == 410


def test_a_reset_link_from_a_demoted_maker_no_longer_works(alice_client, dave, bob):
    link = reset_link(dave, bob)
    demote(alice_client, dave)
    assert Client().get(link).status_code == 410


def test_a_reset_link_made_before_a_deactivation_does_not_work_after_reactivation(alice_client, alice, bob):
    link = reset_link(alice, bob)
    set_active(alice_client, bob, False)
    set_active(alice_client, bob, True)
    assert Client().get(link).status_code == 410
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)
    fresh = Client().get(reset_link(alice, bob))  # one made after the reactivation works
    assert fresh.status_code == 302 and "set-password" in fresh["Location"]


def test_a_reset_link_sent_before_links_named_their_maker_still_works(alice, bob):
    uid = urlsafe_base64_encode(force_bytes(bob.pk))
    link = reverse("password-reset", args=[uid, default_token_generator.make_token(bob)])
    browser = Client()
    opened = browser.get(link)
    assert opened.status_code == 302 and "set-password" in opened["Location"]
    done = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("profile")


# -- tokens out of addresses and headers -----------------------------------------------------------


def test_answers_at_a_one_time_links_address_send_no_referer(alice, bob):
    browser = Client()
    opened = browser.get(invite(alice, "member"))
    assert opened["Location"] == reverse("invitation-accept") and opened["Referrer-Policy"] == "no-referrer"
    # The token-less page keeps the site's policy: its form's Origin must not become "null".
    assert browser.get(opened["Location"])["Referrer-Policy"] == "same-origin"
    unknown = Client().get(reverse("invitation", args=["not-a-real-token"]))
    assert unknown.status_code == 404 and unknown["Referrer-Policy"] == "no-referrer"
    link = reset_link(alice, bob)
    token = link.rstrip("/").rsplit("/", 1)[1]
    opened = browser.get(link)
    assert token not in opened["Location"]  # the token leaves the address at once, kept in the session
    form = browser.get(opened["Location"])
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    assert opened["Referrer-Policy"] == "no-referrer" and form["Referrer-Policy"] == "same-origin"
    tampered = Client().get(link[:-4] + "abc/")
    assert tampered.status_code == 410 and tampered["Referrer-Policy"] == "no-referrer"
