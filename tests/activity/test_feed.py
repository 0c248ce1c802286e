"""The feed: who sees which events, filters, keyset paging, live updates, and an event's details."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from hubdash.activity import record
from hubdash.activity.models import Event
from tests.activity.conftest import deliver, shown, v3

pytestmark = pytest.mark.backend

FEED = "/activity/"


@pytest.fixture
def world(secrets, db):
    """One event of each kind of visibility."""
    return {
        "public": Event.objects.get(pk=deliver(v3("repo", "create", repo="datalab/open", private=False)).body["event"]),
        "acme_private": Event.objects.get(pk=deliver(v3("repo", "create", repo="acme/secret", private=True)).body["event"]),  # noqa: E501
        "bob_private": Event.objects.get(pk=deliver(v3("repo", "create", repo="bob/own", private=True)).body["event"]),
        "other_private": Event.objects.get(pk=deliver(v3("repo", "create", repo="zeta/hidden", private=True)).body["event"]),  # noqa: E501
        "legacy": Event.objects.get(pk=deliver({"add": "zeta/unknown"}).body["event"]),
        "team": record(action="team", summary="invited dora to hubdash"),
    }  # fmt: skip


def test_each_person_sees_public_events_and_private_ones_of_their_own_namespaces(people, world):
    alice, bob, charlie = people
    ids = {name: event.pk for name, event in world.items()}
    assert set(shown(alice.get(FEED))) == set(ids.values())  # an admin sees everything
    assert set(shown(bob.get(FEED))) == {ids["public"], ids["acme_private"], ids["bob_private"], ids["team"]}
    assert set(shown(charlie.get(FEED))) == {ids["public"], ids["team"]}
    # The event pages follow the same rule.
    assert bob.get(reverse("activity-event", args=[ids["acme_private"]])).status_code == 200
    assert bob.get(reverse("activity-event", args=[ids["other_private"]])).status_code == 404
    assert charlie.get(reverse("activity-event", args=[ids["bob_private"]])).status_code == 404
    assert charlie.get(FEED + f"?after={ids['public'] - 1}").content.decode().count("zeta/hidden") == 0


def test_the_feed_reads_at_a_glance(people, world):
    alice, _, _ = people
    html = alice.get(FEED).content.decode()
    assert shown(alice.get(FEED)) == sorted(shown(alice.get(FEED)), reverse=True)  # newest first
    assert 'href="/models/acme/secret/"' in html and "private</span>" in html
    assert "Legacy webhook" in html and "Hub webhook" in html and "invited dora to hubdash" in html
    assert "visibility unknown" in html
    assert "#icon-outline-plus-circle" in html and 'id="icon-outline-plus-circle"' in html


def test_the_feed_needs_sign_in(client, alice):
    response = client.get(FEED)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("source=legacy", ["legacy", "dataset"]),
        ("source=hubdash", ["team"]),
        ("action=team", ["team"]),
        ("action=push", ["push"]),
        ("type=dataset", ["dataset"]),
        ("repo=acme/secret", ["acme_private"]),
        ("repo=acme", ["acme_private", "push"]),
        ("actor=alice", ["team"]),
        ("since=1h&repo=zeta", ["legacy", "other_private"]),
        ("since=1h&source=hub&type=model&repo=acme&action=create", ["acme_private"]),
    ],
)
def test_filters_in_the_url(people, world, alice, query, expected):
    admin, _, _ = people
    world = dict(world)
    world["team"].member, world["team"].actor = alice, "alice"
    world["team"].save()
    world["push"] = Event.objects.get(
        pk=deliver(v3("repo.content", "update", repo="acme/weights", private=True)).body["event"]
    )
    world["dataset"] = Event.objects.get(pk=deliver({"update": "datasets/zeta/data"}).body["event"])
    Event.objects.filter(repo_id__in=["datalab/open", "bob/own", "zeta/data"]).update(
        received_at=timezone.now() - timedelta(days=2)
    )
    response = admin.get(f"{FEED}?{query}")
    assert response.status_code == 200
    assert sorted(shown(response)) == sorted(world[name].pk for name in expected)


def test_a_bad_filter_says_what_is_wrong(people):
    admin, _, _ = people
    response = admin.get(FEED + "?repo=../etc&source=nope&before=x")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Repo or namespace: A repo is" in html and "Source: Select a valid choice" in html


def test_load_more_pages_by_keyset_to_the_end(people, secrets):
    admin, _, _ = people
    for i in range(120):
        record(action="push", summary=f"pushed change {i}", repo_type="model", repo_id="acme/busy", private=False)
    every = list(Event.objects.order_by("-id").values_list("pk", flat=True))
    first = admin.get(FEED + "?repo=acme/busy")
    seen = shown(first)
    assert seen == every[:50]
    cursor = re.search(r'hx-get="\?repo=acme%2Fbusy&amp;before=(\d+)"', first.content.decode()).group(1)
    second = admin.get(f"{FEED}?repo=acme/busy&before={cursor}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="feed-more")
    assert "<html" not in second.content.decode() and "feed-form" not in second.content.decode()
    seen += shown(second)
    cursor = re.search(r"before=(\d+)", second.content.decode()).group(1)
    third = admin.get(f"{FEED}?repo=acme/busy&before={cursor}")  # the plain "Older events" link: a whole page
    assert "<html" in third.content.decode() and "Back to the newest" in third.content.decode()
    seen += shown(third)
    assert seen == every and "feed-more" not in third.content.decode()


def test_live_updates_answer_empty_until_something_new_arrives(people, world):
    admin, _, charlie = people
    page = admin.get(FEED).content.decode()
    poll = re.search(r'id="feed-poll"[^>]*hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    top = int(re.search(r"after=(\d+)", poll).group(1))
    assert top == max(e.pk for e in world.values())
    assert admin.get(FEED + poll, HTTP_HX_REQUEST="true").status_code == 204
    fresh = deliver(v3("repo", "delete", repo="acme/secret", private=True)).body["event"]
    update = admin.get(FEED + poll, HTTP_HX_REQUEST="true")
    assert update.status_code == 200 and shown(update) == [fresh]
    assert f"after={fresh}" in update.content.decode()  # the next poll starts from the new event
    # Someone who may not see it gets nothing.
    assert charlie.get(FEED + poll, HTTP_HX_REQUEST="true").status_code == 204


def test_an_event_opens_to_its_payload_and_delivery_facts(people, secrets, hub_samples):
    admin, _, _ = people
    import json

    body = json.dumps(hub_samples("webhook_v3__discussion_create__docs_openai-community_gpt2.json")).encode()
    pk = deliver(body, HTTP_USER_AGENT="huggingface-hub-webhooks").body["event"]
    deliver(body)
    html = admin.get(reverse("activity-event", args=[pk])).content.decode()
    assert "&quot;isPullRequest&quot;: true" in html  # pretty-printed, escaped
    assert "HUBDASH_WEBHOOK_SECRETS #2" in html and "1 duplicate delivery collapsed" in html
    assert "huggingface-hub-webhooks" in html


def test_the_navigation_links_to_the_feed(people):
    admin, _, _ = people
    html = admin.get(FEED).content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert f'href="{FEED}" aria-current="page">' in nav  # the Activity link, marked as the current page


def test_what_an_event_says_is_shown_as_text_never_as_markup(people, secrets):
    alice, _, _ = people
    hostile = '<img src=x onerror="alert(1)">'
    assert deliver({"add": f"acme/{hostile}"}).status == 400  # a repo name the Hub could not have sent
    # A v3 event's discussion title becomes its summary, whatever it says.
    deliver(v3("discussion", "create", discussion={"num": 1, "title": hostile, "isPullRequest": False}))
    record(action="team", summary=hostile, repo_type="model", repo_id="acme/x", details={"by": hostile})
    html = alice.get(FEED).content.decode()
    assert "<img src=x" not in html
    assert unescape(html).count(hostile) >= 2  # shown as the text it is
