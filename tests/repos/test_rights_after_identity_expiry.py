"""What an organisation admin may do does not vanish when the cached Hub identity expires: the next page
asks whoami once (and every page after shares its answer), and a Hub that cannot answer is its own state
(503), never "your token may not change this repo".

The cache entry is deleted as expiry would (no sleeping); alice is admin of acme on hubsim.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from hubdash.hub.tokens import _cache_key
from tests.pages import read, row_of
from tests.personas import ALICE_TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

REPO = "/models/acme/org-model/"
HUB_DOWN = {"method": "GET", "path": "/api/whoami-v2", "status": 503}


@pytest.fixture
def world(browsing):
    browsing.hub.add_repo("acme/org-model", files={"README.md": "# org model\n"})
    browsing.alice.get(REPO)  # the repo's answers are cached: what follows counts only what expiry adds
    cache.delete(_cache_key(ALICE_TOKEN))  # the identity cache period passed without Home or Profile
    browsing.forget_calls()
    return browsing


def whoamis(world) -> int:
    return len(world.hub_calls("/api/whoami-v2"))


def test_the_settings_and_upload_tabs_stay_after_the_identity_expires(world):
    page = read(world.alice.get(REPO))
    assert 'href="/models/acme/org-model/settings/"' in page and 'href="/models/acme/org-model/upload/"' in page
    # A cold identity cache adds exactly one whoami to a page whose repo answers are warm; then none.
    assert [c["path"] for c in world.hub_calls("/")] == ["/api/whoami-v2"]
    world.forget_calls()
    assert 'href="/models/acme/org-model/settings/"' in read(world.alice.get(REPO))
    assert world.hub_calls("/") == []


@pytest.mark.parametrize("path", ["settings/", "upload/", "uploads/"])
def test_the_settings_upload_and_uploads_pages_open_after_the_identity_expires(world, path):
    response = world.alice.get(REPO + path)
    assert response.status_code == 200, read(response)
    assert "may not change this repo" not in read(response)
    assert whoamis(world) == 1


def test_a_cold_repo_page_costs_four_calls_and_one_whoami(browsing):
    browsing.hub.add_repo("acme/org-model", files={"README.md": "# org model\n"})
    cache.delete(_cache_key(ALICE_TOKEN))
    browsing.forget_calls()
    assert 'href="/models/acme/org-model/settings/"' in read(browsing.alice.get(REPO))
    calls = [c["path"] for c in browsing.hub_calls("/")]
    assert calls.count("/api/whoami-v2") == 1 and len(calls) == 5, calls


def test_listing_rows_keep_their_switches_after_the_identity_expires(world):
    page = read(world.alice.get("/models/"))
    assert "Make private" in row_of(page, "acme/org-model")
    assert sorted(c["path"] for c in world.hub_calls() if not c["path"].startswith("/api/models-tags")) == [
        "/api/models",
        "/api/whoami-v2",
    ]
    world.forget_calls()
    assert "Make private" in row_of(read(world.alice.get("/models/")), "acme/org-model")
    assert world.hub_calls() == []


@pytest.mark.parametrize("path", ["settings/", "uploads/"])
def test_a_hub_that_cannot_say_who_you_are_is_a_503_not_a_refusal(world, path):
    world.hub.fault(**HUB_DOWN)
    response = world.alice.get(REPO + path)
    assert response.status_code == 503
    assert "may not change this repo" not in read(response) and "The Hub is not answering" in read(response)


def test_a_row_switch_while_the_hub_cannot_say_who_you_are_is_a_503(world):
    world.hub.fault(**HUB_DOWN)
    url = REPO + "settings/visibility/"
    response = world.alice.post(url, {"visibility": "private", "place": "row"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 503 and "may not change this repo" not in read(response)


def test_the_repo_page_still_shows_while_the_hub_cannot_say_who_you_are(world):
    world.hub.fault(**HUB_DOWN)
    page = world.alice.get(REPO)
    assert page.status_code == 200 and "org-model" in read(page)
    assert whoamis(world) == 1  # asked once for the page, not again for its activity region


def test_creating_a_repo_while_the_hub_is_down_is_a_503_that_keeps_what_was_typed(world):
    world.hub.fault(**HUB_DOWN)
    form = {"kind": "model", "owner": "acme", "name": "kept-name", "visibility": "private"}
    response = world.alice.post("/new/", form)
    assert response.status_code == 503
    html = read(response)
    assert "Connect a Hub token with write access first." not in html
    assert "The Hub is not answering" in html
    assert 'value="kept-name"' in html and '<option value="acme" selected>' in html
