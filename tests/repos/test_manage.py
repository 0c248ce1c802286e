"""Managing repos over the real stack: hubdash's views, hubsim as the Hub, the personas' own tokens.

Each action is checked on the Hub afterwards (through huggingface_hub against hubsim), in the feed
(hubdash's Event rows), and on hubdash's own pages.
"""

from __future__ import annotations

import re

import pytest
from huggingface_hub import HfApi

from hubdash.activity.models import Event
from tests.pages import read
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def api(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=ALICE_TOKEN)


def repo_exists(hub, repo_id: str, kind: str = "model") -> bool:
    return api(hub).repo_exists(repo_id, repo_type=kind)


def events(action: str, repo_id: str) -> list[Event]:
    return list(Event.objects.filter(source="hubdash", action=action, repo_id=repo_id).order_by("id"))


def writes(browsing) -> list[dict]:
    """The changes hubdash sent to the Hub (anything but reads)."""
    return [r for r in browsing.hub_calls() if r["method"] in ("POST", "PUT", "DELETE")]


def create(client, **fields):
    data = {"kind": "model", "owner": "acme", "name": "fresh-model", "visibility": "public", **fields}
    return client.post("/new/", data)


# -- create -------------------------------------------------------------------------------------------


def test_create_a_private_model_lands_on_its_page(browsing):
    response = create(browsing.alice, visibility="private")
    assert response.status_code == 302
    assert response["Location"] == "/models/acme/fresh-model/"
    assert api(browsing.hub).model_info("acme/fresh-model").private is True
    page = read(browsing.alice.get(response["Location"]))
    assert "Created acme/fresh-model." in page
    assert "private" in page
    [event] = events("create", "acme/fresh-model")
    assert event.details["outcome"] == "success"
    assert event.details["url"].endswith("/acme/fresh-model")
    assert event.member.username == "alice"


def test_create_a_space_in_your_own_namespace_with_its_sdk_and_a_license(browsing):
    response = create(browsing.alice, kind="space", owner="alice", name="demo-app", sdk="docker", license="mit")
    assert response.status_code == 302
    assert response["Location"] == "/spaces/alice/demo-app/"
    info = api(browsing.hub).space_info("alice/demo-app")
    assert info.sdk == "docker"
    assert info.card_data is not None and info.card_data.get("license") == "mit"
    page = read(browsing.alice.get(response["Location"]))
    assert "mit" in page


def test_a_space_needs_an_sdk_and_only_spaces_are_protected(browsing):
    response = create(browsing.alice, kind="space", sdk="")
    assert response.status_code == 400
    assert "A Space needs an SDK." in read(response)
    response = create(browsing.alice, kind="dataset", visibility="protected")
    assert response.status_code == 400
    assert "Only Spaces can be protected." in read(response)
    assert writes(browsing) == []


def test_the_owner_choices_are_you_and_the_orgs_where_you_may_create(browsing):
    page = read(browsing.alice.get("/new/?type=dataset"))
    owners = re.findall(r'<option value="([^"]+)"', page.split('id="id_owner"')[1].split("</select>")[0])
    assert owners == ["alice", "acme", "datalab"]
    assert re.search(r'value="dataset" checked', page)


@pytest.mark.parametrize(
    ("name", "problem"),
    [("bad--name", "Not a valid name"), ("-start", "Not a valid name"), ("a/b", "cannot contain"), ("x" * 97, "96")],
)
def test_an_invalid_name_is_refused_before_anything_is_sent(browsing, name, problem):
    response = create(browsing.alice, name=name)
    assert response.status_code == 400
    page = read(response)
    assert problem in page
    assert writes(browsing) == []
    check = read(browsing.alice.get("/new/check-name/", {"name": name}))
    assert problem in check


def test_the_name_is_checked_as_you_type(browsing):
    check = read(browsing.alice.get("/new/check-name/", {"name": "good-name.v2"}))
    assert "follows the Hub's naming rules" in check
    assert browsing.hub_calls() == []


