"""Gating from a listing row, and a protected Space called protected: each change goes to the repo's own
endpoint, and the answer is the row (or the settings panel) as the Hub answered, checked against what
hubsim holds afterwards. A refused switch comes back as its row, saying why, with nothing sent or changed.
"""

from __future__ import annotations

import re

import pytest
from huggingface_hub import HfApi

from hubdash.activity.models import Event
from hubdash.hub import cache as hub_cache
from tests.pages import read, row_of
from tests.personas import ALICE_TOKEN, BOB_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
GATED_BADGE = re.compile(r'<span class="badge gated"[^>]*>gated \((auto|manual)\)</span>')


def gated_badge(row: str) -> str | None:
    """The gating the row's badge shows: auto, manual, or None for no badge."""
    found = GATED_BADGE.findall(row)
    assert len(found) <= 1, row
    return found[0] if found else None


def pressed(row: str) -> list[str]:
    """The labels of the row's gating buttons shown pressed."""
    group = row.split('aria-label="Gating of ', 1)[1].split("</div>", 1)[0]
    return re.findall(r'aria-pressed="true"[^>]*>([^<]+)</button>', group)


def on_hub(hub, repo_id: str, kind: str = "model") -> dict:
    return hub.repo_state(repo_id, kind)


def writes(world) -> list[dict]:
    return [r for r in world.hub_calls() if r["method"] in ("POST", "PUT", "DELETE")]


def gate(client, repo_id: str, gating: str, plural: str = "models", **more: str):
    """The row's gating switch, confirmed (a change that gates asks first without `confirm`)."""
    data = {"gating": gating, "place": "row", "confirm": "1", **more}
    return client.post(f"/{plural}/{repo_id}/settings/gating/", data, **HTMX)


@pytest.fixture
def world(browsing):
    browsing.hub.add_repo("acme/open-model", private=False)
    browsing.hub.add_repo("acme/manual-model", private=False, gated="manual")
    browsing.hub.add_repo("someone/their-model", private=False)
    browsing.forget_calls()
    return browsing


def test_writable_rows_offer_gating_named_for_their_repo_and_others_do_not(world):
    page = read(world.alice.get("/models/"))
    row = row_of(page, "acme/open-model")
    assert 'role="group" aria-label="Gating of acme/open-model"' in row
    assert 'hx-post="/models/acme/open-model/settings/gating/"' in row
    assert pressed(row) == ["Off"] and gated_badge(row) is None
    manual = row_of(page, "acme/manual-model")
    assert pressed(manual) == ["Manual"] and gated_badge(manual) == "manual"
    assert "Gating of" not in row_of(page, "someone/their-model")
    assert "csrfmiddlewaretoken" not in row  # cached rows hold no token: htmx sends the page's
    assert "Gating of" not in read(world.bob.get("/models/"))  # a read token writes nowhere


@pytest.mark.parametrize(("gating", "badge", "button", "says"), [
    ("auto", "auto", "Automatic", "The Hub says: gated, auto approval."),
    ("manual", "manual", "Manual", "The Hub says: gated, manual approval."),
    ("off", None, "Off", "The Hub says: access requests are off."),
])  # fmt: skip
def test_gating_from_a_row_answers_with_the_row_as_the_hub_has_it(world, gating, badge, button, says):
    repo_id = "acme/open-model" if gating != "off" else "acme/manual-model"
    world.alice.get("/models/")  # the listing is cached now
    response = gate(world.alice, repo_id, gating)
    assert response.status_code == 200
    row = read(response)
    assert row.lstrip().startswith('<li class="repo-item">')
    assert says in row
    assert gated_badge(row) == badge and pressed(row) == [button]
    assert on_hub(world.hub, repo_id)["gated"] == (badge or False)
    [put] = writes(world)
    assert put["method"] == "PUT" and put["path"] == f"/api/models/{repo_id}/settings"
    [event] = Event.objects.filter(source="hubdash", action="settings", repo_id=repo_id)
    assert event.details == {**event.details, "outcome": "success", "gating": gating}
    # The cached listing, read again, shows the Hub's new state too.
    assert gated_badge(row_of(read(world.alice.get("/models/")), repo_id)) == badge


def test_a_read_only_token_gets_its_row_back_saying_so_and_nothing_is_sent(world):
    response = gate(world.bob, "acme/open-model", "manual")
    assert response.status_code == 403
    row = read(response)
    assert row.lstrip().startswith('<li class="repo-item">')
    assert "Your Hub token is read-only: connect a token with write access to change repos." in row
    assert "Gating of" not in row  # no switch to try again with
    assert writes(world) == []
    assert on_hub(world.hub, "acme/open-model")["gated"] is False


