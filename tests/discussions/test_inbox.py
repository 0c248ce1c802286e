"""The inbox `/discussions/` over hubsim, filled by the first-fill job: exactly the watched namespaces' open and
draft items, private repos' items for those whose Hub rights read them, filters in the URL, the nav count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.discussions.inbox_world import *  # noqa: F403
from tests.discussions.inbox_world import fill

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    """The items' titles, top to bottom."""
    return re.findall(r'class="disc-link" href="[^"]*">([^<]*)</a>', response.content.decode())


def test_the_inbox_shows_exactly_the_watched_namespaces_open_and_draft_items_newest_activity_first(world, seeded):
    page = world.alice.get(reverse("discussions"))
    assert page.status_code == 200
    assert titles(page) == [
        "More rows",  # acme/corpus, a pull request with a commit: open
        "Vault access for the team",  # acme/vault, private: alice's rights read acme
        "Roadmap for v2",
        "Add a safetensors copy",  # a draft pull request
        "How do I fine-tune bert?",
    ]  # not the closed one, nor zeta's (not watched)
    html = page.content.decode()
    assert "7 items" not in html and "5 items" in html
    assert reverse("discussions-refresh") in html  # "Refresh now": alice lends her token for acme
    assert world.hub_calls() == []  # drawn from hubdash's rows only


def test_each_row_says_who_wrote_it_its_kind_status_and_whether_it_waits_on_us(world, seeded):
    html = world.alice.get(reverse("discussions"), {"repo": "acme/bert"}).content.decode()
    rows = {
        title: row
        for row in re.findall(r"<tr class=\"disc-row.*?</tr>", html, re.S)
        for title in re.findall(r'class="disc-link"[^>]*>([^<]*)<', row)
    }
    draft, ours, question = rows["Add a safetensors copy"], rows["Roadmap for v2"], rows["How do I fine-tune bert?"]
    assert "yan" in draft and "outsider" in draft and "pull request" in draft and "status-draft" in draft
    assert "waiting on us" in draft
    assert "alice" in ours and ">member<" in ours and "discussion" in ours and "waiting on us" not in ours
    assert "zed" in question and "outsider" in question and "waiting on us" in question
    assert re.search(r'data-label="Comments">1<', question)  # the opening post


def test_private_repos_items_only_for_those_whose_hub_rights_read_them(world, seeded):
    assert "Vault access for the team" in titles(world.bob.get(reverse("discussions")))  # bob reads acme
    charlie = world.charlie.get(reverse("discussions"))  # no token: public repos only
    assert "Vault access for the team" not in titles(charlie) and len(titles(charlie)) == 4
    assert "private repos" not in charlie.content.decode()
    dora = world.dora.get(reverse("discussions"))  # an admin without a token: the count, nothing more
    assert "Vault access for the team" not in dora.content.decode()
    assert re.search(r"1 open item on private repos of <strong>acme</strong>", dora.content.decode())
    tab = world.charlie.get(reverse("discussions-repo", args=["model", "acme", "vault"]))
    assert "Vault access" not in tab.content.decode() and "private and your own Hub rights may not read it" in (
        tab.content.decode()
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "pull_request"}, ["More rows", "Add a safetensors copy"]),
        (
            {"kind": "discussion", "status": "open"},
            ["Vault access for the team", "Roadmap for v2", "How do I fine-tune bert?"],
        ),
        ({"status": "draft"}, ["Add a safetensors copy"]),
        ({"waiting": "yes", "kind": "pull_request"}, ["More rows", "Add a safetensors copy"]),
        ({"waiting": "no"}, ["Roadmap for v2"]),
        ({"repo": "acme/bert", "author": "ZED"}, ["How do I fine-tune bert?"]),
        (
            {"namespace": "acme", "q": "BERT"},
            ["Roadmap for v2", "Add a safetensors copy", "How do I fine-tune bert?"],
        ),  # in the repo's name too
        ({"q": "safetensors"}, ["Add a safetensors copy"]),
    ],
)
def test_filters_in_the_url(world, seeded, query, expected):
    assert titles(world.alice.get(reverse("discussions"), query)) == expected


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"kind": "issue"}, "“issue” is not a choice here: discussion or pull_request."),
        ({"status": "closed"}, "“closed” is not a choice here: open or draft."),
        ({"waiting": "maybe"}, "“maybe” is not a choice here: yes or no."),
        ({"namespace": "zeta-owner"}, "“zeta-owner” is not a choice here: one of the watched namespaces."),
        ({"repo": "bert"}, "A repo is named namespace/name, e.g. acme/bert."),
        ({"author": "<script>"}, "A Hub username has letters, digits, dots, dashes or underscores."),
        ({"page": "two"}, "The page is a whole number from 1."),
        ({"q": "x" * 201}, "at most 200 characters"),
    ],
)
def test_a_bad_filter_value_is_said_plainly_and_keeps_what_was_typed(world, seeded, query, said):
    page = world.alice.get(reverse("discussions"), query)
    html = page.content.decode()
    assert page.status_code == 400
    assert said.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or said in html
    assert "Clear the filters" in html and titles(page) == []
    if "q" in query:
        assert f'value="{query["q"]}"' in html


