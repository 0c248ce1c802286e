"""Invitation links: made by admins for a role no higher than their own, opened signed out, used once,
revocable, with a clear page once they no longer work; the invited person arrives signed in."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hubdash.activity.models import Event
from hubdash.team.invitations import token_hash
from hubdash.team.models import Invitation
from tests.personas import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def make_invitation(client: Client, role: str = "member", **extra: str) -> str:
    """Make an invitation as the client's admin; returns the link shown once."""
    response = client.post(reverse("team-invite"), {"role": role, "valid_days": "7", **extra})
    assert response.status_code == 200, response.content.decode()
    match = re.search(r'id="invitation-link" readonly value="([^"]+)"', response.content.decode())
    assert match, "the link is shown to copy"
    return match.group(1)


def join(link: str, username: str = "dana", password: str = NEW_PASSWORD, client: Client | None = None):
    """Open the link in a fresh browser and fill in the form; returns (client, response)."""
    client = client or Client()
    opened = client.get(link)
    if opened.status_code != 302:
        return client, opened
    assert opened["Location"] == reverse("invitation-accept")  # the token leaves the address at once
    return client, client.post(
        reverse("invitation-accept"), {"username": username, "password1": password, "password2": password}
    )


def test_the_invited_person_chooses_a_password_and_arrives_signed_in(alice_client, alice):
    link = make_invitation(alice_client, note="Dana from data")
    assert link.startswith("http://testserver/invitation/")
    browser, response = join(link)
    assert response.status_code == 302 and response["Location"] == reverse("token")
    dana = User.objects.get(username="dana")
    assert dana.check_password(NEW_PASSWORD) and not dana.is_superuser
    landing = browser.get(reverse("token"))  # signed in, welcomed
    assert landing.status_code == 200 and "Welcome to hubdash, dana" in landing.content.decode()
    # The Team page shows who joined, invited by whom; the invitation is no longer pending.
    team = alice_client.get(reverse("team")).content.decode()
    assert "joined as member, invited by alice" in team
    assert 'id="pending-invitations"' not in team


def test_only_the_tokens_hash_is_stored(alice_client):
    link = make_invitation(alice_client)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    assert token not in alice_client.get(reverse("team")).content.decode()  # shown once, never again


def test_an_invitation_works_once(alice_client):
    link = make_invitation(alice_client)
    join(link)
    again = Client().get(link)
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert User.objects.filter(username="erin").count() == 0


