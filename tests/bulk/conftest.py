"""Bulk plan fixtures: alice (admin, write token: her own account, acme as admin, datalab as writer), bob (read
token), charlie (no token), and a mix of repos on hubsim, one of them zed's, whom nobody here may change."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Bulk:
    hub: object
    alice: Client
    bob: Client
    charlie: Client

    def state(self, repo_id: str, kind: str = "model") -> dict | None:
        """What hubsim holds for a repo (None: no such repo)."""
        try:
            return self.hub.control("GET", f"repos/{kind}/{repo_id}")  # type: ignore[attr-defined]
        except Exception:
            return None

    def writes(self) -> list[dict]:
        return [
            r
            for r in self.hub.requests()  # type: ignore[attr-defined]
            if r["method"] in ("POST", "PUT", "DELETE") and r["path"].startswith("/api/")
        ]

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")  # type: ignore[attr-defined]

    def ticks(self, path: str = "/models/", client: Client | None = None) -> list[str]:
        """The listing's checkboxes' values, as a person ticks them."""
        page = (client or self.alice).get(path).content.decode()
        return [
            html.unescape(v)
            for v in re.findall(r'class="bulk-pick" form="bulk-select" name="repo" value="([^"]+)"', page)
        ]

    def plan(self, change: str, repos: list[str], kind: str = "model", client: Client | None = None, **extra):
        """Make a plan from ticked rows; the plan page's address."""
        data = {"kind": kind, "action": change, "scope": "selected", "repo": repos, **extra}
        return (client or self.alice).post("/bulk/plan/", data)


MIX = {
    "alice/own-model": {"private": False},
    "acme/org-model": {"private": False},
    "acme/org-secret": {"private": True},
    "datalab/shared-model": {"private": False, "gated": "auto"},
    "zed/theirs": {"private": False},
}


@pytest.fixture
def bulk(hub_world, alice, bob, charlie) -> Bulk:
    from hubdash import hub

    hub_world.add_user("zed", fullname="Zed", tokens={"hf_zed_write_0123456789abcdef": "write"})
    for repo_id, fields in MIX.items():
        hub_world.add_repo(repo_id, **fields)
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    hub_world.control("POST", "ratelimit", {})  # off unless a test sets it
    hub_world.control("DELETE", "requests")
    return Bulk(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))


def run_queued() -> None:
    """Run the queued plans' jobs in this process, as the worker would (the task's own function; the worker
    itself, which closes the connection, is run by the tests that need a second process)."""
    from django_tasks_db.models import DBTaskResult

    from hubdash.bulk.runs import run_plan

    for row in DBTaskResult.objects.filter(status="READY", task_path__endswith="run_plan").order_by("enqueued_at"):
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")
        run_plan.call(*row.args_kwargs["args"])


@pytest.fixture
def work():
    """Run the queued jobs (the plan's run) in this process."""
    return run_queued