def test_the_name_check_says_when_the_owner_already_has_that_repo(browsing):
    browsing.hub.add_repo("acme/fresh-model", private=True)
    browsing.hub.add_repo("acme/fresh-space", type="space")
    browsing.forget_calls()
    taken = read(browsing.alice.get("/new/check-name/", {"name": "fresh-model", "owner": "acme", "kind": "model"}))
    assert "acme/fresh-model already exists" in taken and 'href="/models/acme/fresh-model/"' in taken
    assert 'class="help error"' in taken
    free = read(browsing.alice.get("/new/check-name/", {"name": "fresh-space", "owner": "acme", "kind": "model"}))
    assert "already exists" not in free and "is free in acme" in free  # a Space of that name is no model
    space = read(browsing.alice.get("/new/check-name/", {"name": "fresh-space", "owner": "acme", "kind": "space"}))
    assert "acme/fresh-space already exists" in space
    # Typing pauses are checked once: the same name asked again is answered from the cache.
    calls = len(browsing.hub_calls())
    browsing.alice.get("/new/check-name/", {"name": "fresh-model", "owner": "acme", "kind": "model"})
    assert len(browsing.hub_calls()) == calls


def test_the_name_check_says_so_when_the_hub_cannot_answer(browsing):
    browsing.hub.fault(method="GET", path="/api/models/acme/some-name", status=503)
    check = read(browsing.alice.get("/new/check-name/", {"name": "some-name", "owner": "acme", "kind": "model"}))
    assert "follows the Hub's naming rules; hubdash could not check whether it is free" in check


def test_an_existing_repo_is_a_conflict_with_a_link_and_the_form_still_filled(browsing):
    browsing.hub.add_repo("acme/fresh-model", private=True)
    response = create(browsing.alice, license="apache-2.0")
    assert response.status_code == 409
    page = read(response)
    assert 'There is already a model named <a href="/models/acme/fresh-model/">acme/fresh-model</a>' in page
    assert 'value="fresh-model"' in page
    assert '<option value="apache-2.0" selected>' in page
    assert api(browsing.hub).model_info("acme/fresh-model").private is True  # untouched, not reused
    [event] = events("create", "acme/fresh-model")
    assert event.details["outcome"] == "failed"
    assert "already" in event.details["reason"]
    assert event.summary == "create failed"


def test_no_right_to_create_in_an_organisation_is_said_plainly(browsing):
    browsing.alice.get("/new/")  # whoami cached: alice is admin of acme
    browsing.hub.add_user("alice", orgs={"acme": "read"})  # ... until the Hub says otherwise
    response = create(browsing.alice)
    assert response.status_code == 403
    page = read(response)
    assert "you may not do this in acme" in page
    assert 'value="fresh-model"' in page
    assert not repo_exists(browsing.hub, "acme/fresh-model")
    assert events("create", "acme/fresh-model")[0].details["outcome"] == "failed"


def test_an_organisation_forcing_private_repos_is_said_plainly(browsing):
    message = "Organization acme only allows private repositories"
    browsing.hub.fault(
        method="POST", path="/api/repos/create", status=403, body=f'{{"error": "{message}"}}',
        headers={"X-Error-Message": message, "Content-Type": "application/json"}, times=1,
    )  # fmt: skip
    response = create(browsing.alice)
    assert response.status_code == 403
    page = read(response)
    assert message in page
    assert 'value="fresh-model"' in page
    assert not repo_exists(browsing.hub, "acme/fresh-model")


def test_a_read_only_token_cannot_create(browsing):
    browsing.hub.add_repo("acme/seen", private=False)
    page = read(browsing.bob.get("/new/"))
    assert "Your Hub token is read-only" in page
    response = create(browsing.bob, owner="bob")
    assert response.status_code == 403
    assert "read-only" in read(response)
    assert writes(browsing) == []
    assert not repo_exists(browsing.hub, "bob/fresh-model")


def test_without_a_token_there_is_nothing_to_create_with(browsing):
    assert "Connect a Hub token first" in read(browsing.charlie.get("/new/"))
    response = create(browsing.charlie, owner="charlie")
    assert response.status_code == 403
    assert writes(browsing) == []


