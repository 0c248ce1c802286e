"""hubsim's access requests (shared/hub-api.md §15.1) and rate limits (§9, §15.8), checked with the pinned
huggingface_hub's own methods over HTTP."""

from __future__ import annotations

import tempfile
import time

import pytest
import requests
from huggingface_hub import HfApi
from huggingface_hub.errors import GatedRepoError, HfHubHTTPError
from huggingface_hub.utils import parse_ratelimit_headers

REPO = "acme/gated"
ADMIN = "hf_alice_write"
FORM = {"Company": "Nordic AI", "Country": "SE", "Intended use": "Research", "I agree": "on"}


@pytest.fixture
def gated(hub):
    hub.add_user(
        "alice",
        fullname="Alice",
        orgs={"acme": "admin"},
        tokens={ADMIN: "write", "hf_alice_read": "read"},
    )
    hub.add_user("bob", orgs={"acme": "read"}, tokens={"hf_bob_write": "write"})
    hub.add_user("carla", orgs={"acme": "write"}, tokens={"hf_carla_write": "write"})
    hub.add_repo(REPO, gated="manual", files={"weights.txt": "the weights"})
    hub.add_repo("acme/open", files={"weights.txt": "open"})
    return hub


def file_request(hub, user: str, repo: str = REPO, **fields: object) -> dict:
    return hub.control("POST", "access/requests", {"id": repo, "type": "model", "user": user, **fields})  # type: ignore[return-value]


def api(hub, token: str | None = ADMIN) -> HfApi:
    return HfApi(endpoint=hub.url, token=token or False)


def read_weights(hub, token: str) -> str:
    path = api(hub, token).hf_hub_download(REPO, "weights.txt", cache_dir=tempfile.mkdtemp(prefix="hubsim-access-"))
    with open(path) as fh:
        return fh.read()


def status_of(error: pytest.ExceptionInfo) -> int:
    return error.value.response.status_code


def test_a_pending_request_lists_as_the_hub_shows_it(gated):
    gated.add_user("nordic-ai-bot", orgs={"nordic-ai": "admin"})
    file_request(
        gated,
        "bjorn",
        fullname="Björn Lind",
        email="bjorn@nordic-ai.se",
        isPro=True,
        verifiedOrgs=["nordic-ai"],
        orgs={"nordic-ai": "write"},
        fields=FORM,
        timestamp="2026-11-02T10:00:00.123Z",
    )
    [request] = api(gated).list_pending_access_requests(REPO)
    assert (request.username, request.fullname, request.email, request.status) == (
        "bjorn",
        "Björn Lind",
        "bjorn@nordic-ai.se",
        "pending",
    )
    assert request.fields == FORM and request.timestamp.isoformat() == "2026-11-02T10:00:00.123000+00:00"
    [raw] = requests.get(
        f"{gated.url}/api/models/{REPO}/user-access-request/pending", headers={"Authorization": f"Bearer {ADMIN}"}
    ).json()
    user = raw["user"]
    assert len(user["_id"]) == 24 and user["isPro"] is True and user["type"] == "user"
    assert user["verifiedOrgNames"] == ["nordic-ai"] and [o["name"] for o in user["orgs"]] == ["nordic-ai"]
    assert raw["requestId"] == request.request_id and "reviewedAt" not in raw and "grantedBy" not in raw


def test_lists_page_newest_first_by_limit_and_link(gated):
    for n in range(25):
        file_request(gated, f"user-{n:02d}", timestamp=f"2026-11-{n + 1:02d}T00:00:00.000Z")
    url = f"{gated.url}/api/models/{REPO}/user-access-request/pending"
    auth = {"Authorization": f"Bearer {ADMIN}"}
    names, next_url, pages = [], url + "?limit=10", 0
    while next_url:
        answer = requests.get(next_url, headers=auth)
        assert answer.status_code == 200
        names += [item["user"]["user"] for item in answer.json()]
        next_url = answer.links.get("next", {}).get("url")
        assert next_url is None or (next_url.startswith(url + "?") and "before=" in next_url)
        pages += 1
    assert pages == 3 and names == [f"user-{n:02d}" for n in range(24, -1, -1)]
    assert [r.username for r in api(gated).list_pending_access_requests(REPO)] == names  # the client follows Link
    after = requests.get(url, params={"after": "2026-11-20T00:00:00Z"}, headers=auth).json()
    assert [item["user"]["user"] for item in after] == ["user-24", "user-23", "user-22", "user-21", "user-20"]
    for limit in ("9", "1001", "ten"):
        assert requests.get(url, params={"limit": limit}, headers=auth).status_code == 400


