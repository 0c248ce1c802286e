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


def test_a_webhook_about_a_repo_drops_hubdashs_cached_copy_of_it(people, events, hub_world):
    from huggingface_hub import HfApi

    from tests.personas import ALICE_TOKEN

    alice, _, _ = people
    assert "Second edition" not in alice.get("/models/acme/bert-tiny/").content.decode()
    HfApi(endpoint=hub_world.url, token=ALICE_TOKEN).upload_file(
        path_or_fileobj=b"# Second edition\n", path_in_repo="README.md", repo_id="acme/bert-tiny"
    )
    # hubdash still shows what it cached a moment ago...
    assert "Second edition" not in alice.get("/models/acme/bert-tiny/").content.decode()
    # ...until the Hub's webhook says that the repo changed.
    assert deliver(v3("repo.content", "update", repo="acme/bert-tiny")).status == 201
    assert "Second edition" in alice.get("/models/acme/bert-tiny/").content.decode()