@pytest.mark.parametrize(
    ("fault", "status", "says"),
    [
        ({"status": 429, "retry_after": 30}, 429, "Try again in 30 s"),
        ({"status": 500}, 503, "did not confirm the change"),
        ({"status": 503}, 503, "did not confirm the change"),
        ({"reset": True}, 503, "did not confirm the change"),
        ({"status": 200, "body": "{trunc"}, 503, "could not read"),
    ],
)
def test_a_hub_fault_during_create_leaves_a_clear_message_and_the_form_filled(browsing, fault, status, says):
    browsing.hub.fault(method="POST", path="/api/repos/create", times=1, **fault)
    response = create(browsing.alice, visibility="private")
    assert response.status_code == status
    page = read(response)
    assert says in page
    assert 'value="fresh-model"' in page
    assert re.search(r'value="private" checked', page)
    assert not repo_exists(browsing.hub, "acme/fresh-model")
    [event] = events("create", "acme/fresh-model")
    assert event.details["outcome"] == "failed"


def test_a_new_repo_shows_in_the_listing_at_once(browsing):
    browsing.hub.add_repo("acme/old-model")
    before = read(browsing.alice.get("/models/", {"author": "acme"}))
    assert "old-model" in before and "fresh-model" not in before
    create(browsing.alice)
    after = read(browsing.alice.get("/models/", {"author": "acme"}))
    assert 'href="/models/acme/fresh-model/"' in after


def test_new_repo_buttons_on_the_home_page_and_the_listings(browsing):
    assert 'href="/new/"' in read(browsing.alice.get("/"))
    assert 'href="/new/?type=dataset"' in read(browsing.alice.get("/datasets/"))


# -- the settings panel -------------------------------------------------------------------------------


@pytest.fixture
def repo(browsing):
    browsing.hub.add_repo("acme/bert-tiny", private=True)
    browsing.forget_calls()
    return "acme/bert-tiny"


def test_the_settings_tab_is_for_those_who_may_write(browsing, repo):
    assert 'href="/models/acme/bert-tiny/settings/"' in read(browsing.alice.get("/models/acme/bert-tiny/"))
    browsing.hub.add_repo("acme/open", private=False)
    assert "/settings/" not in read(browsing.bob.get("/models/acme/open/"))
    assert browsing.bob.get("/models/acme/open/settings/").status_code == 403
    assert browsing.charlie.get("/models/acme/open/settings/").status_code == 403
    assert browsing.alice.get("/models/acme/bert-tiny/settings/").status_code == 200


def test_making_a_repo_public_asks_first_then_shows_what_the_hub_answered(browsing, repo):
    url = "/models/acme/bert-tiny/settings/visibility/"
    asked = browsing.alice.post(url, {"visibility": "public"}, **HTMX)
    assert asked.status_code == 200
    assert "Make acme/bert-tiny public?" in read(asked)
    assert api(browsing.hub).model_info(repo).private is True
    assert writes(browsing) == []
    done = browsing.alice.post(url, {"visibility": "public", "confirm": "1"}, **HTMX)
    body = read(done)
    assert done.status_code == 200
    assert "The Hub says: now public." in body
    assert 'id="repo-badges" class="repo-badges" hx-swap-oob="true"' in body
    assert api(browsing.hub).model_info(repo).private is False
    [event] = events("settings", repo)
    assert event.details["outcome"] == "success"
    assert event.details["visibility"] == "public"
    assert event.details["url"] == f"{browsing.hub.url}/acme/bert-tiny"
    assert event.summary == "visibility to public"


def test_making_a_repo_private_asks_first_without_javascript_and_listings_follow_at_once(browsing, repo):
    browsing.hub.add_repo("acme/open-model", private=False)
    listing = read(browsing.alice.get("/models/", {"author": "acme"}))
    row = listing.split("open-model</a>")[1].split("</p>")[0]
    assert "private" not in row
    url = "/models/acme/open-model/settings/visibility/"
    asked = read(browsing.alice.post(url, {"visibility": "private"}))  # without htmx: the settings page asks
    assert "Make acme/open-model private?" in asked and "Yes, make it private" in asked
    assert 'name="confirm" value="1"' in asked and "csrfmiddlewaretoken" in asked
    assert api(browsing.hub).model_info("acme/open-model").private is False
    response = browsing.alice.post(url, {"visibility": "private", "confirm": "1"})
    assert response.status_code == 302  # without htmx: back to the settings page
    assert api(browsing.hub).model_info("acme/open-model").private is True
    assert "acme/open-model is now private." in read(browsing.alice.get(response["Location"]))
    listing = read(browsing.alice.get("/models/", {"author": "acme"}))
    row = listing.split("open-model</a>")[1].split("</p>")[0]
    assert "private" in row