def test_accepting_opens_the_files_and_rejecting_or_pending_closes_them(gated):
    file_request(gated, "zed", tokens={"hf_zed": "read"}, email="zed@example.org")
    with pytest.raises(GatedRepoError):
        read_weights(gated, "hf_zed")
    client = api(gated)
    client.accept_access_request(REPO, "zed")
    assert read_weights(gated, "hf_zed") == "the weights"
    [accepted] = client.list_accepted_access_requests(REPO)
    assert accepted.username == "zed" and list(client.list_pending_access_requests(REPO)) == []
    raw = requests.get(
        f"{gated.url}/api/models/{REPO}/user-access-request/accepted", headers={"Authorization": f"Bearer {ADMIN}"}
    ).json()[0]
    assert raw["grantedBy"]["user"] == "alice" and raw["reviewedAt"].endswith("Z")

    client.reject_access_request(REPO, "zed", rejection_reason="Please use your work email.")
    with pytest.raises(GatedRepoError):
        read_weights(gated, "hf_zed")
    assert [r.username for r in client.list_rejected_access_requests(REPO)] == ["zed"]
    [state] = gated.control("GET", f"access/model/{REPO}")
    assert state["rejectionReason"] == "Please use your work email."

    client.cancel_access_request(REPO, "zed")  # back to pending: access lost
    assert [r.username for r in client.list_pending_access_requests(REPO)] == ["zed"]
    with pytest.raises(GatedRepoError):
        read_weights(gated, "hf_zed")
    client.reject_access_request(REPO, "zed", rejection_reason=None)  # no reason is fine
    assert gated.control("GET", f"access/model/{REPO}")[0]["rejectionReason"] is None


def test_refusals_carry_the_hubs_status_codes(gated):
    file_request(gated, "zed")
    client = api(gated)
    with pytest.raises(HfHubHTTPError) as unknown_user:
        client.accept_access_request(REPO, "nobody-at-all")
    with pytest.raises(HfHubHTTPError) as no_request:
        client.accept_access_request(REPO, "bob")
    client.accept_access_request(REPO, "zed")
    with pytest.raises(HfHubHTTPError) as already:
        client.accept_access_request(REPO, "zed")
    assert [status_of(e) for e in (unknown_user, no_request, already)] == [404, 404, 404]
    with pytest.raises(HfHubHTTPError) as read_token:
        api(gated, "hf_alice_read").reject_access_request(REPO, "zed", rejection_reason=None)
    with pytest.raises(HfHubHTTPError) as read_role:
        api(gated, "hf_bob_write").list_pending_access_requests(REPO).__iter__().__next__()
    assert [status_of(e) for e in (read_token, read_role)] == [403, 403]
    with pytest.raises(HfHubHTTPError) as too_long:
        client.reject_access_request(REPO, "zed", rejection_reason="x" * 201)
    with pytest.raises(HfHubHTTPError) as has_access:
        client.grant_access(REPO, "zed")
    with pytest.raises(HfHubHTTPError) as not_gated:
        list(client.list_pending_access_requests("acme/open"))
    with pytest.raises(HfHubHTTPError) as not_gated_handle:
        client.accept_access_request("acme/open", "zed")
    assert [status_of(e) for e in (too_long, has_access, not_gated, not_gated_handle)] == [400, 400, 400, 400]
    assert "not gated" in not_gated.value.response.headers["X-Error-Message"]
    with pytest.raises(HfHubHTTPError) as grant_unknown:
        client.grant_access(REPO, "nobody-at-all")
    assert status_of(grant_unknown) == 404
    assert api(gated, "hf_carla_write").list_accepted_access_requests(REPO)  # a write member may manage


def test_a_repo_that_hides_its_requesters_lists_request_ids_only(gated):
    filed = file_request(gated, "zed", tokens={"hf_zed": "read"}, email="zed@example.org")
    gated.control("POST", "access/options", {"id": REPO, "type": "model", "hideRequesters": True})
    [request] = api(gated).list_pending_access_requests(REPO)
    assert (request.username, request.fullname, request.email) == (None, None, None)
    assert request.request_id == filed["requestId"]
    api(gated).accept_access_request(REPO, request_id=request.request_id)
    assert read_weights(gated, "hf_zed") == "the weights"


