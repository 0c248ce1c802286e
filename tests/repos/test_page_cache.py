"""Whole listing pages kept per person (repos.views.listing): each answer is still right for who asked."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hubdash.hub.models import HubToken
from hubdash.repos.views import _PREFIX_MARK
from tests.personas import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def _browser(user: User) -> Client:
    """A browser of its own, whose POSTs need the CSRF token of a page it was given."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user, backend="hubdash.hub.auth.ModelBackend")
    return browser


def _menu_name(html: str) -> str:
    return re.search(r'<span class="account-name">([^<]*)</span>', html).group(1)


def _cookie_token(browser: Client) -> str:
    return browser.cookies[settings.CSRF_COOKIE_NAME].value


def test_a_kept_page_holds_no_csrf_token_and_each_browser_posts_with_its_own(browsing, alice):
    first, second = _browser(alice), _browser(alice)
    first.get("/models/")
    page_one = first.get("/models/").content.decode()  # asked a second time: kept whole from here
    page_two = second.get("/models/").content.decode()  # the same person and query: the kept page
    assert page_one == page_two
    assert "csrfmiddlewaretoken" not in page_two and "X-CSRFToken" not in page_two
    assert 'method="post"' not in page_two  # its buttons post with htmx, or open a page that asks
    # htmx sends the token of the browser's own CSRF cookie (hubdash.js), which the kept page set too.
    assert not second.cookies[settings.CSRF_COOKIE_NAME]["httponly"]  # a script may read it
    assert second.post(reverse("logout"), HTTP_X_CSRFTOKEN=_cookie_token(first)).status_code == 403
    assert second.post(reverse("logout"), HTTP_X_CSRFTOKEN=_cookie_token(second)).status_code == 302


# What pages were once put together around (the CSRF token's mark, before kept pages held none; the body's,
# the typed search's and author's, before pages were drawn whole), and the mark the facets still are: repo
# names, cards, tags and config values that read like them are text like any other.
PLACEHOLDERS = ("csrf-token-to-fill-in", "<page-body>", "<listing-search>", "<listing-author>", _PREFIX_MARK)


def test_hub_text_that_reads_like_a_placeholder_is_shown_as_itself(browsing):
    names = {mark: re.sub(r"[^a-z-]", "", mark) for mark in PLACEHOLDERS}  # "<" is no repo name's
    for mark, name in names.items():
        card = f"---\nlicense: mit\n---\n# {mark}\n\n{mark}\n"
        browsing.hub.add_repo(
            f"acme/{name}", config={"model_type": mark, mark: mark}, tags=[mark], files={"README.md": card}
        )
    for _ in range(3):  # drawn, kept, and served as kept
        raw = browsing.alice.get("/models/?author=acme&config=on").content.decode()
        assert "<facet-link-prefix>" not in raw  # put in as text, escaped
        html = unescape(raw)
        for mark, name in names.items():
            assert f'<span class="ns">acme/</span>{name}</a>' in html
            assert f"<summary>Config: {mark}</summary>" in html
            assert f"<dt>{mark}</dt><dd><code>{mark}</code></dd>" in html
    for mark, name in names.items():
        page = unescape(browsing.alice.get(reverse("model-repo", args=["acme", name])).content.decode())
        assert page.count(mark) >= 3  # its card's heading and text, its tag (and its name, when it can be)
        assert f">{mark}</" in page


def test_people_without_a_token_each_see_their_own_name_in_the_menu(browsing, charlie):
    dave = User.objects.create_user("dave", password="x" * 12)
    for person in (charlie, charlie, dave, charlie):
        assert _menu_name(signed_in(person).get("/models/").content.decode()) == person.username


def test_a_token_the_hub_rejected_shows_in_the_menu_of_a_page_seen_before(browsing, alice):
    for _ in range(2):
        assert "Reconnect token" not in browsing.alice.get("/models/").content.decode()
    HubToken.objects.filter(user=alice).update(rejected_at=timezone.now(), rejected_reason="Token revoked.")
    assert "Reconnect token" in browsing.alice.get("/models/").content.decode()


def test_a_message_waiting_is_shown_on_a_page_seen_before_and_only_once(browsing, alice):
    for _ in range(2):
        assert browsing.alice.get("/models/").status_code == 200
    added = browsing.alice.post(
        reverse("team-add"),
        {"username": "erin", "role": "member", "password1": "erin-password-123", "password2": "erin-password-123"},
    )
    assert added.status_code == 302
    assert "Added erin as member." in browsing.alice.get("/models/").content.decode()
    assert "Added erin" not in browsing.alice.get("/models/").content.decode()


def test_a_listing_is_kept_until_a_change_in_hubdash(browsing):
    def shown(path: str) -> set[str]:
        response = browsing.alice.get(path)
        assert response.status_code == 200
        return set(re.findall(r'class="ns">acme/</span>([^<]+)</a>', response.content.decode()))

    browsing.hub.add_repo("acme/bert-one")
    assert shown("/models/?search=bert") == {"bert-one"}
    browsing.hub.add_repo("acme/bert-two")  # behind hubdash's back: what it keeps is what it showed
    assert [shown("/models/?search=bert") for _ in range(2)] == [{"bert-one"}] * 2
    assert shown("/models/?search=bert-t") == {"bert-two"}  # another query is its own page
    created = browsing.alice.post(
        "/new/", {"kind": "model", "owner": "acme", "name": "bert-new", "visibility": "public"}
    )
    assert created.status_code == 302
    # Creating a repo in hubdash drops every listing, whole pages too.
    assert shown("/models/?search=bert") == {"bert-one", "bert-two", "bert-new"}


def test_each_page_drawn_around_a_kept_frame_shows_its_own_query_in_the_form(browsing):
    def form_state(path: str) -> tuple[str, str, str]:
        html = browsing.alice.get(path).content.decode()
        search = re.search(r'name="search" id="id_search" value="([^"]*)"', html).group(1)
        author = re.search(r'name="author" id="id_author" value="([^"]*)"', html).group(1)
        sort = re.search(r'<select name="sort".*?<option value="(\w+)" selected>', html, re.DOTALL).group(1)
        return search, author, sort

    assert form_state("/models/?search=bert") == ("bert", "", "trending")
    assert form_state('/models/?search=<b>"x"&author=acme') == ("&lt;b&gt;&quot;x&quot;", "acme", "trending")
    assert form_state("/models/?search=gpt&sort=likes") == ("gpt", "", "likes")
    assert form_state("/models/?search=listing-author-to-fill-in&author=acme") == (
        "listing-author-to-fill-in",
        "acme",
        "trending",
    )
    assert form_state("/models/") == ("", "", "trending")