def test_an_invitation_opened_in_two_browsers_makes_one_account(alice_client):
    link = make_invitation(alice_client)
    first, second = Client(), Client()
    assert first.get(link).status_code == 302 and second.get(link).status_code == 302
    join(link, "dana", client=first)
    refused = second.post(
        reverse("invitation-accept"), {"username": "erin", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert refused.status_code == 410
    assert not User.objects.filter(username="erin").exists()


@pytest.mark.django_db(transaction=True)
def test_two_browsers_joining_at_the_same_moment_make_one_account():
    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    admin = Client()
    admin.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    link = make_invitation(admin)
    browsers = [Client(), Client()]
    for browser in browsers:
        assert browser.get(link).status_code == 302
    start, statuses = threading.Barrier(2), [0, 0]

    def post(i: int) -> None:
        try:
            start.wait()
            data = {"username": f"person{i}", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
            statuses[i] = browsers[i].post(reverse("invitation-accept"), data).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 410]
    assert User.objects.filter(username__startswith="person").count() == 1


def test_an_expired_invitation_says_so(alice_client):
    link = make_invitation(alice_client)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(link)
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_an_invitation_expiring_while_the_form_is_open_is_refused(alice_client):
    link = make_invitation(alice_client)
    browser = Client()
    browser.get(link)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    _, response = join(link, client=browser)
    assert response.status_code == 410 and not User.objects.filter(username="dana").exists()


def test_a_revoked_invitation_no_longer_works(alice_client, alice):
    link = make_invitation(alice_client, note="Frank")
    invitation = Invitation.objects.get()
    browser = Client()
    browser.get(link)  # opened before it was revoked
    response = alice_client.post(reverse("invitation-revoke", args=[invitation.pk]))
    assert response.status_code == 302
    opened = Client().get(link)
    assert opened.status_code == 410 and "withdrawn" in opened.content.decode()
    _, late = join(link, client=browser)
    assert late.status_code == 410 and not User.objects.filter(username="dana").exists()
    event = Event.objects.filter(action="team", details__change="invitation revoked").get()
    assert event.details["by"] == "alice"


def test_an_unknown_link_is_a_404(alice):
    response = Client().get(reverse("invitation", args=["not-a-real-token"]))
    assert response.status_code == 404 and "not valid" in response.content.decode()
    assert Client().get(reverse("invitation-accept")).status_code == 404


def test_an_admin_invitation_makes_an_admin(alice_client):
    join(make_invitation(alice_client, role="admin"))
    dana = User.objects.get(username="dana")
    assert dana.is_superuser and dana.is_staff


def test_members_cannot_invite_anyone_let_alone_an_admin(bob_client, charlie):
    for role in ("admin", "member"):
        assert bob_client.post(reverse("team-invite"), {"role": role, "valid_days": "7"}).status_code == 403
    assert not Invitation.objects.exists()


def test_an_admin_demoted_meanwhile_cannot_invite(alice, alice_client, bob):
    User.objects.filter(pk=bob.pk).update(is_superuser=True)
    admin_bob = Client()
    admin_bob.force_login(User.objects.get(pk=bob.pk), backend="hubdash.hub.auth.ModelBackend")
    User.objects.filter(pk=bob.pk).update(is_superuser=False)
    assert admin_bob.post(reverse("team-invite"), {"role": "admin", "valid_days": "7"}).status_code == 403
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", ["superuser", "owner", "", "admin "])
def test_a_role_that_does_not_exist_is_refused_with_a_message(alice_client, role):
    response = alice_client.post(reverse("team-invite"), {"role": role, "valid_days": "7"})
    role_field = response.content.decode().split('for="id_invite_role"', 1)[1].split("</div>", 1)[0]
    assert response.status_code == 400 and ("valid choice" in role_field or "required" in role_field)
    assert not Invitation.objects.exists()


def test_a_validity_outside_the_choices_is_refused(alice_client):
    response = alice_client.post(reverse("team-invite"), {"role": "member", "valid_days": "36500"})
    assert response.status_code == 400 and not Invitation.objects.exists()


def test_the_invited_person_cannot_escalate_through_the_join_form(alice_client):
    link = make_invitation(alice_client)
    browser = Client()
    browser.get(link)
    data = {"username": "dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    browser.post(reverse("invitation-accept"), {**data, "role": "admin", "is_superuser": "on"})
    dana = User.objects.get(username="dana")
    assert not dana.is_superuser and not dana.is_staff


def test_password_rules_are_explained_under_the_password_field(alice_client):
    link = make_invitation(alice_client)
    browser = Client()
    browser.get(link)
    response = browser.post(
        reverse("invitation-accept"), {"username": "dana", "password1": "dana12345", "password2": "dana12345"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    password_field = page.split('for="id_password1"', 1)[1].split('for="id_password2"', 1)[0]
    assert "too short" in password_field and 'value="dana"' in page
    mismatch = browser.post(
        reverse("invitation-accept"), {"username": "dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    confirm_field = mismatch.content.decode().split('for="id_password2"', 1)[1]
    assert mismatch.status_code == 400 and "didn\u2019t match" in confirm_field
    taken = browser.post(
        reverse("invitation-accept"), {"username": "alice", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert taken.status_code == 400 and "already exists" in taken.content.decode()
    # Still usable after those mistakes.
    assert join(link, client=browser)[1].status_code == 302


def test_someone_signed_in_is_told_to_sign_out_first(alice_client, bob_client):
    link = make_invitation(alice_client)
    assert bob_client.get(link).status_code == 302
    page = bob_client.get(reverse("invitation-accept")).content.decode()
    assert "signed in as bob" in page and 'name="password1"' not in page
    assert Invitation.objects.get().used_at is None


def test_invitations_are_emailed_where_email_is_configured(alice_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    link = make_invitation(alice_client, email="dana@example.org")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dana@example.org"] and link in mail.outbox[0].body
    assert Invitation.objects.get().email == "dana@example.org"


def test_without_email_configured_the_form_offers_only_the_link(alice_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""
    assert 'name="email"' not in alice_client.get(reverse("team")).content.decode()
    make_invitation(alice_client, email="dana@example.org")  # ignored, not sent
    assert mail.outbox == [] and Invitation.objects.get().email == ""


def test_invitations_and_joining_are_on_record_with_who_did_it(alice_client, alice):
    join(make_invitation(alice_client, role="admin"))
    invited = Event.objects.get(action="team", details__change="invited")
    joined = Event.objects.get(action="team", details__change="joined")
    assert invited.member == alice and invited.details["by"] == "alice" and invited.details["role"] == "admin"
    assert joined.member.username == "dana" and joined.details["invited_by"] == "alice"


def test_members_see_who_joined_but_not_the_pending_invitations_or_their_notes(alice_client, bob_client):
    make_invitation(alice_client, note="Frank the contractor")
    page = bob_client.get(reverse("team")).content.decode()
    assert "invited someone as member" in page
    assert "Frank the contractor" not in page and "Invite someone" not in page and "Revoke" not in page
    assert "Frank the contractor" in alice_client.get(reverse("team")).content.decode()


def test_every_control_of_the_team_page_has_its_own_id_and_label(alice_client):
    import re

    page = alice_client.get(reverse("team")).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for control in re.findall(r'<(?:select|input|textarea)\b[^>]*\bid="([^"]+)"', page):
        assert f'for="{control}"' in page or "aria-label" in page.split(f'id="{control}"', 1)[1].split(">", 1)[0]


def test_the_invitation_page_says_until_when_the_link_works(alice_client):
    from hubdash.team.models import Invitation

    browser = Client()
    assert browser.get(make_invitation(alice_client)).status_code == 302
    page = browser.get(reverse("invitation-accept")).content.decode()
    expires = Invitation.objects.get().expires_at
    assert f'works once, until <time datetime="{expires.isoformat()}">' in page