def test_automatic_gating_accepts_a_new_request_at_once(gated):
    gated.add_repo("acme/auto", gated="auto", files={"weights.txt": "auto weights"})
    assert file_request(gated, "zed", repo="acme/auto", tokens={"hf_zed": "read"})["status"] == "accepted"
    path = api(gated, "hf_zed").hf_hub_download("acme/auto", "weights.txt", cache_dir=tempfile.mkdtemp())
    assert open(path).read() == "auto weights"
    assert [r.username for r in api(gated).list_accepted_access_requests("acme/auto")] == ["zed"]
    assert list(api(gated).list_pending_access_requests("acme/auto")) == []


def test_granting_access_without_a_request(gated):
    gated.add_user("yann", email="yann@example.org", tokens={"hf_yann": "read"})
    answer = api(gated).grant_access(REPO, "yann")
    assert answer["user"] == "yann"  # typed None by the client, which returns the JSON answer
    [granted] = api(gated).list_accepted_access_requests(REPO)
    assert granted.username == "yann" and granted.email is None  # granted manually: no email shared
    assert read_weights(gated, "hf_yann") == "the weights"


def test_access_given_through_the_control_api_is_an_accepted_request(gated):
    gated.add_user("yann", tokens={"hf_yann": "read"})
    gated.control("POST", "gated-access", {"id": REPO, "type": "model", "user": "yann"})
    gated.add_repo("acme/pre-approved", gated="manual", gatedApproved=["yann"])
    assert [r.username for r in api(gated).list_accepted_access_requests(REPO)] == ["yann"]
    assert [r.username for r in api(gated).list_accepted_access_requests("acme/pre-approved")] == ["yann"]
    assert read_weights(gated, "hf_yann") == "the weights"


def batch(hub, body: dict, token: str = ADMIN) -> requests.Response:
    return requests.post(
        f"{hub.url}/api/models/{REPO}/user-access-request/batch",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )


def test_batch_answers_each_item_in_input_order_with_an_injected_refusal(gated):
    for name in ("ann", "ben", "cid", "dee"):
        file_request(gated, name)
    api(gated).accept_access_request(REPO, "dee")
    gated.control("POST", "access/refusals", {"id": REPO, "type": "model", "user": "ben", "error": "request_not_found"})
    listed = requests.get(
        f"{gated.url}/api/models/{REPO}/user-access-request/pending", headers={"Authorization": f"Bearer {ADMIN}"}
    ).json()
    cid_user_id = next(item["user"]["_id"] for item in listed if item["user"]["user"] == "cid")
    answer = batch(
        gated,
        {
            "status": "rejected",
            "rejectionReason": "Work email, please.",
            "requests": [{"user": "ann"}, {"user": "ben"}, {"userId": cid_user_id}, {"user": "ghost"}, {"user": "bob"}],
        },
    )
    assert answer.status_code == 200
    assert answer.json() == [
        {"user": "ann", "ok": True},
        {"user": "ben", "ok": False, "error": "request_not_found"},
        {"userId": cid_user_id, "ok": True},
        {"user": "ghost", "ok": False, "error": "user_not_found"},
        {"user": "bob", "ok": False, "error": "request_not_found"},
    ]
    held = {r["user"]: (r["status"], r["rejectionReason"]) for r in gated.control("GET", f"access/model/{REPO}")}
    assert held == {
        "ann": ("rejected", "Work email, please."),
        "ben": ("pending", None),  # refused once: unchanged
        "cid": ("rejected", "Work email, please."),
        "dee": ("accepted", None),
    }
    again = batch(gated, {"status": "rejected", "requests": [{"user": "ben"}, {"user": "ann"}]}).json()
    assert again == [{"user": "ben", "ok": True}, {"user": "ann", "ok": False, "error": "request_not_found"}]


@pytest.mark.parametrize(
    "body",
    [
        {"status": "accepted", "requests": []},
        {"status": "accepted", "requests": [{"user": f"u{n}"} for n in range(101)]},
        {"status": "accepted", "requests": [{}]},
        {"status": "accepted", "requests": [{"userId": "not-an-id"}]},
        {"status": "maybe", "requests": [{"user": "ann"}]},
        {"status": "accepted", "rejectionReason": "no", "requests": [{"user": "ann"}]},
    ],
)
def test_batch_refuses_a_malformed_call_whole(gated, body):
    file_request(gated, "ann")
    assert batch(gated, body).status_code == 400
    assert gated.control("GET", f"access/model/{REPO}")[0]["status"] == "pending"


