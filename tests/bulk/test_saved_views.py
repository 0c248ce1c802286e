"""Saved views over the real stack: saved from a listing (with htmx, and without JavaScript), opened with
hubdash's own filters over what hubsim lists, renamed and deleted by whom may; the nav's and home page's
fragments show each view's count and age from the viewer's last opening and ask the Hub nothing."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs

import pytest
from django.test import Client

from hubdash.bulk.models import SavedView, SavedViewOpening
from tests.bulk.guardrail_world import HTMX, browsing, dave
from tests.pages import read

pytestmark = pytest.mark.django_db
__all__ = ["browsing", "dave"]


def save(client: Client, name: str, query: str = "author=acme", kind: str = "model", scope: str = "own", **more):
    return client.post("/views/save/", {"name": name, "kind": kind, "query": query, "scope": scope, **more}, **HTMX)


def names_in(page: str) -> list[str]:
    """The repo ids of a page's rows, in order."""
    return [f"{ns}{name}" for ns, name in re.findall(r'<span class="ns">([^<]+/)</span>([^<]+)</a>', page)]


@pytest.fixture
def acme(browsing):
    """acme's models: private and public, gated or not, modified at different dates, of different names."""
    hub = browsing.hub
    hub.add_repo("acme/bert-base", private=False, createdAt="2026-01-10T10:00:00Z", likes=5)
    hub.add_repo("acme/bert-large", private=True, createdAt="2026-03-10T10:00:00Z", likes=4)
    hub.add_repo("acme/bert-gated", private=False, gated="manual", createdAt="2026-05-10T10:00:00Z", likes=3)
    hub.add_repo("acme/gpt-small", private=False, gated="auto", createdAt="2026-07-10T10:00:00Z", likes=2)
    hub.add_repo("acme/gpt-private", private=True, createdAt="2026-09-10T10:00:00Z", likes=1)
    hub.add_repo("someone/bert-other", private=False, createdAt="2026-02-10T10:00:00Z")
    browsing.forget_calls()
    return browsing


# -- saving ----------------------------------------------------------------------------------------


def test_a_listing_offers_to_save_its_query_prefilled(acme):
    page = read(acme.alice.get("/models/?author=acme&sort=likes&direction=asc"))
    form = page.split('<form id="save-view"', 1)[1].split("</form>", 1)[0]
    assert 'action="/views/save/"' in form and 'hx-post="/views/save/"' in form
    query = html.unescape(re.search(r'name="query" value="([^"]*)"', form).group(1))
    assert parse_qs(query.removeprefix("?")) == {"author": ["acme"], "sort": ["likes"], "direction": ["asc"]}
    assert '<label for="id_save_view_name">Save this view as</label>' in form


def test_saving_from_a_listing_keeps_its_query_without_the_cursor_and_defaults(acme):
    response = save(acme.alice, "acme by likes", query="?author=acme&sort=likes&direction=desc&limit=30&cursor=xyz")
    assert response.status_code == 200
    assert "Saved the view <strong>acme by likes</strong>" in read(response)
    assert json.loads(response["HX-Trigger"]) == {"savedViewsChanged": {}}  # the nav's menu reloads
    view = SavedView.objects.get()
    assert (view.name, view.kind, view.query, view.team) == ("acme by likes", "model", "author=acme&sort=likes", False)
    assert view.owner.username == "alice"
    assert acme.hub_calls() == []


