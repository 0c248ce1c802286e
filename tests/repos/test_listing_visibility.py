"""The visibility switch on listing rows: only on the rows of repos the person may write, from what hubdash
already knows (no Hub call per row), posting to the repo's own visibility endpoint and answering with the
row as the Hub now has it; cached listings never show one person's switches to another.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from huggingface_hub import HfApi

from hubdash.hub.tokens import _cache_key
from tests.pages import read, row_of
from tests.personas import ALICE_TOKEN, FINE_TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

HTMX = {"HTTP_HX_REQUEST": "true"}


def switch_url(repo_id: str, plural: str = "models") -> str:
    return f"/{plural}/{repo_id}/settings/visibility/"


def is_private(hub, repo_id: str, kind: str = "model") -> bool:
    return bool(HfApi(endpoint=hub.url, token=ALICE_TOKEN).repo_info(repo_id, repo_type=kind).private)


@pytest.fixture
def world(browsing):
    browsing.hub.add_repo("acme/open-model", private=False)
    browsing.hub.add_repo("acme/secret-model", private=True)
    browsing.hub.add_repo("someone/their-model", private=False)
    browsing.forget_calls()
    return browsing


def test_rows_the_person_may_write_carry_the_switch_and_cost_no_hub_call_each(world):
    page = read(world.alice.get("/models/"))
    assert "Make private" in row_of(page, "acme/open-model")
    assert f'hx-post="{switch_url("acme/open-model")}"' in row_of(page, "acme/open-model")
    assert "Make public" in row_of(page, "acme/secret-model")
    assert "row-visibility" not in row_of(page, "someone/their-model")  # not hers to change
    # One listing call (and the public tag vocabulary), nothing per row.
    assert [c["path"] for c in world.hub_calls() if not c["path"].startswith("/api/models-tags")] == ["/api/models"]
    # A read token writes nowhere: the same listing has no switch at all.
    assert "row-visibility" not in read(world.bob.get("/models/"))


def test_a_cached_listing_follows_what_the_person_may_write(world):
    """The rendered body is cached per token scope: what the person may write is part of its key."""
    first = read(world.alice.get("/models/"))
    assert "row-visibility" in row_of(first, "acme/open-model")
    world.hub.add_user("alice", orgs={"acme": "read"})  # demoted on the Hub
    cache.delete(_cache_key(ALICE_TOKEN))  # her whoami answer expired: the next page asks again
    again = read(world.alice.get("/models/"))
    assert "row-visibility" not in row_of(again, "acme/open-model")


def test_a_fine_grained_token_gets_switches_only_where_its_scopes_write(world, alice):
    from hubdash import hub

    hub.connect_token(alice, FINE_TOKEN)
    page = read(world.alice.get("/models/"))
    assert "row-visibility" in row_of(page, "acme/open-model")
    assert "row-visibility" not in row_of(page, "someone/their-model")


def test_making_a_row_private_answers_with_the_row_as_the_hub_has_it(world):
    world.alice.get("/models/")  # the listing is cached now
    data = {"visibility": "private", "place": "row", "confirm": "1"}
    response = world.alice.post(switch_url("acme/open-model"), data, **HTMX)
    assert response.status_code == 200
    row = read(response)
    assert row.lstrip().startswith('<li class="repo-item">')
    assert '<span class="badge private">private</span>' in row and "Make public" in row
    assert "The Hub says: now private." in row
    assert is_private(world.hub, "acme/open-model")
    # The listings generation moved: the cached listing does not show the old state.
    assert '<span class="badge private">' in row_of(read(world.alice.get("/models/")), "acme/open-model")


def test_making_a_row_public_asks_first_and_cancel_changes_nothing(world):
    url = switch_url("acme/secret-model")
    asked = read(world.alice.post(url, {"visibility": "public", "place": "row"}, **HTMX))
    assert "Make acme/secret-model public?" in asked and "Yes, make it public" in asked
    assert is_private(world.hub, "acme/secret-model")
    cancelled = read(world.alice.post(url, {"place": "row", "cancel": "1"}, **HTMX))
    assert "public?" not in cancelled and "Make public" in cancelled
    assert not [c for c in world.hub_calls() if c["method"] != "GET"]  # nothing was sent to the Hub
    done = read(world.alice.post(url, {"visibility": "public", "confirm": "1", "place": "row"}, **HTMX))
    assert "The Hub says: now public." in done and '<span class="badge private">' not in done
    assert not is_private(world.hub, "acme/secret-model")


def test_a_row_switch_refused_for_someone_who_may_not_write(world):
    response = world.bob.post(switch_url("acme/open-model"), {"visibility": "private", "place": "row"}, **HTMX)
    assert response.status_code == 403
    assert not is_private(world.hub, "acme/open-model")


def test_spaces_can_be_made_protected_from_their_row_and_their_settings(world):
    world.hub.add_repo("acme/demo-space", type="space", private=True, sdk="gradio")
    row = row_of(read(world.alice.get("/spaces/")), "acme/demo-space")
    assert "Make protected" in row and "Make public" in row
    assert "Make protected" not in row_of(read(world.alice.get("/models/")), "acme/open-model")
    settings_page = read(world.alice.get("/spaces/acme/demo-space/settings/"))
    assert 'name="visibility" value="protected"' in settings_page
    url = switch_url("acme/demo-space", "spaces")
    asked = read(world.alice.post(url, {"visibility": "protected", "place": "row"}, **HTMX))
    assert "Make acme/demo-space protected?" in asked  # its app becomes public: asked first
    world.alice.post(url, {"visibility": "protected", "confirm": "1", "place": "row"}, **HTMX)
    [change] = [c for c in world.hub_calls() if c["method"] == "PUT"]
    assert change["path"].endswith("/acme/demo-space/settings")
    assert not is_private(world.hub, "acme/demo-space", "space")  # protected: the app is public
    # A model cannot be protected: refused with the choices it has, nothing sent.
    refused = world.alice.post(switch_url("acme/open-model"), {"visibility": "protected"}, **HTMX)
    assert refused.status_code == 400 and "Choose public or private." in read(refused)


def test_making_a_row_private_asks_first_and_cancel_changes_nothing(world):
    url = switch_url("acme/open-model")
    asked = read(world.alice.post(url, {"visibility": "private", "place": "row"}, **HTMX))
    assert asked.lstrip().startswith('<li class="repo-item">')
    assert "Make acme/open-model private?" in asked and "Yes, make it private" in asked
    assert "downloads, and apps that load it, stop working" in asked
    assert not is_private(world.hub, "acme/open-model")
    cancelled = read(world.alice.post(url, {"place": "row", "cancel": "1"}, **HTMX))
    assert "private?" not in cancelled and "Make private" in cancelled
    assert '<span class="badge private">' not in cancelled
    assert not [c for c in world.hub_calls() if c["method"] != "GET"]
    assert not is_private(world.hub, "acme/open-model")
