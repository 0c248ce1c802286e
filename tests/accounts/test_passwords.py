"""Passwords people manage themselves: changing your own, and a reset link an admin makes (never a password)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hubdash.activity.models import Event
from tests.personas import PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_password_hashing")]

NEW_PASSWORD = "another-long-passphrase-77"


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def field_block(html: str, name: str) -> str:
    """The markup of one form field: its label, input, help and errors."""
    return html.split(f'for="id_{name}"', 1)[1].split('<div class="field', 1)[0]


def test_changing_your_password_keeps_you_signed_in_and_signs_out_your_other_browsers(bob):
    here, elsewhere = Client(), Client()
    assert sign_in(here, "bob", PASSWORD) == 302 and sign_in(elsewhere, "bob", PASSWORD) == 302
    response = here.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert "Your password is changed" in here.get(reverse("profile")).content.decode()
    assert elsewhere.get(reverse("profile")).status_code == 302  # to sign-in
    assert sign_in(Client(), "bob", PASSWORD) != 302 and sign_in(Client(), "bob", NEW_PASSWORD) == 302
    event = Event.objects.get(action="team", details__change="password changed")
    assert event.member == bob and event.details["by"] == "bob"


def test_password_errors_appear_under_the_field_they_concern(bob_client, bob):
    wrong_old = bob_client.post(
        reverse("password-change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong_old.status_code == 400
    assert "not your current password" in field_block(wrong_old.content.decode(), "old_password")
    weak = bob_client.post(
        reverse("password-change"), {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    page = weak.content.decode()
    assert weak.status_code == 400 and "too short" in field_block(page, "new_password1")
    assert "too short" not in field_block(page, "new_password2")
    mismatch = bob_client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"},
    )
    assert mismatch.status_code == 400
    assert "didn\u2019t match" in field_block(mismatch.content.decode(), "new_password2")
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def test_guessing_the_current_password_is_throttled_like_sign_in(bob_client, bob, settings):
    data = {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    attempts = range(settings.AXES_FAILURE_LIMIT)
    statuses = [bob_client.post(reverse("password-change"), data).status_code for _ in attempts]
    assert statuses[-1] == 429
    right = {**data, "old_password": PASSWORD}
    assert bob_client.post(reverse("password-change"), right).status_code == 429
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)


def make_reset_link(admin: Client, person: User) -> str:
    confirm = admin.get(reverse("team-password-reset", args=[person.pk]))
    assert confirm.status_code == 200 and "never see or choose their password" in confirm.content.decode()
    response = admin.post(reverse("team-password-reset", args=[person.pk]))
    assert response.status_code == 200
    match = re.search(r'id="reset-link" readonly value="([^"]+)"', response.content.decode())
    assert match
    return match.group(1)


def test_an_admin_makes_a_reset_link_and_the_person_sets_a_new_password(alice_client, bob):
    link = make_reset_link(alice_client, bob)
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)  # nothing changed until bob uses it
    browser = Client()
    opened = browser.get(link)
    assert opened.status_code == 302 and "set-password" in opened["Location"]  # the token leaves the address
    form = browser.get(opened["Location"])
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    weak = browser.post(opened["Location"], {"new_password1": "bob", "new_password2": "bob"})
    assert weak.status_code == 400 and "too short" in field_block(weak.content.decode(), "new_password1")
    done = browser.post(opened["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("profile")
    assert "Your new password is set" in browser.get(reverse("profile")).content.decode()
    assert sign_in(Client(), "bob", NEW_PASSWORD) == 302
    # Once used, the link is dead.
    again = Client().get(link)
    assert again.status_code == 410 and "already used" in again.content.decode()
    changes = list(
        Event.objects.filter(action="team", subject_member=bob).values_list("details__change", "details__by")
    )
    assert ("password reset link made", "alice") in changes and ("password changed", "bob") in changes


def test_a_tampered_reset_link_is_refused(alice_client, bob):
    link = make_reset_link(alice_client, bob)
    response = Client().get(link[:-3] + "abc/" if link.endswith("/") else link + "x")
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_a_reset_link_for_someone_deactivated_does_not_work(alice_client, bob):
    link = make_reset_link(alice_client, bob)
    alice_client.post(reverse("team-active", args=[bob.pk]), {})
    assert Client().get(link).status_code == 410


def test_members_cannot_make_reset_links(bob_client, charlie):
    assert bob_client.post(reverse("team-password-reset", args=[charlie.pk])).status_code == 403
    assert bob_client.get(reverse("team-password-reset", args=[charlie.pk])).status_code == 403
    assert not Event.objects.filter(action="team").exists()


def test_signing_out_says_so(bob):
    client = signed_in(bob)
    response = client.post(reverse("logout"), follow=True)
    assert response.status_code == 200 and "You are signed out." in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
