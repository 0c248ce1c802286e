"""Error pages are never cached, and no error report (not even the development debug page) shows a secret."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hubdash import hub
from tests.personas import ALICE_TOKEN, BOB_TOKEN, PASSWORD, signed_in

pytestmark = pytest.mark.django_db


def never_stored(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"]


def crash_under_the_hub(monkeypatch) -> None:
    """Something unexpected breaks beneath a view, in code that holds the token."""

    def crash(user, token=None):
        raise RuntimeError("the Hub client broke")

    monkeypatch.setattr(hub, "connect_token", crash)
    monkeypatch.setattr(hub, "remove_token", crash)


def test_error_pages_that_name_the_person_are_never_stored(alice, bob, monkeypatch):
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    not_found = alice_client.get("/no-such-page/")
    assert not_found.status_code == 404 and b"Page not found" in not_found.content and never_stored(not_found)
    denied = bob_client.post(reverse("team-add"), {"username": "x"})
    assert denied.status_code == 403 and b"Only admins may do this." in denied.content and never_stored(denied)
    bad = alice_client.get(reverse("team"), headers={"host": "evil.example"})
    assert bad.status_code == 400 and b"Bad request" in bad.content and never_stored(bad)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    expired = csrf_client.post(reverse("team-add"), {})
    assert expired.status_code == 403 and b"This form has expired" in expired.content and never_stored(expired)
    crash_under_the_hub(monkeypatch)
    crashed = Client(raise_request_exception=False)
    crashed.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    error = crashed.post(reverse("token"), {"token": ALICE_TOKEN})
    assert error.status_code == 500 and b"Something went wrong" in error.content and never_stored(error)


def test_the_development_debug_page_shows_no_token_or_password(hub_world, alice, monkeypatch, settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    client.post(reverse("token"), {"token": ALICE_TOKEN})  # connected, before anything breaks
    crash_under_the_hub(monkeypatch)
    replaced = client.post(reverse("token"), {"token": ALICE_TOKEN, "password": PASSWORD})
    removed = client.post(reverse("token-remove"), {"password": PASSWORD})
    for page in (replaced, removed):
        html = page.content.decode()
        assert page.status_code == 500 and "the Hub client broke" in html and "Local vars" in html  # the debug page
        assert ALICE_TOKEN not in html and "SENTINEL" not in html and PASSWORD not in html


def visible(response) -> str:
    """What the page shows in its main region."""
    return response.content.decode().split('<main id="main">', 1)[1].split("</main>", 1)[0]


def test_a_refusal_says_no_access_once_and_links_back(hub_world, bob):
    hub.connect_token(bob, BOB_TOKEN)
    hub_world.add_repo("acme/open", private=False)
    client = signed_in(bob)
    for refused in (
        client.get("/models/acme/open/settings/"),  # the Hub's answer: bob's token may not write there
        client.post(reverse("team-add"), {"username": "x"}, headers={"referer": "http://testserver/team/"}),
    ):
        main = visible(refused)
        assert refused.status_code == 403
        assert main.count("No access") == 1
        assert 'href="/"' in main
    assert 'href="http://testserver/team/">Go back' in main  # to the page the person came from


def test_a_forms_address_opened_as_a_page_says_so_instead_of_a_blank_page(alice_client):
    # The address left in the bar after "Make invitation link" without JavaScript, then reloaded.
    opened = alice_client.get("/team/invite/", HTTP_REFERER="http://testserver/team/")
    assert opened.status_code == 405 and "POST" in opened["Allow"]
    text = opened.content.decode()
    assert "Nothing was changed by opening it" in text
    assert 'href="http://testserver/team/"' in text and 'href="/"' in text