def test_a_repo_in_another_namespace_is_refused_in_its_row(world):
    response = gate(world.alice, "someone/their-model", "auto")
    assert response.status_code == 403
    row = read(response)
    assert '<span class="ns">someone/</span>their-model</a>' in row
    assert "Your Hub token may not change this repo." in row
    assert writes(world) == []
    assert on_hub(world.hub, "someone/their-model")["gated"] is False


@pytest.mark.parametrize(("fault", "status", "says"), [
    ({"status": 503}, 503, "The Hub did not confirm the change: check the repo before trying again."),
    ({"status": 403, "body": '{"error": "Gating is managed by the organisation"}'}, 403,
     "Gating is managed by the organisation"),
    ({"status": 200, "body": "{not json"}, 503, "could not read"),
])  # fmt: skip
def test_a_hub_fault_on_the_change_leaves_a_message_in_the_row(world, fault, status, says):
    world.hub.fault(method="PUT", path="/api/models/acme/open-model/settings", times=1, **fault)
    response = gate(world.alice, "acme/open-model", "manual")
    assert response.status_code == status
    row = read(response)
    assert row.lstrip().startswith('<li class="repo-item">')
    assert says in row and 'role="alert"' in row
    assert "Gating of acme/open-model" in row  # the switches stay, to try again
    assert gated_badge(row) is None and pressed(row) == ["Off"]  # as it was before the change
    assert on_hub(world.hub, "acme/open-model")["gated"] is False
    [event] = Event.objects.filter(source="hubdash", action="settings", repo_id="acme/open-model")
    assert event.details["outcome"] == "failed"


def test_a_repo_deleted_since_the_listing_says_so_in_its_row(world):
    world.alice.get("/models/")
    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).delete_repo("acme/open-model")
    world.forget_calls()
    response = gate(world.alice, "acme/open-model", "manual")
    assert response.status_code == 404
    row = read(response)
    assert row.lstrip().startswith('<li class="repo-item">') and "<html" not in row
    assert "The Hub has no such repository" in row and "Gating of" not in row
    assert writes(world) == []


def test_an_unknown_gating_is_refused_in_the_row(world):
    response = gate(world.alice, "acme/open-model", "sometimes")
    assert response.status_code == 400
    assert "Choose off, automatic or manual." in read(response)
    assert writes(world) == []


# -- protected Spaces ----------------------------------------------------------------------------------


@pytest.fixture
def space(world):
    world.hub.add_repo("acme/demo-space", type="space", private=False, sdk="gradio")
    world.forget_calls()
    return "acme/demo-space"


def test_making_a_space_protected_from_its_row_says_protected(world, space):
    data = {"visibility": "protected", "place": "row", "confirm": "1"}
    response = world.alice.post(f"/spaces/{space}/settings/visibility/", data, **HTMX)
    assert response.status_code == 200
    row = read(response)
    assert "The Hub says: now protected." in row
    assert '<span class="badge protected"' in row and '<span class="badge private">' not in row
    assert "Make public" in row and "Make private" in row and "Make protected" not in row
    assert on_hub(world.hub, space, "space")["visibility"] == "protected"
    [event] = Event.objects.filter(source="hubdash", action="settings", repo_id=space)
    assert event.details["visibility"] == "protected" and event.private is False
    # Repo info cannot tell it (the Space is readable): the listing shows hubdash's last answer for it.
    listed = row_of(read(world.alice.get("/spaces/")), space)
    assert "badge protected" in listed and "badge private" not in listed


def test_a_protected_space_made_public_from_its_row_asks_first(world, space):
    url = f"/spaces/{space}/settings/visibility/"
    world.alice.post(url, {"visibility": "protected", "place": "row", "confirm": "1"}, **HTMX)
    asked = read(world.alice.post(url, {"visibility": "public", "was": "protected", "place": "row"}, **HTMX))
    assert f"Make {space} public?" in asked
    assert on_hub(world.hub, space, "space")["visibility"] == "protected"
    done = read(world.alice.post(url, {"visibility": "public", "confirm": "1", "place": "row"}, **HTMX))
    assert "The Hub says: now public." in done and "badge protected" not in done
    assert on_hub(world.hub, space, "space")["visibility"] == "public"


def test_the_settings_panel_says_protected_after_the_change(world, space):
    data = {"visibility": "protected", "confirm": "1"}
    response = world.alice.post(f"/spaces/{space}/settings/visibility/", data, **HTMX)
    panel = read(response)
    assert response.status_code == 200
    assert '<strong data-testid="current-visibility">protected</strong>' in panel
    assert "The Hub says: now protected." in panel
    assert '<span class="badge protected"' in panel.split('id="repo-badges"', 1)[1]  # the page's header too
    assert on_hub(world.hub, space, "space")["visibility"] == "protected"


