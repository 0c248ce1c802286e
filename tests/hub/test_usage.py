"""hub.usage against hubsim, over real HTTP: what the usage app's daily snapshots are made of."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubdash.hub import BadToken, HubClient, HubUnavailable, InvalidRequest, RateLimited
from hubdash.hub import usage as hub_usage
from hubdash.hub.usage import RepoUsage
from tests.personas import ALICE_TOKEN, BOB_TOKEN

GROWER = {"start": "2026-10-01", "downloadsPerDay": 100, "likesPerDay": 0.5, "storagePerDay": 10, "storageBase": 1000}
LISTS = ("/api/models", "/api/datasets", "/api/spaces")


@pytest.fixture
def acme(hub_world):
    hub = hub_world
    hub.add_user("mallory", tokens={"hf_mallory_write": "write"})
    made = hub.add_repo("acme/grower", downloadsAllTime=1000, likes=5, gated="manual", usage=GROWER)
    hub.add_repo("acme/secret", private=True, downloads=4, downloadsAllTime=40, likes=1)
    hub.add_repo("acme/corpus", type="dataset", downloads=3, downloadsAllTime=7, likes=2)
    hub.add_repo("acme/app", type="space", visibility="protected", likes=9)
    hub.add_repo("acme/tool", type="space", private=True)
    hub.add_repo("alice/own-model", downloads=1)
    hub.add_repo("bob/notes", type="dataset")
    hub.clock(today="2026-11-01")
    hub.control("DELETE", "requests")
    hub.grower_id = made["_id"]
    return hub


@pytest.fixture
def alice() -> HubClient:
    return HubClient(ALICE_TOKEN)


def calls(hub, *paths: str) -> list[dict]:
    return [r for r in hub.requests() if r["path"] in paths]


def by_id(found: list[RepoUsage]) -> dict[str, RepoUsage]:
    return {(u.repo_id if u.kind == "model" else f"{u.kind}:{u.repo_id}"): u for u in found}


def test_one_call_per_kind_gives_every_repos_figures(acme, alice):
    found = by_id(hub_usage.namespace_usage(alice, "acme"))
    assert set(found) == {"acme/grower", "acme/secret", "dataset:acme/corpus", "space:acme/app", "space:acme/tool"}
    grower = found["acme/grower"]
    assert grower.hub_id == acme.grower_id
    assert (grower.downloads_30d, grower.downloads_all_time, grower.likes) == (3000, 1000 + 3100, 5 + 15)
    assert (grower.private, grower.gated) == (False, "manual")
    assert grower.used_storage is not None and grower.used_storage > 1000 + 310
    assert grower.last_modified is not None and grower.last_modified < datetime.now(tz=UTC)
    secret, corpus = found["acme/secret"], found["dataset:acme/corpus"]
    assert (secret.private, secret.gated, secret.downloads_30d, secret.downloads_all_time) == (True, False, 4, 40)
    assert (corpus.kind, corpus.downloads_30d, corpus.downloads_all_time, corpus.likes) == ("dataset", 3, 7, 2)
    app = found["space:acme/app"]
    assert (app.likes, app.private, app.downloads_30d, app.downloads_all_time, app.gated) == (
        9,
        False,
        None,
        None,
        None,
    )

    made = calls(acme, *LISTS)
    assert [r["path"] for r in made] == list(LISTS)  # one call per kind: never one per repo
    for request in made:
        assert "author=acme" in request["query"] and "expand=usedStorage" in request["query"]
        assert "limit=1000" in request["query"]
    assert "expand=downloads" not in made[2]["query"] and "expand=gated" not in made[2]["query"]


def test_pages_are_followed_one_call_each(acme, alice, monkeypatch):
    for n in range(4):
        acme.add_repo(f"acme/m{n}", downloads=n)
    monkeypatch.setattr(hub_usage, "PAGE_LIMIT", 2)
    found = hub_usage.namespace_usage(alice, "acme", kinds=("model",))
    assert sorted(u.repo_id for u in found) == [
        "acme/grower",
        "acme/m0",
        "acme/m1",
        "acme/m2",
        "acme/m3",
        "acme/secret",
    ]
    assert len(calls(acme, "/api/models")) == 3 and calls(acme, "/api/datasets", "/api/spaces") == []


def test_the_clock_moves_the_figures(acme, alice):
    before = by_id(hub_usage.namespace_usage(alice, "acme", kinds=("model",)))["acme/grower"]
    acme.clock(advance_days=10)
    after = by_id(hub_usage.namespace_usage(alice, "acme", kinds=("model",)))["acme/grower"]
    assert after.downloads_all_time == (before.downloads_all_time or 0) + 1000
    assert after.likes == 5 + 20 and after.used_storage == (before.used_storage or 0) + 100
    assert after.downloads_30d == 3000


def test_what_a_token_sees_is_what_it_gets(acme):
    anonymous = by_id(hub_usage.namespace_usage(HubClient(None), "acme"))
    assert set(anonymous) == {"acme/grower", "dataset:acme/corpus", "space:acme/app"}  # no private repos
    assert hub_usage.namespace_usage(HubClient(None), "nobody-here") == []


def test_the_hubs_refusals_are_hubdashs_errors(acme, alice):
    with pytest.raises(InvalidRequest):
        hub_usage.namespace_usage(alice, "acme/grower")
    assert calls(acme, *LISTS) == []
    acme.fault(method="GET", path="/api/datasets", status=429, retry_after=30, times=1)
    with pytest.raises(RateLimited) as limited:
        hub_usage.namespace_usage(alice, "acme")
    assert limited.value.retry_after == 30
    assert len(calls(acme, "/api/datasets")) == 1  # never retried, never slept on
    acme.fault(method="GET", path="/api/models", status=503, times=1)
    with pytest.raises(HubUnavailable):
        hub_usage.namespace_usage(alice, "acme")
    acme.fault(method="GET", path="/api/models", body='[{"id": 3}]', times=1)
    with pytest.raises(HubUnavailable, match="could not read"):
        hub_usage.namespace_usage(alice, "acme")
    elsewhere = {"Link": '<http://elsewhere.test/api/models?cursor=1>; rel="next"'}
    acme.fault(method="GET", path="/api/models", body="[]", headers=elsewhere, times=1)
    with pytest.raises(HubUnavailable, match="points elsewhere"):
        hub_usage.namespace_usage(alice, "acme")
    acme.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    with pytest.raises(BadToken):
        hub_usage.namespace_usage(alice, "acme")


# -- the repositories-settings list -----------------------------------------------------------------------


def test_an_org_admin_reads_visibility_and_storage(acme, alice):
    settings_list = hub_usage.repositories_settings(alice, "acme")
    assert settings_list is not None
    listed = {(s.kind, s.repo_id): s for s in settings_list}
    assert set(listed) == {
        ("model", "acme/grower"), ("model", "acme/secret"), ("dataset", "acme/corpus"), ("space", "acme/app"),
        ("space", "acme/tool"),
    }  # fmt: skip
    assert listed["space", "acme/app"].visibility == "protected"
    assert listed["space", "acme/tool"].visibility == "private"
    assert listed["model", "acme/grower"].visibility == "public"
    grower = by_id(hub_usage.namespace_usage(alice, "acme", kinds=("model",)))["acme/grower"]
    assert listed["model", "acme/grower"].storage == grower.used_storage
    assert all(s.updated_at is not None and s.storage_percent is not None for s in listed.values())
    assert len(calls(acme, "/api/organizations/acme/settings/repositories")) == 1


def test_the_settings_list_is_paged_one_call_a_page(acme, alice):
    acme.control("POST", "switches", {"page_size": 2})
    settings_list = hub_usage.repositories_settings(alice, "acme")
    assert settings_list is not None and len({s.repo_id for s in settings_list}) == 5
    assert len(calls(acme, "/api/organizations/acme/settings/repositories")) == 3


def test_who_may_not_read_the_list_gets_none(acme, alice):
    assert hub_usage.repositories_settings(HubClient(BOB_TOKEN), "acme") is None  # a member, not an admin
    assert hub_usage.repositories_settings(HubClient("hf_mallory_write"), "acme") is None  # not a member
    assert hub_usage.repositories_settings(HubClient(None), "acme") is None
    assert hub_usage.repositories_settings(alice, "bob") is None  # someone else's account
    assert [r["user"] for r in calls(acme, "/api/organizations/acme/settings/repositories")] == ["bob", "mallory"]
    acme.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    with pytest.raises(BadToken):
        hub_usage.repositories_settings(alice, "acme")


def test_a_user_reads_their_own_list(acme, alice):
    own = hub_usage.repositories_settings(alice, "alice")
    assert own is not None and [(s.kind, s.repo_id, s.visibility) for s in own] == [
        ("model", "alice/own-model", "public")
    ]