def test_paged_fifty_at_a_time(world):
    from django.utils import timezone

    from hubdash.discussions.models import Discussion

    now = timezone.now()
    Discussion.objects.bulk_create(
        Discussion(
            repo_type="model",
            repo_id="acme/many",
            namespace="acme",
            num=n,
            title=f"Item {n}",
            author="zed",
            created_at=now,
            last_activity_at=now.replace(microsecond=0) - timezone.timedelta(minutes=n),
            private=False,
        )
        for n in range(1, 61)
    )
    first = world.alice.get(reverse("discussions"))
    second = world.alice.get(reverse("discussions"), {"page": 2})
    assert titles(first)[:2] == ["Item 1", "Item 2"] and len(titles(first)) == 50
    assert titles(second) == [f"Item {n}" for n in range(51, 61)]
    assert "Page 1 of 2" in first.content.decode() and "?page=2" in first.content.decode()


def test_the_nav_counts_what_waits_on_us_from_hubdashs_rows(world, seeded):
    count = world.bob.get(reverse("discussions-nav-count"))
    assert re.search(r'class="nav-count"[^>]*>4<', count.content.decode())  # not alice's own, nor closed
    assert re.search(r'class="nav-count"[^>]*>3<', world.charlie.get(reverse("discussions-nav-count")).content.decode())
    assert world.hub_calls() == []
    home = world.bob.get(reverse("home")).content.decode()
    assert reverse("discussions-nav-count") in home and home.count("nav-discussions-slot") == 2  # wide and phone
    assert home.count('id="nav-menu-discussions"') == 1  # the phone's menu button, seen closed
    filled = re.compile(r'hx-swap-oob="innerHTML:([^"]+)">(?:<span class="nav-count"[^>]*>(\d+))?')
    answer = world.bob.get(reverse("discussions-nav-count")).content.decode()
    assert filled.findall(answer) == [(".nav-list .nav-discussions-slot", "4"), ("#nav-menu-discussions", "4")]
    assert "4 discussions or pull requests waiting on us" in answer


def test_the_home_page_says_what_waits_on_the_team_and_tells_admins_how_to_set_the_inbox_up(world, seeded):
    from hubdash.discussions.models import WatchedNamespace

    assert reverse("discussions-home-line") in world.bob.get(reverse("home")).content.decode()
    world.forget_calls()
    line = world.bob.get(reverse("discussions-home-line")).content.decode()
    assert "4 discussions or pull requests wait on an answer from the team" in line
    assert f"{reverse('discussions')}?waiting=yes" in line
    assert "3 discussions or pull requests" in world.charlie.get(reverse("discussions-home-line")).content.decode()
    WatchedNamespace.objects.create(namespace="datalab")  # nobody lends a token for it
    assert "cannot read datalab yet" in world.alice.get(reverse("discussions-home-line")).content.decode()
    assert "cannot read" not in world.bob.get(reverse("discussions-home-line")).content.decode()  # admins only
    WatchedNamespace.objects.all().delete()
    unset = world.alice.get(reverse("discussions-home-line")).content.decode()
    assert "The discussions inbox is not set up" in unset and reverse("discussions-settings") in unset
    assert world.bob.get(reverse("discussions-home-line")).content.decode().strip() == ""  # a member: nothing
    assert world.hub_calls() == []  # drawn from hubdash's rows