@pytest.mark.parametrize("gating", ["manual", "auto", "off"])
def test_gating_is_set_on_the_hub(browsing, repo, gating):
    url = "/models/acme/bert-tiny/settings/gating/"
    response = browsing.alice.post(url, {"gating": gating, "confirm": "1"}, **HTMX)
    assert response.status_code == 200
    expected = False if gating == "off" else gating
    assert api(browsing.hub).model_info(repo).gated == expected
    assert "The Hub says:" in read(response)
    assert events("settings", repo)[0].details["gating"] == gating


def test_a_hub_fault_while_changing_settings_changes_nothing_and_says_so(browsing, repo):
    browsing.hub.fault(method="PUT", path="/api/models/acme/bert-tiny/settings", status=503, times=1)
    url = "/models/acme/bert-tiny/settings/gating/"
    response = browsing.alice.post(url, {"gating": "manual", "confirm": "1"}, **HTMX)
    assert response.status_code == 503
    assert "did not confirm the change" in read(response)
    assert api(browsing.hub).model_info(repo).gated is False
    assert events("settings", repo)[0].details["outcome"] == "failed"


def test_bob_cannot_change_settings(browsing):
    browsing.hub.add_repo("acme/open", private=False)
    for path, data in (("visibility", {"visibility": "private"}), ("gating", {"gating": "manual"}),
                       ("move", {"owner": "acme", "name": "taken"}),
                       ("delete", {"confirm_id": "acme/open", "password": PASSWORD})):  # fmt: skip
        response = browsing.bob.post(f"/models/acme/open/settings/{path}/", data)
        assert response.status_code == 403, path
        assert "read-only" in read(response)
    info = api(browsing.hub).model_info("acme/open")
    assert (info.private, info.gated) == (False, False)
    assert writes(browsing) == []
    assert not Event.objects.filter(source="hubdash").exists()


def test_settings_change_only_with_a_post(browsing, repo):
    # A GET only asks (a row's switch without JavaScript): the page's form posts, nothing is sent yet.
    asked = browsing.alice.get("/models/acme/bert-tiny/settings/visibility/", {"visibility": "private"})
    assert asked.status_code == 200 and "Make acme/bert-tiny private?" in read(asked)
    asked = browsing.alice.get("/models/acme/bert-tiny/settings/gating/", {"gating": "auto"})
    assert asked.status_code == 200 and "Gate acme/bert-tiny, approving requests automatically?" in read(asked)
    assert browsing.alice.get("/models/acme/bert-tiny/settings/visibility/").status_code == 302  # nothing asked
    assert writes(browsing) == []
    assert browsing.alice.get("/models/acme/bert-tiny/settings/delete/").status_code == 405


# -- move ---------------------------------------------------------------------------------------------


def test_rename_moves_the_repo_and_its_old_name_leads_to_the_new_one(browsing, repo):
    response = browsing.alice.post("/models/acme/bert-tiny/settings/move/", {"owner": "datalab", "name": "bert-small"})
    assert response.status_code == 302
    assert response["Location"] == "/models/datalab/bert-small/"
    assert repo_exists(browsing.hub, "datalab/bert-small")
    assert read(browsing.alice.get(response["Location"])).count("Moved acme/bert-tiny to datalab/bert-small.") == 1
    old = browsing.alice.get("/models/acme/bert-tiny/")
    assert old.status_code == 302 and old["Location"] == "/models/datalab/bert-small/"
    [event] = events("move", "datalab/bert-small")
    assert event.details["from"] == "acme/bert-tiny"


def test_moving_onto_an_existing_repo_is_refused_with_a_link(browsing, repo):
    browsing.hub.add_repo("acme/taken")
    response = browsing.alice.post("/models/acme/bert-tiny/settings/move/", {"owner": "acme", "name": "taken"})
    assert response.status_code == 409
    page = read(response)
    assert 'There is already a model named <a href="/models/acme/taken/">acme/taken</a>' in page
    assert 'value="taken"' in page
    assert repo_exists(browsing.hub, repo)
    assert events("move", repo)[0].details["outcome"] == "failed"


# -- delete -------------------------------------------------------------------------------------------


