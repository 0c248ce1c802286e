"""hubsim's webhooks: the management API through huggingface_hub, and delivery to a real receiver."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huggingface_hub import HfApi


class Receiver:
    """A loopback endpoint that records what it is sent and can fail the first N deliveries."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                failing = receiver.fail_next > 0
                receiver.fail_next -= 1 if failing else 0
                receiver.received.append(
                    {"secret": self.headers.get("X-Webhook-Secret"), "payload": json.loads(body), "failed": failing}
                )
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [r["payload"] for r in self.received if not r["failed"]]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


@pytest.fixture
def alice(hub):
    hub.add_user("alice", orgs={"acme": "admin"}, tokens={"hf_alice_write": "write", "hf_alice_read": "read"})
    hub.control("POST", "webhook-policy", {"attempts": 3, "backoff_s": 0.05})
    return HfApi(endpoint=hub.url, token="hf_alice_write")


def test_management_api_round_trip(hub, alice, receiver):
    hook = alice.create_webhook(url=receiver.url, watched=[{"type": "org", "name": "acme"}], secret="s3cret")
    assert hook.url == receiver.url and hook.watched[0].name == "acme" and hook.disabled is False
    assert hook.secret is None  # the Hub says hasSecret, never the secret
    raw = alice.get_webhook(hook.id)
    assert raw.id == hook.id
    assert [h.id for h in alice.list_webhooks()] == [hook.id]
    updated = alice.update_webhook(hook.id, url=receiver.url + "/v2", watched=[{"type": "user", "name": "alice"}])
    assert updated.url.endswith("/v2") and updated.watched[0].type == "user"
    assert alice.disable_webhook(hook.id).disabled is True
    assert alice.enable_webhook(hook.id).disabled is False
    alice.delete_webhook(hook.id)
    assert alice.list_webhooks() == []


def test_read_token_cannot_manage_webhooks(hub, alice, receiver):
    reader = HfApi(endpoint=hub.url, token="hf_alice_read")
    with pytest.raises(Exception) as denied:
        reader.create_webhook(url=receiver.url, watched=[{"type": "user", "name": "alice"}])
    assert denied.value.response.status_code == 403


def test_every_change_is_delivered_as_v3_with_the_secret(hub, alice, receiver):
    hook = alice.create_webhook(url=receiver.url, watched=[{"type": "org", "name": "acme"}], secret="s3cret")
    alice.create_repo("acme/watched", private=False)
    commit = alice.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/watched")
    alice.update_repo_settings("acme/watched", private=True)
    alice.move_repo("acme/watched", "acme/renamed")
    alice.delete_repo("acme/renamed")
    alice.create_repo("alice/unwatched")  # alice's own namespace is not watched
    hub.deliveries(wait=True)
    payloads = receiver.payloads()
    events = [(p["event"]["scope"], p["event"]["action"]) for p in payloads]
    assert events == [
        ("repo", "create"),
        ("repo.content", "update"),
        ("repo.config", "update"),
        ("repo", "move"),
        ("repo", "delete"),
    ]
    assert all(r["secret"] == "s3cret" for r in receiver.received)
    created, content, config, moved, deleted = payloads
    assert created["repo"]["name"] == "acme/watched" and created["repo"]["type"] == "model"
    assert created["repo"]["url"]["api"] == f"{hub.url}/api/models/acme/watched"
    assert created["webhook"] == {"id": hook.id, "version": 3}
    assert content["updatedRefs"][0]["ref"] == "refs/heads/main"
    assert content["updatedRefs"][0]["newSha"] == commit.oid and len(content["updatedRefs"][0]["oldSha"]) == 40
    assert content["repo"]["headSha"] == commit.oid
    assert config["updatedConfig"] == {"private": True} and config["repo"]["private"] is True
    assert moved["repo"]["name"] == "acme/watched" and moved["movedTo"]["name"] == "acme/renamed"
    assert deleted["repo"]["name"] == "acme/renamed"


def test_failed_delivery_is_retried_and_each_attempt_recorded(hub, alice, receiver):
    receiver.fail_next = 2
    alice.create_webhook(url=receiver.url, watched=[{"type": "user", "name": "alice"}])
    alice.create_repo("alice/retry-me")
    deliveries = hub.deliveries(wait=True)
    assert [d["attempt"] for d in deliveries] == [1, 2, 3]
    assert [d["status"] for d in deliveries] == [500, 500, 200]
    assert len(receiver.payloads()) == 1


def test_unreachable_receiver_records_errors(hub, alice):
    alice.create_webhook(url="http://127.0.0.1:9/nowhere", watched=[{"type": "user", "name": "alice"}])
    alice.create_repo("alice/lonely")
    deliveries = hub.deliveries(wait=True)
    assert len(deliveries) == 3 and all("error" in d for d in deliveries)


def test_disabled_webhook_gets_nothing(hub, alice, receiver):
    hook = alice.create_webhook(url=receiver.url, watched=[{"type": "user", "name": "alice"}])
    alice.disable_webhook(hook.id)
    alice.create_repo("alice/quiet")
    assert hub.deliveries(wait=True) == [] and receiver.received == []


def test_legacy_webhook_shapes(hub, alice, receiver):
    hook = alice.create_webhook(url=receiver.url, watched=[{"type": "user", "name": "alice"}])
    hub.control("POST", f"webhooks/{hook.id}", {"legacy": True})
    alice.create_repo("alice/old-style")
    alice.create_repo("alice/old-ds", repo_type="dataset")
    alice.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="alice/old-ds", repo_type="dataset")
    alice.delete_repo("alice/old-style")
    hub.deliveries(wait=True)
    assert receiver.payloads() == [
        {"add": "alice/old-style"},
        {"add": "datasets/alice/old-ds"},
        {"update": "datasets/alice/old-ds"},
        {"remove": "alice/old-style"},
    ]


def test_payload_shapes_match_recorded_hub_payloads(hub, alice, receiver, hub_samples):
    recorded = hub_samples("webhook_v3__discussion_update_status__space.json")
    alice.create_webhook(url=receiver.url, watched=[{"type": "user", "name": "alice"}])
    alice.create_repo("alice/shaped", repo_type="space", space_sdk="static")
    hub.deliveries(wait=True)
    ours = receiver.payloads()[0]
    assert set(recorded["repo"]) <= set(ours["repo"])
    for key, value in recorded["repo"].items():
        assert type(ours["repo"][key]) is type(value), key
    assert set(ours["repo"]["url"]) == set(recorded["repo"]["url"]) and set(ours["repo"]["owner"]) == {"id"}
    assert ours["repo"]["url"]["web"].endswith("/spaces/alice/shaped")
    assert set(ours["event"]) == set(recorded["event"]) and set(ours["webhook"]) == set(recorded["webhook"])
    assert len(ours["webhook"]["id"]) == len(recorded["webhook"]["id"]) == 24