def test_the_repo_tab_lists_that_repos_items(world, seeded):
    tab = world.bob.get(reverse("discussions-repo", args=["model", "acme", "bert"]))
    assert titles(tab) == ["Roadmap for v2", "Add a safetensors copy", "How do I fine-tune bert?"]
    html = tab.content.decode()
    assert 'aria-current="page"' in html and "Discussions of acme/bert" in html
    pulls = world.bob.get(reverse("discussions-repo", args=["model", "acme", "bert"]), {"kind": "pull_request"})
    assert titles(pulls) == ["Add a safetensors copy"]
    repo_page = world.bob.get("/models/acme/bert/").content.decode()  # the repo page leads to its tab
    assert f'href="{reverse("discussions-repo", args=["model", "acme", "bert"])}"' in repo_page
    other = world.bob.get(reverse("discussions-repo", args=["model", "zeta-owner", "elsewhere"]))
    assert "zeta-owner is not watched for discussions" in other.content.decode() and titles(other) == []


def test_an_empty_list_says_why_before_the_first_read_and_when_filters_match_nothing(world):
    from hubdash.discussions.models import WatchedNamespace
    from hubdash.jobs.delegation import give_up

    alice = WatchedNamespace.objects.get(namespace="acme").added_by
    give_up(alice, "discussions", "acme")
    unread = world.bob.get(reverse("discussions")).content.decode()
    assert 'data-testid="inbox-empty"' in unread and "Nothing read from the Hub yet" in unread
    assert "The list fills once the first read of acme is done" in unread
    assert "it waits for a token: nobody lends one for its discussions" in unread
    assert reverse("jobs-delegation") in unread  # where to lend one
    assert reverse("discussions-refresh") not in unread  # "Refresh now" would read nothing
    fill()  # paused: still nothing read, and nothing claimed
    assert "Nothing read from the Hub yet" in world.bob.get(reverse("discussions")).content.decode()
    WatchedNamespace.objects.filter(namespace="acme").update(filled_at=timezone.now())
    nothing = world.bob.get(reverse("discussions"), {"q": "no such words"}).content.decode()
    assert "Nothing matches these filters" in nothing and " items" not in nothing
    tab = world.bob.get(reverse("discussions-repo", args=["model", "acme", "bert"])).content.decode()
    assert "This repo has no open or draft discussion or pull request" in tab


def test_without_a_watched_namespace_the_inbox_says_who_chooses_them(world):
    from hubdash.discussions.models import WatchedNamespace

    WatchedNamespace.objects.all().delete()
    assert "No namespace is watched for discussions yet" in world.charlie.get(reverse("discussions")).content.decode()
    assert reverse("discussions-settings") in world.alice.get(reverse("discussions")).content.decode()


def test_a_repo_tab_for_a_name_the_hub_could_not_have_is_not_found(world, seeded):
    """A NUL broke PostgreSQL's query (a 500); any name the Hub refuses has no tab."""
    for path in ("acme/ba%00d", "ac%00me/bert", "acme/bad..name", "acme/" + "x" * 97):
        answer = world.bob.get(f"/discussions/model/{path}/")
        assert answer.status_code == 404 and "How do I fine-tune bert?" not in answer.content.decode(), path


def test_a_title_with_hidden_direction_characters_is_isolated_and_flagged(world, seeded):
    world.open("acme/bert", "zed", "Invoice \u202egpj.exe")
    fill()
    html = world.bob.get(reverse("discussions")).content.decode()
    row = next(r for r in re.findall(r'<tr class="disc-row.*?</tr>', html, re.S) if "Invoice" in r)
    assert re.search(r'<bdi><a class="disc-link" href="[^"]*">Invoice \u202egpj.exe</a></bdi>', row)
    assert "hidden direction characters" in row
    assert "hidden direction characters" not in html.replace(row, "")  # the other titles hold none