def test_a_model_cannot_be_made_protected(world):
    for data in ({"visibility": "protected", "place": "row"}, {"visibility": "protected"}):
        response = world.alice.post("/models/acme/open-model/settings/visibility/", data, **HTMX)
        assert response.status_code == 400
        assert "Choose public or private." in read(response)
    assert writes(world) == []
    assert on_hub(world.hub, "acme/open-model")["visibility"] == "public"


def test_a_space_created_protected_is_stored_protected_and_readable(world):
    response = world.alice.post(
        "/new/", {"kind": "space", "owner": "acme", "name": "guarded", "visibility": "protected", "sdk": "gradio"}
    )
    assert response.status_code == 302
    assert on_hub(world.hub, "acme/guarded", "space")["visibility"] == "protected"
    # Repo info has only `private`: a protected Space is readable, so it is not private there.
    info = HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).space_info("acme/guarded")
    assert info.private is False


# -- asking first ---------------------------------------------------------------------------------------


def test_gating_from_a_row_asks_first_and_cancel_leaves_the_row_and_the_hub_as_they_were(world):
    url = "/models/acme/open-model/settings/gating/"
    asked = read(world.alice.post(url, {"gating": "manual", "place": "row"}, **HTMX))
    assert asked.lstrip().startswith('<li class="repo-item">')
    assert "Gate acme/open-model, approving requests by hand?" in asked and "Yes, gate it" in asked
    assert "downloads by anyone not yet granted access stop working" in asked
    assert re.search(r"<button[^>]*autofocus[^>]*>Cancel</button>", asked)  # a stray Enter changes nothing
    assert writes(world) == [] and on_hub(world.hub, "acme/open-model")["gated"] is False
    cancelled = read(world.alice.post(url, {"place": "row", "cancel": "1"}, **HTMX))
    assert "Gate acme/open-model" not in cancelled and pressed(cancelled) == ["Off"]
    assert gated_badge(cancelled) is None
    assert writes(world) == [] and on_hub(world.hub, "acme/open-model")["gated"] is False
    # Turning gating off breaks nobody's downloads: done at once.
    done = read(
        world.alice.post("/models/acme/manual-model/settings/gating/", {"gating": "off", "place": "row"}, **HTMX)
    )
    assert "The Hub says: access requests are off." in done


def test_a_public_space_made_protected_from_its_row_asks_first(world, space):
    url = f"/spaces/{space}/settings/visibility/"
    asked = read(world.alice.post(url, {"visibility": "protected", "place": "row"}, **HTMX))
    assert f"Make {space} protected?" in asked and "Yes, make it protected" in asked
    assert writes(world) == [] and on_hub(world.hub, space, "space")["visibility"] == "public"


def test_a_row_redrawn_after_a_change_keeps_the_listings_layout(world):
    """A listing without full details shows no commit or file count: the row it gets back does not either."""
    world.hub.add_repo("acme/filled-model", private=False, files={"config.json": "{}", "README.md": "# Filled"})
    listed = row_of(read(world.alice.get("/models/", {"author": "acme"})), "acme/filled-model")
    assert "Latest commit" not in listed and " files" not in listed
    row = read(gate(world.alice, "acme/filled-model", "auto"))
    assert "The Hub says: gated, auto approval." in row
    assert "Latest commit" not in row and " files" not in row
    # From a listing with full details, the row keeps them (its switches say so).
    full = row_of(read(world.alice.get("/models/", {"author": "acme", "full": "on"})), "acme/filled-model")
    assert "Latest commit" in full and '"full": "1"' in full
    files = re.search(r"\d+ files", full).group(0)
    row = read(gate(world.alice, "acme/filled-model", "off", full="1"))
    assert "Latest commit" in row and files in row


# -- a protected Space after a reload ------------------------------------------------------------------


def test_a_protected_space_after_a_reload_shows_hubdashs_last_answer_with_its_age(world, space):
    world.alice.post(f"/spaces/{space}/settings/visibility/", {"visibility": "protected", "confirm": "1"}, **HTMX)
    hub_cache.forget_repo("space", space)  # the cached answers are lost (as on a restart)
    hub_cache.forget_listings()
    page = read(world.alice.get(f"/spaces/{space}/settings/"))
    assert '<strong data-testid="current-visibility">protected</strong>' in page
    assert "As the Hub answered hubdash's last change, <time" in page
    assert '<span class="badge protected"' in page.split('id="repo-badges"', 1)[1]
    overview = read(world.alice.get(f"/spaces/{space}/"))
    assert '<span class="badge protected"' in overview
    assert "<dt>Visibility</dt><dd>protected</dd>" in overview  # its facts agree with its badge
    assert "badge protected" in row_of(read(world.alice.get("/spaces/")), space)
    # The feed's record of the change says protected too (the event's own page).
    event = Event.objects.filter(repo_id=space, action="settings").latest("pk")
    assert "<dt>Visibility</dt><dd>protected</dd>" in read(world.alice.get(f"/activity/{event.pk}/"))
    # Its row still says protected after a gating change from the row (the Hub's answer says so too).
    row = read(gate(world.alice, space, "auto", plural="spaces"))
    assert "badge protected" in row


