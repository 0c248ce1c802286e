"""The feed as a region of the home page (the person's namespaces) and of each repo page (that repo)."""

from __future__ import annotations

import pytest

from hubdash.activity import record
from tests.activity.conftest import deliver, shown, v3


@pytest.fixture
def events(secrets, hub_world):
    hub_world.add_repo("acme/bert-tiny", likes=3)
    return {
        "acme": deliver(v3("repo", "create", repo="acme/bert-tiny", private=False)).body["event"],
        "acme_other": deliver(v3("repo", "create", repo="acme/other", private=True)).body["event"],
        "bob": deliver(v3("repo", "create", repo="bob/own", private=True)).body["event"],
        "elsewhere": deliver(v3("repo", "create", repo="zeta/public", private=False)).body["event"],
        "team": record(action="team", summary="invited dora").pk,
    }


def test_home_shows_activity_in_the_persons_namespaces(people, events):
    _, bob, _ = people
    html = bob.get("/").content.decode()
    assert "Activity in your namespaces" in html
    assert shown(bob.get("/")) == [events["bob"], events["acme_other"], events["acme"]]


def test_a_repo_page_shows_that_repos_activity(people, events):
    alice, _, _ = people
    response = alice.get("/models/acme/bert-tiny/")
    assert response.status_code == 200
    assert shown(response) == [events["acme"]]
    assert 'href="/activity/?repo=acme%2Fbert-tiny&amp;type=model">All activity' in response.content.decode()
