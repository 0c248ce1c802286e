"""hub.access and hub.ratelimit against hubsim, over real HTTP: what the access app and the jobs' pacer build on."""

from __future__ import annotations

import math

import pytest

from hubdash.hub import HubClient, InvalidRequest, NoAccess, NotFound, NoToken, RateLimited, ratelimit
from hubdash.hub import access as hub_access
from hubdash.hub.access import NotGated, Target
from hubdash.hub.client import fingerprint
from hubdash.hub.errors import HubUnavailable
from tests.personas import ALICE_TOKEN, BOB_TOKEN, FINE_TOKEN

REPO = "acme/gated-llm"
PENDING = f"/api/models/{REPO}/user-access-request/pending"


@pytest.fixture
def gated(hub_world):
    hub_world.add_repo(REPO, gated="manual", files={"weights.txt": "w"})
    hub_world.add_repo("acme/open")
    return hub_world


@pytest.fixture
def alice() -> HubClient:
    return HubClient(ALICE_TOKEN)


def file_request(hub, user: str, repo: str = REPO, kind: str = "model", **fields: object) -> dict:
    return hub.control("POST", "access/requests", {"id": repo, "type": kind, "user": user, **fields})  # type: ignore[return-value]


def held(hub, repo: str = REPO) -> dict[str, tuple[str, str | None]]:
    return {r["user"]: (r["status"], r["rejectionReason"]) for r in hub.control("GET", f"access/model/{repo}")}


def calls(hub, path: str) -> list[dict]:
    return [r for r in hub.requests() if r["path"] == path]


def test_lists_keep_what_the_client_drops(gated, alice):
    gated.add_user("bigcorp-bot", orgs={"bigcorp": "admin"})
    file_request(
        gated,
        "elif",
        fullname="Elif Şahin",
        email="elif@bigcorp.com",
        isPro=True,
        verifiedOrgs=["bigcorp"],
        orgs={"bigcorp": "write"},
        fields={"Company": "BigCorp", "Country": "TR", "I agree": "on"},
        timestamp="2026-11-02T10:00:00.250Z",
    )
    file_request(gated, "zed", timestamp="2026-11-01T09:00:00Z")
    hub_access.decide(alice, "model", REPO, Target(user="zed"), "accepted")

    [pending] = hub_access.list_requests(alice, "model", REPO, "pending")
    who = pending.requester
    assert who is not None
    assert (who.username, who.fullname, who.email, who.is_pro) == ("elif", "Elif Şahin", "elif@bigcorp.com", True)
    assert who.user_id is not None and len(who.user_id) == 24
    assert who.verified_orgs == ("bigcorp",) and who.orgs == ("bigcorp",)
    assert pending.fields == {"Company": "BigCorp", "Country": "TR", "I agree": "on"}
    assert pending.requested_at.isoformat() == "2026-11-02T10:00:00.250000+00:00"
    assert pending.request_id and pending.reviewed_at is None and pending.granted_by is None

    [accepted] = hub_access.list_requests(alice, "model", REPO, "accepted")
    assert accepted.status == "accepted" and accepted.granted_by == "alice" and accepted.reviewed_at is not None
    assert accepted.requester is not None and accepted.requester.username == "zed" and accepted.fields == {}
    assert hub_access.list_requests(alice, "model", REPO, "rejected") == []


def test_a_hidden_requester_is_none_and_is_decided_by_request_id(gated, alice):
    filed = file_request(gated, "zed")
    gated.control("POST", "access/options", {"id": REPO, "type": "model", "hideRequesters": True})
    [request] = hub_access.list_requests(alice, "model", REPO, "pending")
    assert request.requester is None and request.request_id == filed["requestId"]
    hub_access.decide(alice, "model", REPO, Target(request_id=request.request_id), "rejected", "No.")
    assert held(gated) == {"zed": ("rejected", "No.")}


def test_a_long_list_takes_one_call_per_thousand(gated, alice):
    n = 2500
    people = [
        {"user": f"req-{i:04d}", "timestamp": f"2026-10-01T00:{i // 60 % 60:02d}:{i % 60:02d}.{i // 3600:03d}Z"}
        for i in range(n)
    ]
    gated.control("POST", "access/requests", {"id": REPO, "type": "model", "requests": people})
    gated.control("DELETE", "requests")
    listed = hub_access.list_requests(alice, "model", REPO, "pending")
    assert len(listed) == n and len({r.request_id for r in listed}) == n
    assert [r.requested_at for r in listed] == sorted((r.requested_at for r in listed), reverse=True)
    pages = calls(gated, PENDING)
    assert len(pages) == math.ceil(n / 1000) == 3
    assert all("limit=1000" in page["query"] for page in pages)


