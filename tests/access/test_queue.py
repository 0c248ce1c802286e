"""The queue at /access/: exactly the requests the person may manage, newest first, filtered, counted and
paged, from hubdash's mirror alone (no Hub call)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .conftest import ask, gated

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """The requesters' names on the page, in order."""
    return re.findall(r'<span class="cell-main">([^<]*)</span>', response.content.decode())


def test_queue_shows_only_pending_requests_of_namespaces_the_person_manages(world):
    acme, datalab, other = gated("acme/bert"), gated("datalab/corpus", kind="dataset"), gated("zeta/secret")
    ask(acme, "erin", minutes_ago=5)
    ask(datalab, "frank", minutes_ago=1)
    ask(other, "mallory", minutes_ago=0)
    ask(acme, "gina", status="accepted")

    page = world.alice.get(reverse("access-queue"))

    assert page.status_code == 200
    assert names(page) == ["frank", "erin"]  # newest first; zeta is not alice's, gina is decided
    assert "mallory" not in page.content.decode() and "zeta/secret" not in page.content.decode()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_people_who_manage_no_namespace_see_no_request(world, persona):
    ask(gated("acme/bert"), "erin")
    page = getattr(world, persona).get(reverse("access-queue"))
    assert page.status_code == 200
    assert names(page) == []
    assert "erin" not in page.content.decode()


def test_the_queue_page_makes_no_hub_call(world):
    repo = gated("acme/bert")
    for i in range(30):
        ask(repo, f"user{i}", minutes_ago=i)
    world.forget_calls()

    for query in ("", "?q=user1", "?status=any&domain=example.com", "?page=1"):
        assert world.alice.get(reverse("access-queue") + query).status_code == 200
    world.alice.get(reverse("access-nav-count"))

    assert world.hub_calls() == []


def test_filters_by_repo_namespace_text_status_and_email_domain(world):
    bert, corpus = gated("acme/bert"), gated("datalab/corpus", kind="dataset")
    ask(bert, "erin", email="erin@uni.example.edu", fields={"Purpose": "protein folding"})
    ask(bert, "frank", email="frank@corp.example.com")
    ask(corpus, "gina", email="gina@example.edu")
    ask(corpus, "hana", status="rejected", email="hana@example.org")
    url = reverse("access-queue")

    assert set(names(world.alice.get(url, {"repo": "acme/bert"}))) == {"erin", "frank"}
    assert set(names(world.alice.get(url, {"namespace": "datalab"}))) == {"gina"}
    assert names(world.alice.get(url, {"q": "PROTEIN"})) == ["erin"]
    assert set(names(world.alice.get(url, {"domain": "example.edu"}))) == {"erin", "gina"}
    assert names(world.alice.get(url, {"domain": "@corp.example.com"})) == ["frank"]
    assert names(world.alice.get(url, {"status": "rejected"})) == ["hana"]
    assert set(names(world.alice.get(url, {"status": "any"}))) == {"erin", "frank", "gina", "hana"}


def test_a_namespace_not_managed_cannot_be_asked_for(world):
    ask(gated("zeta/secret"), "mallory")
    page = world.alice.get(reverse("access-queue"), {"namespace": "zeta"})
    assert page.status_code == 400
    assert "mallory" not in page.content.decode()


def test_counts_per_repo_and_namespace_and_in_the_nav(world):
    bert, gpt, corpus = gated("acme/bert"), gated("acme/gpt"), gated("datalab/corpus", kind="dataset")
    for i in range(3):
        ask(bert, f"b{i}")
    ask(gpt, "g0")
    ask(gpt, "g1", status="accepted")
    ask(corpus, "c0")
    ask(gated("zeta/secret"), "z0")

    body = world.alice.get(reverse("access-queue")).content.decode()
    counts = dict(re.findall(r'>([\w/.-]+)</a> <span class="badge">(\d+)</span>', body))
    assert counts == {"acme": "4", "datalab": "1", "acme/bert": "3", "acme/gpt": "1", "datalab/corpus": "1"}

    assert ">5<" in world.alice.get(reverse("access-nav-count")).content.decode()
    assert world.bob.get(reverse("access-nav-count")).content.decode().strip() == ""


def test_the_queue_is_paged(world):
    repo = gated("acme/bert")
    for i in range(55):
        ask(repo, f"user{i:02d}", minutes_ago=i)
    first = world.alice.get(reverse("access-queue"))
    assert len(names(first)) == 50 and names(first)[0] == "user00"
    second = world.alice.get(reverse("access-queue"), {"page": 2})
    assert names(second) == [f"user{i}" for i in range(50, 55)]


def test_hub_supplied_text_is_escaped(world):
    ask(gated("acme/bert"), "erin", fullname="<script>alert(1)</script>", fields={"<b>Why</b>": "<img src=x>"})
    body = world.alice.get(reverse("access-queue")).content.decode()
    assert "<script>alert(1)" not in body and "<img src=x>" not in body and "<b>Why" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;img src=x&gt;" in body


def test_the_mirror_age_is_shown_and_a_namespace_nobody_took_on_says_so(world):
    from django.utils import timezone

    from hubdash.access.models import NamespaceRefresh

    NamespaceRefresh.objects.create(namespace="acme", refreshed_at=timezone.now())
    body = world.alice.get(reverse("access-queue")).content.decode()
    assert re.search(r"<strong>acme</strong>:\s*refreshed <time[^>]*>now</time>", body)
    assert re.search(r"<strong>datalab</strong>:\s*never refreshed", body)
    assert "nobody has taken this on" in body


def test_the_queue_needs_a_signed_in_person(client, alice):
    response = client.get(reverse("access-queue"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_counts_region_answers_alone_to_htmx(world):
    ask(gated("acme/bert"), "erin")
    response = world.alice.get(reverse("access-queue"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="access-counts-inner")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="access-counts-inner">') and "<html" not in body
    assert 'acme/bert</a> <span class="badge">1</span>' in body
