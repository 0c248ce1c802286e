"""Sessions are Django's database sessions, read by a fixed statement: they behave as Django's do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in_browser(user) -> Client:
    browser = Client()
    assert browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return browser


def test_a_signed_in_browser_stays_signed_in_across_pages(alice):
    browser = _signed_in_browser(alice)
    for path in (reverse("profile"), reverse("team"), reverse("profile")):
        assert browser.get(path).status_code == 200


def test_an_expired_session_leads_to_sign_in(alice):
    browser = _signed_in_browser(alice)
    key = browser.cookies["hubdash-session"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = browser.get(reverse("profile"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_made_up_or_ended_session_cookie_leads_to_sign_in(alice):
    for cookie in ("x" * 32, "short", ""):
        browser = Client()
        browser.cookies["hubdash-session"] = cookie
        response = browser.get(reverse("profile"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    ended = _signed_in_browser(alice)
    assert ended.post(reverse("logout")).status_code == 302
    assert ended.get(reverse("profile")).status_code == 302


def test_signing_in_again_after_an_expired_session_works(alice):
    browser = _signed_in_browser(alice)
    Session.objects.all().update(expire_date=timezone.now() - timedelta(seconds=1))
    assert browser.get(reverse("profile")).status_code == 302
    again = browser.post(reverse("login"), {"username": alice.username, "password": PASSWORD})
    assert again.status_code == 302
    assert browser.get(reverse("profile")).status_code == 200