def test_each_decision_is_what_the_hub_holds_afterwards(gated, alice):
    for name in ("ann", "ben"):
        file_request(gated, name)
    [_, ben] = sorted(hub_access.list_requests(alice, "model", REPO, "pending"), key=lambda r: r.requester.username)  # type: ignore[union-attr]
    assert ben.requester is not None and ben.requester.user_id
    gated.control("DELETE", "requests")
    hub_access.decide(alice, "model", REPO, Target(user="ann"), "accepted")
    hub_access.decide(alice, "model", REPO, Target(user_id=ben.requester.user_id), "rejected", "Work email, please.")
    assert held(gated) == {"ann": ("accepted", None), "ben": ("rejected", "Work email, please.")}
    hub_access.decide(alice, "model", REPO, Target(user="ann"), "pending")  # undo: back to pending
    assert held(gated)["ann"] == ("pending", None)
    assert len(calls(gated, f"/api/models/{REPO}/user-access-request/handle")) == 3  # one call each
    with pytest.raises(NotFound, match="already pending"):
        hub_access.decide(alice, "model", REPO, Target(user="ann"), "pending")


def test_a_reason_is_checked_before_any_call(gated, alice):
    file_request(gated, "ann")
    gated.control("DELETE", "requests")
    with pytest.raises(InvalidRequest, match="at most 200"):
        hub_access.decide(alice, "model", REPO, Target(user="ann"), "rejected", "x" * 201)
    with pytest.raises(InvalidRequest, match="rejection only"):
        hub_access.decide(alice, "model", REPO, Target(user="ann"), "accepted", "welcome")
    assert gated.requests() == []
    hub_access.decide(alice, "model", REPO, Target(user="ann"), "rejected", "y" * 200)
    assert held(gated)["ann"] == ("rejected", "y" * 200)


def test_a_batch_answers_in_input_order_with_an_injected_refusal(gated, alice):
    names = [f"req-{i:03d}" for i in range(100)]
    gated.control("POST", "access/requests", {"id": REPO, "type": "model", "requests": [{"user": n} for n in names]})
    gated.control("POST", "access/refusals", {"id": REPO, "type": "model", "user": "req-042"})
    gated.control("DELETE", "requests")
    targets = [Target(user=n) for n in names[:99]] + [Target(user="nobody-here")]
    outcomes = hub_access.decide_batch(alice, "model", REPO, targets, "accepted")
    assert [o.target for o in outcomes] == targets
    refused = [(o.target.user, o.error) for o in outcomes if not o.ok]
    assert refused == [("req-042", "request_not_found"), ("nobody-here", "user_not_found")]
    assert len(calls(gated, f"/api/models/{REPO}/user-access-request/batch")) == 1
    state = held(gated)
    assert state["req-042"] == ("pending", None) and state["req-099"] == ("pending", None)
    assert sum(status == "accepted" for status, _ in state.values()) == 98


def test_a_batch_refuses_what_it_cannot_send_without_calling(gated, alice):
    file_request(gated, "ann")
    gated.control("DELETE", "requests")
    with pytest.raises(ValueError, match="at most 100"):
        hub_access.decide_batch(alice, "model", REPO, [Target(user="ann")] * 101, "accepted")
    with pytest.raises(ValueError, match="by user or user id"):
        hub_access.decide_batch(alice, "model", REPO, [Target(user="ann"), Target(request_id="r1")], "accepted")
    assert hub_access.decide_batch(alice, "model", REPO, [], "accepted") == []
    assert gated.requests() == []


def test_a_batch_with_a_reason_rejects_every_request(gated, alice):
    for name in ("ann", "ben"):
        file_request(gated, name)
    outcomes = hub_access.decide_batch(alice, "model", REPO, [Target(user="ann"), Target(user="ben")], "rejected", "No")
    assert all(o.ok for o in outcomes)
    assert held(gated) == {"ann": ("rejected", "No"), "ben": ("rejected", "No")}


def test_grant_gives_access_without_a_request(gated, alice):
    gated.add_user("yann", email="yann@example.org")
    hub_access.grant(alice, "model", REPO, "yann")
    assert held(gated) == {"yann": ("accepted", None)}
    with pytest.raises(InvalidRequest, match="already has access"):
        hub_access.grant(alice, "model", REPO, "yann")
    with pytest.raises(NotFound, match="no user named ghost-user"):
        hub_access.grant(alice, "model", REPO, "ghost-user")
    with pytest.raises(InvalidRequest):
        hub_access.grant(alice, "model", REPO, "not a name")


