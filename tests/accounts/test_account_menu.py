"""The account menu in the shell: right for each persona, free of Hub calls, and never another person's."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN, BOB_TOKEN

pytestmark = pytest.mark.django_db


def whoami_calls(hub_world) -> int:
    return len([r for r in hub_world.requests() if r["path"] == "/api/whoami-v2"])


def menu_of(client: Client, name: str = "team") -> str:
    response = client.get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<details class="menu account-menu">') : page.index("</header>")]


def shown_name(menu: str) -> str:
    return re.search(r'<span class="account-name">([^<]*)</span>', menu).group(1)  # type: ignore[union-attr]


def test_signed_out_pages_have_no_account_menu(alice):
    page = Client().get(reverse("login")).content.decode()
    assert "hubdash" in page and "account-menu" not in page and "Sign out" not in page


def test_a_person_without_a_token_is_asked_to_connect_one(hub_world, charlie_client):
    menu = menu_of(charlie_client)
    assert shown_name(menu) == "charlie" and "Connect token" in menu and "needs attention" in menu
    assert not hub_world.requests()


def test_a_connected_person_gets_their_hub_name_from_the_cached_whoami_without_a_hub_call(
    hub_world, alice_client, alice
):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    HubToken.objects.filter(user=alice).update(hub_username="name-when-last-stored")
    calls = whoami_calls(hub_world)
    menu = menu_of(alice_client)
    assert shown_name(menu) == "alice" and f"…{ALICE_TOKEN[-4:]}" in menu and "needs attention" not in menu
    assert "<img" not in menu  # hubsim serves avatars over http, and only https ones are shown
    assert whoami_calls(hub_world) == calls


def test_with_whoami_no_longer_cached_the_stored_name_stands_in(hub_world, alice_client, alice):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    HubToken.objects.filter(user=alice).update(hub_username="name-when-last-stored")
    menu_of(alice_client)  # drawn with the cached whoami first: the menu kept for that must not stay
    cache.clear()
    calls = whoami_calls(hub_world)
    assert shown_name(menu_of(alice_client)) == "name-when-last-stored"
    assert whoami_calls(hub_world) == calls


def test_a_token_the_hub_rejected_shows_on_the_next_page(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    assert "Reconnect token" not in menu_of(alice_client)
    hub_world.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    alice_client.post(reverse("profile-refresh"))
    assert "Reconnect token" in menu_of(alice_client)


def test_each_person_sees_their_own_menu_on_the_same_page(hub_world, alice_client, bob_client, charlie_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    for _ in range(2):  # the second time from what the first drew
        assert shown_name(menu_of(alice_client, "home")) == "alice"
        assert shown_name(menu_of(bob_client, "home")) == "bob"
        assert shown_name(menu_of(charlie_client, "home")) == "charlie"


def test_the_account_page_open_is_marked_in_the_menu(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    marked = re.compile(r'href="([^"]+)" aria-current="page"')
    assert marked.findall(menu_of(alice_client, "token")) == [reverse("token")]
    assert marked.findall(menu_of(alice_client, "profile")) == [reverse("profile")]
    assert marked.findall(menu_of(alice_client, "team")) == []


def test_sign_out_works_from_a_menu_drawn_for_another_browser(alice):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(alice)
    pages = [browser.get(reverse("home")).content.decode() for browser in (first, second)]
    assert "csrfmiddlewaretoken" not in pages[0] + pages[1]  # the menu holds no token: pages may be kept
    tokens = [browser.cookies[settings.CSRF_COOKIE_NAME].value for browser in (first, second)]
    # The menu's button posts with htmx, which sends the browser's own CSRF cookie; another browser's is refused.
    assert second.post(reverse("logout"), HTTP_X_CSRFTOKEN=tokens[0]).status_code == 403
    assert second.post(reverse("logout"), HTTP_X_CSRFTOKEN=tokens[1]).status_code == 302
    assert first.post(reverse("logout"), HTTP_X_CSRFTOKEN=tokens[0]).status_code == 302


def test_without_javascript_sign_out_asks_on_a_page_with_a_form(alice):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    menu = browser.get(reverse("home")).content.decode()
    assert f'<form method="get" action="{reverse("logout")}"' in menu
    asked = browser.get(reverse("logout")).content.decode()  # what the menu's button opens without htmx
    assert "Sign out of hubdash?" in asked and browser.get(reverse("home")).status_code == 200  # still in
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', asked).group(1)  # type: ignore[union-attr]
    assert browser.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert browser.get(reverse("home")).status_code == 302  # signed out
