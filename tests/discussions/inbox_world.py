"""The inbox's world over hubsim: the three personas with their tokens, watched namespaces, repos with open,
draft and closed discussions and pull requests, and the webhook deliveries hubsim makes, handed to hubdash's
receiver as the Hub would send them.

Imported by the inbox's test modules (`from tests.discussions.inbox_world import *`): the review's tests keep
their own fixtures in this folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

SECRET = "whsec-discussions-0123456789"
# Deliveries go nowhere (nothing listens there): each is read back from hubsim's log and handed to hubdash.
NOWHERE = "http://127.0.0.1:9/webhooks/hub"


@dataclass
class InboxWorld:
    hub: Any
    alice: Client  # admin of hubdash; admin of acme and writer in datalab on the Hub; lent her token for acme
    bob: Client  # a member whose read token reads acme (its private repos too)
    charlie: Client  # a member without a token: public repos' items only
    dora: Client  # an admin without a token: private repos' items as counts only

    def hub_calls(self) -> list[str]:
        """The Hub API calls since the log was last cleared, as "METHOD path?query"."""
        calls = []
        for r in self.hub.requests():
            if r["path"].startswith("/api/"):
                query = f"?{r['query']}" if r.get("query") else ""
                calls.append(f"{r['method']} {r['path']}{query}")
        return calls

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")

    def open(self, repo_id: str, user: str, title: str, kind: str = "model", **fields: Any) -> int:
        """`user` opens a discussion (or, with pullRequest=True, a draft pull request) on hubsim."""
        body = {"id": repo_id, "type": kind, "user": user, "title": title, "description": f"{title}, please.", **fields}
        return int(self.hub.control("POST", "discussions", body)["num"])  # type: ignore[index]

    def act(self, repo_id: str, num: int, user: str, kind: str = "model", **change: Any) -> dict:
        """`user` comments, changes the status or title… (the control API, with the Hub's webhooks)."""
        return self.hub.control("POST", f"discussions/{kind}/{repo_id}/{num}", {"user": user, **change})  # type: ignore[return-value]

    def deliver_new(self) -> list[int]:
        """Hand every delivery hubsim made since the last call to hubdash's receiver; their HTTP statuses."""
        deliveries = self.hub.deliveries(wait=True)
        self.hub.control("DELETE", "deliveries")
        statuses = []
        for delivery in deliveries:
            if delivery.get("attempt", 1) != 1:
                continue
            response = Client().post(
                "/webhooks/hub",
                json.dumps(delivery["payload"]).encode(),
                content_type="application/json",
                HTTP_X_WEBHOOK_SECRET=SECRET,
            )
            statuses.append(response.status_code)
        return statuses


def fill(namespace: str = "acme") -> str:
    """The scheduled job's read of the watched namespaces, with the lent tokens."""
    from hubdash.discussions.jobs import refresh_all

    return refresh_all(None)


def run_tasks() -> None:
    """The queued tasks (a webhook's item reads), each run as the worker runs one, inside the test's transaction
    (the worker's loop would close the test's database connection). A task that failed fails the test."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        worker.run_task(result)
        result.refresh_from_db()
        assert result.status == "SUCCESSFUL", result.exception_class_path


@pytest.fixture(autouse=True)
def no_real_pacing_sleep(monkeypatch):
    """The Pacer spreads a token's calls over its window; tests do not wait for real."""
    from hubdash.discussions import refresh

    monkeypatch.setattr(refresh, "sleep", lambda seconds: None)


@pytest.fixture
def world(hub_world, alice, bob, charlie, settings) -> InboxWorld:
    from django.contrib.auth.models import User

    from hubdash import hub
    from hubdash.discussions.models import WatchedNamespace
    from hubdash.jobs.delegation import take_on

    settings.WEBHOOK_SECRETS = [SECRET]
    dora = User.objects.create_superuser("dora", "dora@example.com", "a-long-enough-password")
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    WatchedNamespace.objects.create(namespace="acme", added_by=alice)
    take_on(alice, "discussions", "acme")
    hub_world.add_user("zed", fullname="Zed Outsider")
    hub_world.add_user("yan", fullname="Yan Outsider")
    hub_world.control("POST", "webhook-policy", {"attempts": 1, "backoff_s": 0.01, "timeout_s": 0.5})
    hub_world.control("DELETE", "requests")
    return InboxWorld(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie), signed_in(dora))


@pytest.fixture
def webhooks(world) -> InboxWorld:
    """hubsim sends acme's repo and discussion events (to nowhere; `world.deliver_new()` hands them over)."""
    from huggingface_hub import HfApi

    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).create_webhook(
        url=NOWHERE, watched=[{"type": "org", "name": "acme"}], domains=["repo", "discussion"], secret=SECRET
    )
    world.forget_calls()
    return world


@pytest.fixture
def seeded(world) -> dict[str, int]:
    """acme's repos with items of every kind and status, zeta's (not watched) with one; the first fill made.

    acme/bert (public model): #1 an outsider's open discussion, #2 an outsider's draft pull request, #3 a
    discussion alice (a member) opened, #4 an outsider's discussion since closed. acme/vault (private
    model): #1 an outsider's discussion. acme/corpus (public dataset): #1 an outsider's pull request with a
    commit (open). zeta/elsewhere: #1 an open discussion (zeta is not watched).
    """
    hub = world.hub
    hub.add_repo("acme/bert", files={"README.md": "# bert"})
    hub.add_repo("acme/vault", private=True, files={"README.md": "# vault"})
    hub.add_repo("acme/corpus", type="dataset", files={"README.md": "# corpus"})
    hub.add_user("zeta-owner")
    hub.add_repo("zeta-owner/elsewhere")
    nums = {
        "question": world.open("acme/bert", "zed", "How do I fine-tune bert?", date="2026-11-01T08:00:00Z"),
        "draft": world.open(
            "acme/bert", "yan", "Add a safetensors copy", pullRequest=True, date="2026-11-02T08:00:00Z"
        ),
        "ours": world.open("acme/bert", "alice", "Roadmap for v2", date="2026-11-03T08:00:00Z"),
        "closed": world.open("acme/bert", "zed", "Typo in the card", date="2026-11-04T08:00:00Z"),
        "secret": world.open("acme/vault", "zed", "Vault access for the team", date="2026-11-05T08:00:00Z"),
        "corpus_pr": world.open(
            "acme/corpus",
            "yan",
            "More rows",
            kind="dataset",
            files={"rows.csv": "a,b\n1,2\n"},
            date="2026-11-06T08:00:00Z",
        ),
        "elsewhere": world.open("zeta-owner/elsewhere", "zed", "Not ours to answer", date="2026-11-07T08:00:00Z"),
    }
    world.act("acme/bert", nums["closed"], "alice", status="closed", date="2026-11-04T09:00:00Z")
    fill()
    world.hub.control("DELETE", "deliveries")
    world.forget_calls()
    return nums