def delete(client, repo_id="acme/bert-tiny", **fields):
    data = {"confirm_id": repo_id, "password": PASSWORD, **fields}
    return client.post(f"/models/{repo_id}/settings/delete/", data)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"confirm_id": "bert-tiny"}, "Type acme/bert-tiny exactly."),
        ({"password": "wrong"}, "That is not your password."),
    ],
)
def test_delete_needs_the_full_name_and_your_password(browsing, repo, fields, says):
    response = delete(browsing.alice, **fields)
    assert response.status_code == 400
    assert says in read(response)
    assert repo_exists(browsing.hub, repo)
    assert writes(browsing) == []


def test_delete_password_checks_are_throttled_like_sign_in(browsing, repo, settings):
    statuses = [delete(browsing.alice, password="guess").status_code for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1) and statuses[-1] == 429
    # While paused, even the right password deletes nothing.
    assert delete(browsing.alice).status_code == 429
    assert repo_exists(browsing.hub, repo)


def test_delete_removes_the_repo_from_the_hub_and_from_hubdash_at_once(browsing, repo):
    assert "bert-tiny" in read(browsing.alice.get("/models/", {"author": "acme"}))  # cached listing
    assert browsing.alice.get("/models/acme/bert-tiny/").status_code == 200  # cached repo page
    response = delete(browsing.alice)
    assert response.status_code == 302
    assert response["Location"] == "/models/?author=acme"
    assert not repo_exists(browsing.hub, repo)
    listing = read(browsing.alice.get(response["Location"]))
    assert "Deleted acme/bert-tiny." in listing
    assert "/models/acme/bert-tiny/" not in listing
    assert browsing.alice.get("/models/acme/bert-tiny/").status_code == 404
    [event] = events("delete", repo)
    assert event.details["outcome"] == "success"


def test_a_repo_already_gone_counts_as_deleted(browsing, repo):
    api(browsing.hub).delete_repo(repo)
    response = delete(browsing.alice)
    assert response.status_code == 302
    assert "acme/bert-tiny was already gone" in read(browsing.alice.get(response["Location"]))
    assert events("delete", repo)[0].details["outcome"] == "success"


def test_a_hub_fault_during_delete_keeps_the_repo_and_says_so(browsing, repo):
    browsing.hub.fault(method="DELETE", path="/api/repos/delete", status=429, retry_after=12, times=1)
    response = delete(browsing.alice)
    assert response.status_code == 429
    assert "Try again in 12 s" in read(response)
    assert repo_exists(browsing.hub, repo)
    assert events("delete", repo)[0].details["outcome"] == "failed"


# -- the feed -----------------------------------------------------------------------------------------


def test_every_action_is_in_the_feed(browsing):
    create(browsing.alice, name="feed-model", visibility="private")
    browsing.alice.post("/models/acme/feed-model/settings/gating/", {"gating": "auto", "confirm": "1"})
    browsing.alice.post("/models/acme/feed-model/settings/move/", {"owner": "acme", "name": "feed-model-2"})
    delete(browsing.alice, repo_id="acme/feed-model-2")
    feed = read(browsing.alice.get("/activity/"))
    for what in ("created", "gating to auto", "moved from acme/feed-model", "deleted"):
        assert what in feed, what


def test_a_create_whose_answer_is_lost_says_it_may_have_happened_and_a_retry_finds_it(browsing):
    browsing.hub.fault(method="POST", path="/api/repos/create", truncate=True, times=1)
    response = create(browsing.alice)
    assert response.status_code == 503
    assert "did not confirm the change: check the repo before trying again" in read(response)
    assert repo_exists(browsing.hub, "acme/fresh-model")  # the Hub did it; only its answer was cut off
    again = create(browsing.alice)
    assert again.status_code == 409
    assert 'href="/models/acme/fresh-model/"' in read(again)


def test_a_hub_that_hangs_during_create_ends_in_a_clear_message(browsing, settings):
    from hubdash.hub import transport

    browsing.hub.fault(method="POST", path="/api/repos/create", hang=True, times=1)
    shipped = settings.HUB_READ_TIMEOUT
    settings.HUB_READ_TIMEOUT = 1  # the read timeout ends the wait, as in production, after 1 s instead of 10
    transport.install()  # pick up the shorter timeout
    try:
        response = create(browsing.alice)
    finally:
        settings.HUB_READ_TIMEOUT = shipped
        transport.install()
    assert response.status_code == 503
    page = read(response)
    assert "did not answer in time" in page
    assert 'value="fresh-model"' in page
    assert events("create", "acme/fresh-model")[0].details["outcome"] == "failed"