def test_without_javascript_the_save_form_is_a_page_that_posts_with_its_token(acme):
    response = acme.alice.get("/views/save/", {"kind": "dataset", "query": "search=bert", "name": "Berts"})
    page = read(response)
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in page and 'value="Berts"' in page and "search “bert”" in page
    response = acme.alice.post(
        "/views/save/", {"kind": "dataset", "query": "search=bert", "name": "Berts", "scope": "team"}
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/views/{view.pk}/"
    assert view.team is True


def test_bad_input_is_refused_with_a_message_keeping_what_was_typed(acme):
    response = save(acme.alice, "   ")
    assert response.status_code == 400
    assert "Give the view a name." in read(response)
    response = save(acme.alice, "Odd author", query="author=a/b")
    assert response.status_code == 400
    page = read(response)
    assert "An author is a Hub user or organisation name" in page and 'value="Odd author"' in page
    response = save(acme.alice, "Odd kind", kind="nothing")
    assert response.status_code == 400
    assert not SavedView.objects.exists()


def test_saving_needs_a_post_with_csrf(acme, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post("/views/save/", {"name": "x", "kind": "model"}).status_code == 403
    assert Client().get("/views/").status_code == 302  # signed in first
    assert not SavedView.objects.exists()


# -- opening ---------------------------------------------------------------------------------------


def view_of(client, name: str, **filters) -> SavedView:
    save(client, name, query="author=acme&sort=likes")
    view = SavedView.objects.get(name=name)
    SavedView.objects.filter(pk=view.pk).update(**filters)
    return view


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["acme/bert-base", "acme/bert-large", "acme/bert-gated", "acme/gpt-small", "acme/gpt-private"]),
        ({"visibility": "private"}, ["acme/bert-large", "acme/gpt-private"]),
        ({"visibility": "public", "gating": "ungated"}, ["acme/bert-base"]),
        ({"gating": "gated"}, ["acme/bert-gated", "acme/gpt-small"]),
        ({"gating": "manual"}, ["acme/bert-gated"]),
        ({"modified_after": "2026-03-10", "modified_before": "2026-09-10"}, ["acme/bert-gated", "acme/gpt-small"]),
        ({"name_prefix": "BERT"}, ["acme/bert-base", "acme/bert-large", "acme/bert-gated"]),
        ({"name_prefix": "gpt", "visibility": "public"}, ["acme/gpt-small"]),
    ],
)
def test_opening_a_view_applies_hubdashs_own_filters_to_what_the_hub_lists(acme, filters, expected):
    view = view_of(acme.alice, "acme", **filters)
    acme.forget_calls()
    response = acme.alice.get(f"/views/{view.pk}/")
    assert response.status_code == 200
    page = read(response)
    assert names_in(page) == expected
    # a plan for every repo it matches starts here (bulk's own form, the view's own filters included)
    assert 'action="/bulk/plan/"' in page and f'name="view" value="{view.pk}"' in page
    [call] = acme.hub_calls()  # one listing call, up to 1,000 repos, with what the filters need
    query = parse_qs(call["query"]) if isinstance(call["query"], str) else call["query"]
    assert query["limit"] == ["1000"] and query["author"] == ["acme"]
    assert {"private", "gated", "lastModified"} <= set(query["expand[]"])
    opening = SavedViewOpening.objects.get(view=view)
    assert (opening.count, opening.more, opening.viewer.username) == (len(expected), False, "alice")


def test_the_nav_and_home_page_show_the_count_and_age_of_ones_last_opening_without_asking_the_hub(acme):
    view = view_of(acme.alice, "Private acme", visibility="private")
    acme.alice.get(f"/views/{view.pk}/")
    SavedViewOpening.objects.filter(view=view).update(
        opened_at=SavedViewOpening.objects.get().opened_at.replace(year=2026, month=12, day=1)
    )
    acme.forget_calls()
    nav = read(acme.alice.get("/views/nav/"))
    home = read(acme.alice.get("/views/home/"))
    assert acme.hub_calls() == []  # hubdash's own rows only
    assert re.search(
        r"Private acme</span>\s*<span class=\"menu-hint\" data-testid=\"saved-view-seen\">2 · \d+\xa0(days?|weeks?)",
        nav,
    )
    assert "2 repos, when you opened it <time" in home
    # bob has not opened alice's own view, nor may he see it
    assert "Private acme" not in read(acme.bob.get("/views/nav/"))
    # the pages that hold the fragments refer to them by URL (hx-get and a plain link)
    page = read(acme.alice.get("/models/"))
    assert 'hx-get="/views/nav/"' in page and 'href="/views/"' in page
    home_page = read(acme.alice.get("/"))
    assert 'hx-get="/views/home/"' in home_page