def test_refusals_become_hubdashs_errors(gated, alice):
    file_request(gated, "ann")
    with pytest.raises(NotGated):
        hub_access.list_requests(alice, "model", "acme/open", "pending")
    with pytest.raises(NotGated):
        hub_access.decide(alice, "model", "acme/open", Target(user="ann"), "accepted")
    with pytest.raises(NotGated):
        hub_access.decide_batch(alice, "model", "acme/open", [Target(user="ann")], "accepted")
    with pytest.raises(NotGated):
        hub_access.grant(alice, "model", "acme/open", "ann")
    with pytest.raises(NoAccess):
        hub_access.list_requests(HubClient(BOB_TOKEN), "model", REPO, "pending")
    with pytest.raises(NoAccess):
        hub_access.decide_batch(HubClient(BOB_TOKEN), "model", REPO, [Target(user="ann")], "accepted")
    with pytest.raises(NotFound):
        hub_access.list_requests(alice, "model", "acme/no-such-repo", "pending")
    with pytest.raises(NotFound, match="User not found"):
        hub_access.decide(alice, "model", REPO, Target(user="nobody-here"), "accepted")
    with pytest.raises(NoToken):
        hub_access.list_requests(HubClient(None), "model", REPO, "pending")
    assert hub_access.list_requests(HubClient(FINE_TOKEN), "model", REPO, "pending")  # fine-grained, repo.write


def test_a_failed_decision_is_never_sent_again(gated, alice):
    file_request(gated, "ann")
    gated.fault(method="POST", path=f"/api/models/{REPO}/user-access-request/*", status=503, times=2)
    gated.control("DELETE", "requests")
    with pytest.raises(HubUnavailable):
        hub_access.decide(alice, "model", REPO, Target(user="ann"), "accepted")
    with pytest.raises(HubUnavailable):
        hub_access.decide_batch(alice, "model", REPO, [Target(user="ann")], "accepted")
    assert [r["path"].rsplit("/", 1)[1] for r in gated.requests()] == ["handle", "batch"]
    assert held(gated) == {"ann": ("pending", None)}


def test_a_rate_limited_call_says_how_long_to_wait(gated, alice):
    file_request(gated, "ann")
    gated.fault(method="GET", path=PENDING, status=429, retry_after=30, times=1)
    with pytest.raises(RateLimited) as injected:
        hub_access.list_requests(alice, "model", REPO, "pending")
    assert injected.value.retry_after == 30 and "30 s" in injected.value.message  # r=0;t=29: t + 1
    gated.control("POST", "ratelimit", {"quotas": {"api": 1}, "window_s": 300})
    hub_access.list_requests(alice, "model", REPO, "pending")
    with pytest.raises(RateLimited) as spent:
        hub_access.decide(alice, "model", REPO, Target(user="ann"), "accepted")
    budget = ratelimit.latest(alice)
    assert budget is not None and budget.remaining == 0 and budget.quota == 1
    assert spent.value.retry_after == int(budget.reset_in) + 1
    assert held(gated) == {"ann": ("pending", None)}


def test_latest_keeps_each_tokens_figures_under_its_fingerprint_only(gated, alice, monkeypatch):
    kept: list[tuple[str, object]] = []
    real_set = ratelimit.cache.set

    def recording_set(key, value, timeout=None):
        kept.append((key, value))
        return real_set(key, value, timeout)

    monkeypatch.setattr(ratelimit.cache, "set", recording_set)
    assert ratelimit.latest(alice) is None
    hub_access.list_requests(alice, "model", REPO, "pending")
    budget = ratelimit.latest(alice)
    assert budget is not None and (budget.quota, budget.window) == (1000, 300)
    assert budget.remaining == 999 and 0 < budget.reset_in <= 300 and budget.left() == 999
    assert budget.left(now=budget.resets_at) == 1000  # a fixed window: the whole quota is back after it
    assert ratelimit.latest(alice, "resolvers") is None
    assert ratelimit.latest(HubClient(FINE_TOKEN)) is None  # another token, its own figures
    hub_access.list_requests(HubClient(FINE_TOKEN), "model", REPO, "pending")
    fine = ratelimit.latest(HubClient(FINE_TOKEN))
    assert fine is not None and fine.remaining == 998  # the Hub counts per account: alice's second call
    assert kept and all(ALICE_TOKEN not in repr(item) and FINE_TOKEN not in repr(item) for item in kept)
    assert any(fingerprint(ALICE_TOKEN) in key for key, _ in kept)


def test_no_figures_when_the_hub_sends_none(gated, alice):
    gated.control("POST", "ratelimit", {})
    hub_access.list_requests(alice, "model", REPO, "pending")
    assert ratelimit.latest(alice) is None


def test_dataset_repos_and_the_demo_world(demo_hub, settings):
    settings.HF_ENDPOINT = demo_hub.url
    client = HubClient("hf_demo_alice_write")
    hidden = hub_access.list_requests(client, "dataset", "acme/clinical-notes", "pending")
    assert len(hidden) == 10 and all(r.requester is None for r in hidden)
    form = hub_access.list_requests(client, "model", "acme/gated-llm", "pending")
    assert len(form) == 15 and all(r.fields and r.requester and r.requester.user_id for r in form)