@pytest.mark.parametrize(("kind", "plural"), [("dataset", "datasets"), ("space", "spaces")])
def test_datasets_and_spaces_have_the_same_settings(browsing, kind, plural):
    browsing.hub.add_repo("acme/thing", type=kind, private=False)
    page = read(browsing.alice.get(f"/{plural}/acme/thing/settings/"))
    assert f"Delete this {kind}" in page
    url = f"/{plural}/acme/thing/settings/visibility/"
    response = browsing.alice.post(url, {"visibility": "private", "confirm": "1"}, **HTMX)
    assert "The Hub says: now private." in read(response)
    assert api(browsing.hub).repo_info("acme/thing", repo_type=kind).private is True
    response = browsing.alice.post(
        f"/{plural}/acme/thing/settings/delete/", {"confirm_id": "acme/thing", "password": PASSWORD}
    )
    assert response["Location"] == f"/{plural}/?author=acme"
    assert not repo_exists(browsing.hub, "acme/thing", kind)


def test_a_change_the_hub_took_but_hubdash_could_not_read_back_is_not_called_a_failure(browsing, repo):
    browsing.alice.get("/models/acme/bert-tiny/settings/")  # the repo's info is cached for the next view
    browsing.hub.fault(method="GET", path="/api/models/acme/bert-tiny", status=503, times=1)
    url = "/models/acme/bert-tiny/settings/gating/"
    response = browsing.alice.post(url, {"gating": "auto", "confirm": "1"}, **HTMX)
    assert response.status_code == 200
    assert "The Hub accepted the change, but hubdash could not read the repo back" in read(response)
    assert api(browsing.hub).model_info(repo).gated == "auto"
    assert events("settings", repo)[0].details["outcome"] == "success"


def test_a_hub_fault_during_a_move_leaves_the_repo_where_it_was(browsing, repo):
    browsing.hub.fault(method="POST", path="/api/repos/move", status=502, times=1)
    response = browsing.alice.post("/models/acme/bert-tiny/settings/move/", {"owner": "acme", "name": "renamed"})
    assert response.status_code == 503
    page = read(response)
    assert "did not confirm the change" in page
    assert 'value="renamed"' in page
    assert repo_exists(browsing.hub, repo) and not repo_exists(browsing.hub, "acme/renamed")
    assert events("move", repo)[0].details["outcome"] == "failed"


def test_without_a_token_nobody_changes_a_public_repo(browsing):
    browsing.hub.add_repo("acme/open", private=False)
    response = browsing.charlie.post("/models/acme/open/settings/visibility/", {"visibility": "private"})
    assert response.status_code == 403
    response = browsing.charlie.post(
        "/models/acme/open/settings/delete/", {"confirm_id": "acme/open", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert writes(browsing) == []
    assert repo_exists(browsing.hub, "acme/open")


def test_changes_need_the_csrf_token(browsing, repo, alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert create(strict).status_code == 403
    assert strict.post("/models/acme/bert-tiny/settings/visibility/", {"visibility": "public"}).status_code == 403
    assert delete(strict).status_code == 403
    assert writes(browsing) == []


def test_no_page_or_answer_of_managing_shows_the_token(browsing, repo):
    browsing.hub.fault(method="POST", path="/api/repos/create", status=500, times=1)
    responses = [
        browsing.alice.get("/new/"),
        create(browsing.alice),  # the fault
        create(browsing.alice),  # created
        create(browsing.alice),  # exists
        browsing.alice.get("/models/acme/bert-tiny/settings/"),
        browsing.alice.post("/models/acme/bert-tiny/settings/visibility/", {"visibility": "public"}, **HTMX),
        delete(browsing.alice, password="wrong"),
        delete(browsing.alice),
    ]
    for response in responses:
        text = read(response) + str(response.headers)
        assert "SENTINEL" not in text
    assert not any("SENTINEL" in str(event.details) for event in Event.objects.all())