def test_batch_needs_the_right_to_manage_the_repo(gated):
    file_request(gated, "ann")
    assert batch(gated, {"status": "accepted", "requests": [{"user": "ann"}]}, "hf_alice_read").status_code == 403
    assert batch(gated, {"status": "accepted", "requests": [{"user": "ann"}]}, "hf_bob_write").status_code == 403


def test_the_requester_withdraws_their_own_request(gated):
    file_request(gated, "zed", tokens={"hf_zed": "read"})
    file_request(gated, "yann")
    gated.control("POST", "access/cancel", {"id": REPO, "type": "model", "user": "yann"})
    cancel = f"{gated.url}/api/models/{REPO}/user-access-request/cancel"
    assert requests.post(cancel, headers={"Authorization": "Bearer hf_zed"}).status_code == 200
    assert requests.post(cancel, headers={"Authorization": "Bearer hf_zed"}).status_code == 404
    assert list(api(gated).list_pending_access_requests(REPO)) == []
    with pytest.raises(HfHubHTTPError) as gone:
        api(gated).accept_access_request(REPO, "zed")
    assert status_of(gone) == 404


def test_every_api_answer_says_the_rate_limit_and_429_once_spent(gated):
    answer = requests.get(f"{gated.url}/api/models/{REPO}", headers={"Authorization": f"Bearer {ADMIN}"})
    info = parse_ratelimit_headers(answer.headers)
    assert info is not None and (info.resource_type, info.limit, info.window_seconds) == ("api", 1000, 300)
    assert info.remaining == 999 and 0 < info.reset_in_seconds <= 300
    file_request(gated, "zed")
    gated.control("POST", "ratelimit", {"quotas": {"api": 2}, "window_s": 300})
    client = api(gated)
    assert [r.username for r in client.list_pending_access_requests(REPO)] == ["zed"]
    client.grant_access(REPO, "bob")
    with pytest.raises(HfHubHTTPError) as limited:
        client.accept_access_request(REPO, "zed")
    assert status_of(limited) == 429
    info = parse_ratelimit_headers(limited.value.response.headers)
    assert info is not None and (info.remaining, info.limit) == (0, 2) and info.reset_in_seconds > 0
    assert gated.control("GET", f"access/model/{REPO}")[0]["status"] == "pending"  # refused before anything changed
    assert [r["status"] for r in gated.requests()][-1] == 429
    gated.control("POST", "ratelimit", {})  # off: no headers
    assert "RateLimit" not in requests.get(f"{gated.url}/api/models/{REPO}").headers
    gated.control("POST", "ratelimit", {"default": True})
    assert requests.get(f"{gated.url}/api/models/{REPO}").headers["RateLimit"].startswith('"api";r=999;')


def test_an_added_latency_slows_every_api_call_but_not_the_control_api(gated):
    gated.control("POST", "switches", {"latency_s": 0.1})
    began = time.perf_counter()
    requests.get(f"{gated.url}/api/models/{REPO}")
    assert time.perf_counter() - began >= 0.1
    began = time.perf_counter()
    gated.control("GET", f"access/model/{REPO}")
    assert time.perf_counter() - began < 0.1


def test_the_demo_world_has_gated_repos_with_requests(demo_hub):
    alice = api(demo_hub, "hf_demo_alice_write")
    pending = {
        repo: len(list(alice.list_pending_access_requests(repo, repo_type=kind)))
        for repo, kind in (
            ("acme/gated-llm", "model"),
            ("acme/clinical-notes", "dataset"),
            ("alice/gated-tiny-llm", "model"),
            ("acme/auto-weights", "model"),
        )
    }
    assert pending == {
        "acme/gated-llm": 15,
        "acme/clinical-notes": 10,
        "alice/gated-tiny-llm": 12,
        "acme/auto-weights": 5,
    }
    form = list(alice.list_pending_access_requests("acme/gated-llm"))
    assert all(
        set(r.fields or {}) == {"Company", "Country", "Intended use", "I agree to the license terms"} for r in form
    )
    assert len({r.email.split("@")[1] for r in form if r.email}) > 5
    hidden = list(alice.list_pending_access_requests("acme/clinical-notes", repo_type="dataset"))
    assert all(r.username is None and r.request_id for r in hidden)
    assert len(list(alice.list_rejected_access_requests("acme/gated-llm"))) == 2
    assert len(list(alice.list_accepted_access_requests("acme/auto-weights"))) == 3
