"""The Django admin shows people, groups, Hub tokens, invitations and sign-in locks but changes none of them:
the Team page, which keeps the app's rules and records each change, is the one place for that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.utils import timezone

from hubdash import hub
from hubdash.activity.models import Event
from hubdash.hub.models import HubToken
from hubdash.team.models import Invitation
from tests.personas import BOB_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(hub_world, alice, bob):
    hub.connect_token(bob, BOB_TOKEN)
    invitation = Invitation.objects.create(
        token_hash="0" * 64, role="admin", created_by=alice, expires_at=timezone.now() + timedelta(days=1)
    )
    attempt = AccessAttempt.objects.create(
        username="bob", ip_address="10.0.0.1", user_agent="x", failures_since_start=9, attempt_time=timezone.now()
    )
    return {
        "auth/user": alice,
        "auth/group": Group.objects.create(name="editors"),
        "hub/hubtoken": HubToken.objects.get(user=bob),
        "team/invitation": invitation,
        "axes/accessattempt": attempt,
    }


def test_alice_can_neither_demote_herself_the_last_admin_nor_deactivate_bob_through_the_admin(alice_client, alice, bob):
    assert alice_client.get(f"/admin/auth/user/{alice.pk}/change/").status_code == 200  # she may look
    demote = alice_client.post(f"/admin/auth/user/{alice.pk}/change/", {"username": "alice", "is_active": "on"})
    assert demote.status_code == 403
    deactivate = alice_client.post(f"/admin/auth/user/{bob.pk}/change/", {"username": "bob"})
    assert deactivate.status_code == 403
    assert User.objects.get(pk=alice.pk).is_superuser and User.objects.get(pk=bob.pk).is_active
    assert alice_client.post(f"/admin/auth/user/{bob.pk}/password/", {}).status_code == 403
    assert not Event.objects.exists()


@pytest.mark.parametrize("table", ["auth/user", "auth/group", "hub/hubtoken", "team/invitation", "axes/accessattempt"])
def test_every_change_form_of_the_admin_is_refused(alice_client, rows, table):
    row = rows[table]
    assert alice_client.get(f"/admin/{table}/").status_code == 200  # the list is there to read
    assert alice_client.get(f"/admin/{table}/{row.pk}/change/").status_code == 200
    assert alice_client.post(f"/admin/{table}/{row.pk}/change/", {}).status_code == 403
    assert alice_client.post(f"/admin/{table}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert alice_client.post(f"/admin/{table}/add/", {}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    alice_client.post(f"/admin/{table}/", bulk)
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_admin_shows_no_password_hash_nor_invitation_link_hash(alice_client, alice, rows):
    person = alice_client.get(f"/admin/auth/user/{alice.pk}/change/").content.decode()
    assert "pbkdf2" not in person and alice.password.split("$")[-1][:6] not in person
    invitation = alice_client.get(f"/admin/team/invitation/{rows['team/invitation'].pk}/change/")
    assert "0" * 64 not in invitation.content.decode()


def test_nothing_registered_in_the_admin_can_be_added_changed_or_deleted_there(alice):
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/")
    request.user = alice
    writable = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
        or model_admin.get_actions(request)
    ]
    assert writable == []


def test_the_admins_password_form_sends_to_hubdashs_throttled_one_and_changes_nothing(alice_client, alice):
    from tests.personas import PASSWORD

    guess = alice_client.post(
        "/admin/password_change/",
        {"old_password": "a-guess", "new_password1": "n3w-pass-phrase!", "new_password2": "n3w-pass-phrase!"},
    )
    assert guess.status_code == 302 and guess["Location"] == "/account/password/"
    right = alice_client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "n3w-pass-phrase!", "new_password2": "n3w-pass-phrase!"},
    )
    assert right.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