def test_a_space_not_set_through_hubdash_says_public_or_protected_with_a_link_to_the_hub(world):
    space = "datalab/demo-space"  # alice writes in datalab but is not its admin: its settings list is closed
    world.hub.add_repo(space, type="space", private=False, sdk="gradio")
    page = read(world.alice.get(f"/spaces/{space}/settings/"))
    assert '<strong data-testid="current-visibility">public or protected</strong>' in page
    assert "not set through hubdash" in page and f'href="{world.hub.url}/spaces/{space}/settings"' in page
    assert "Make public" in page  # it may be protected: every choice is offered
    assert "<dt>Visibility</dt><dd>public or protected</dd>" in read(world.alice.get(f"/spaces/{space}/"))


def test_a_protected_space_renamed_or_deleted_in_hubdash_keeps_no_stale_answer(world, space):
    world.alice.post(f"/spaces/{space}/settings/visibility/", {"visibility": "protected", "confirm": "1"}, **HTMX)
    moved = world.alice.post(f"/spaces/{space}/settings/move/", {"owner": "acme", "name": "renamed-space"})
    assert moved.status_code == 302
    page = read(world.alice.get("/spaces/acme/renamed-space/settings/"))
    assert '<strong data-testid="current-visibility">protected</strong>' in page  # the answer followed it
    world.hub.add_repo(space, type="space", private=False)  # someone else's new Space under the old name
    again = read(world.alice.get(f"/spaces/{space}/settings/"))
    assert '<strong data-testid="current-visibility">public</strong>' in again  # as acme's settings list it
    deleted = world.alice.post(
        "/spaces/acme/renamed-space/settings/delete/", {"confirm_id": "acme/renamed-space", "password": PASSWORD}
    )
    assert deleted.status_code == 302
    world.hub.add_repo("acme/renamed-space", type="space", private=False)
    fresh = read(world.alice.get("/spaces/acme/renamed-space/settings/"))
    assert '<strong data-testid="current-visibility">public</strong>' in fresh


def test_an_org_admin_sees_a_space_protected_elsewhere_from_the_orgs_repositories_settings(world, space):
    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).update_repo_settings(
        space, visibility="protected", repo_type="space"
    )
    hub_cache.forget_repo("space", space)  # changed on the Hub, not through hubdash: nothing stored
    page = read(world.alice.get(f"/spaces/{space}/settings/"))
    assert '<strong data-testid="current-visibility">protected</strong>' in page
    assert "As acme's repositories settings on the Hub list it." in page
    calls = [c["path"] for c in world.hub_calls()]
    assert "/api/organizations/acme/settings/repositories" in calls


def test_the_orgs_repositories_settings_are_for_its_admins_only(world):
    """hubsim's emulation of `GET /api/organizations/{org}/settings/repositories`, read as hubdash reads it."""
    from huggingface_hub.utils import HfHubHTTPError, build_hf_headers, get_session, hf_raise_for_status

    world.hub.add_repo("acme/guarded-space", type="space", visibility="protected")
    url = f"{world.hub.url}/api/organizations/acme/settings/repositories"
    answer = get_session().get(
        url, params={"type": "space", "search": "guarded"}, headers=build_hf_headers(token=ALICE_TOKEN)
    )
    hf_raise_for_status(answer)
    assert [(r["id"], r["visibility"]) for r in answer.json()] == [("acme/guarded-space", "protected")]
    refused = get_session().get(url, headers=build_hf_headers(token=BOB_TOKEN))
    with pytest.raises(HfHubHTTPError):
        hf_raise_for_status(refused)
    assert refused.status_code == 403


def test_a_member_who_may_not_read_the_orgs_settings_list_is_not_asked_again_on_each_page(world):
    space = "datalab/demo-space"
    world.hub.add_repo(space, type="space", private=False, sdk="gradio")
    world.alice.get(f"/spaces/{space}/settings/")
    world.alice.get(f"/spaces/{space}/")
    asked = [c for c in world.hub_calls() if c["path"] == "/api/organizations/datalab/settings/repositories"]
    assert len(asked) == 1