def test_a_query_matching_more_than_1000_repos_says_so_plainly(browsing):
    for i in range(1005):
        browsing.hub.add_repo(f"bigorg/model-{i:04d}")
    save(browsing.alice, "Everything of bigorg", query="author=bigorg")
    view = SavedView.objects.get()
    page = read(browsing.alice.get(f"/views/{view.pk}/"))
    assert "More than 1,000 repos match this query on the Hub: hubdash looked at the first 1,000 only" in page
    assert "1,000 repos match among the 1,000 the Hub listed" in page
    opening = SavedViewOpening.objects.get()
    assert (opening.count, opening.more) == (1000, True)
    assert "1,000+" in read(browsing.alice.get("/views/nav/"))


def test_a_hub_failure_shows_in_the_views_page_and_keeps_the_last_count(acme):
    view = view_of(acme.alice, "acme")
    acme.alice.get(f"/views/{view.pk}/")
    acme.hub.fault(method="GET", path="/api/models", status=503)
    from django.core.cache import cache

    cache.clear()
    response = acme.alice.get(f"/views/{view.pk}/")
    assert response.status_code == 503
    assert 'class="hub-error"' in read(response)
    assert SavedViewOpening.objects.get().count == 5


# -- who sees and changes what -----------------------------------------------------------------------


def test_own_views_are_their_owners_and_team_views_everyones(acme, dave):
    save(acme.alice, "Mine")
    save(acme.alice, "Ours", scope="team")
    mine, ours = SavedView.objects.get(name="Mine"), SavedView.objects.get(name="Ours")
    assert acme.bob.get(f"/views/{mine.pk}/").status_code == 404
    assert acme.bob.get(f"/views/{ours.pk}/").status_code == 200
    listed = read(acme.bob.get("/views/"))
    assert "Ours" in listed and "Mine" not in listed
    # a member may not rename or delete a team view they did not save; its owner and admins may
    assert dave.post(f"/views/{ours.pk}/rename/", {"name": "Taken"}).status_code == 403
    assert dave.post(f"/views/{ours.pk}/delete/").status_code == 403
    assert dave.post(f"/views/{mine.pk}/delete/").status_code == 404
    save(dave, "Dave's team view", scope="team")
    theirs = SavedView.objects.get(name="Dave's team view")
    assert acme.alice.post(f"/views/{theirs.pk}/delete/").status_code == 302  # alice is an admin
    assert not SavedView.objects.filter(pk=theirs.pk).exists()


def test_renaming_and_deleting_a_view(acme):
    view = view_of(acme.alice, "Old name")
    response = acme.alice.post(f"/views/{view.pk}/rename/", {"name": "  New   name "})
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.name == "New name"
    response = acme.alice.post(f"/views/{view.pk}/rename/", {"name": ""})
    assert response.status_code == 400
    assert "Give the view a name." in read(response)
    assert acme.alice.get(f"/views/{view.pk}/delete/").status_code == 405
    assert acme.alice.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_narrowing_a_view_checks_the_dates_and_keeps_what_was_typed(acme):
    view = view_of(acme.alice, "acme")
    data = {"modified_after": "2026-05-01", "modified_before": "2026-04-01", "name_prefix": "bert"}
    response = acme.alice.post(f"/views/{view.pk}/filters/", data)
    assert response.status_code == 400
    page = read(response)
    assert "must be earlier than" in page and 'value="bert"' in page
    response = acme.alice.post(f"/views/{view.pk}/filters/", {"name_prefix": "bert", "gating": "gated"})
    assert response.status_code == 302
    assert names_in(read(acme.alice.get(f"/views/{view.pk}/"))) == ["acme/bert-gated"]


def test_names_are_escaped_everywhere_they_show(acme):
    evil = "<img src=x onerror=alert(1)>"
    save(acme.alice, evil, scope="team")
    view = SavedView.objects.get()
    acme.alice.get(f"/views/{view.pk}/")
    for url in ("/views/nav/", "/views/home/", "/views/", f"/views/{view.pk}/"):
        page = read(acme.bob.get(url) if url != f"/views/{view.pk}/" else acme.alice.get(url))
        assert evil not in page, url
        assert "&lt;img src=x onerror=alert(1)&gt;" in page, url
