"""First run, sign-in and its throttling, pages that need a signed-in user, health."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.personas import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_password_hashing")]


def test_fresh_install_offers_only_first_admin_creation(client):
    for path in ("/", "/account/", "/team/", "/accounts/login/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse("setup")
    page = client.get(reverse("setup"))
    assert b"Create admin account" in page.content


def test_first_admin_is_created_signed_in_and_setup_closes(client):
    response = client.post(reverse("setup"), {"username": "root", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("token")
    admin = User.objects.get(username="root")
    assert admin.is_superuser and admin.is_staff
    assert client.get(reverse("profile")).status_code == 200  # signed in
    assert Client().get(reverse("setup")).status_code == 404  # nobody can create a second "first" admin


def test_setup_rejects_weak_or_mismatched_passwords_and_keeps_the_username(client):
    response = client.post(reverse("setup"), {"username": "root", "password1": "short", "password2": "short"})
    assert response.status_code == 200 and not User.objects.exists()
    assert b'value="root"' in response.content
    assert b"at least 10 characters" in response.content
    mismatch = client.post(reverse("setup"), {"username": "root", "password1": PASSWORD, "password2": PASSWORD + "x"})
    assert b"didn" in mismatch.content and not User.objects.exists()


def test_every_page_but_health_needs_a_signed_in_user(alice):
    anonymous = Client()
    for name in ("home", "profile", "token", "team"):
        response = anonymous.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert anonymous.get("/admin/").status_code == 302
    assert anonymous.get(reverse("healthz")).status_code == 200


def test_sign_in_and_out(alice):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    assert client.get(reverse("team")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("team")).status_code == 302


def test_sign_in_redirects_only_to_this_site(alice):
    client = Client()
    response = client.post(
        reverse("login") + "?next=https://evil.example/",
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("profile")


def test_repeated_failures_lock_sign_in_with_429(alice, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = client.post(reverse("login"), {"username": "alice", "password": "nope"})
        assert wrong.status_code == 200 and b"do not match" in wrong.content
    locked = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    # Even the right password is refused while locked.
    still = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert still.status_code == 429
    assert client.get(reverse("team")).status_code == 302


def test_deactivated_person_cannot_sign_in(bob):
    bob.is_active = False
    bob.save()
    response = Client().post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 200 and b"do not match" in response.content


def test_htmx_request_to_a_protected_page_gets_a_client_redirect(alice):
    response = Client().get(reverse("profile"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))
