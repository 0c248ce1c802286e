"""A world for the bulk and rules tests: acme's gated repos on hubsim with requesters, the mirror filled by
the refresh (as the scheduled job fills it), alice (acme admin, write token), bob (read token), charlie (none)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in


@dataclass
class World:
    hub: Any
    alice: Client
    bob: Client
    charlie: Client
    users: dict[str, Any] = field(default_factory=dict)

    def file(self, repo_id: str, *requesters: dict[str, Any], kind: str = "model") -> None:
        """Requesters ask for access (a new account per name, with the profile given)."""
        self.hub.control("POST", "access/requests", {"id": repo_id, "type": kind, "requests": list(requesters)})

    def state(self, repo_id: str, kind: str = "model") -> dict[str, str]:
        """What hubsim holds: requester (or request id) -> status."""
        rows = self.hub.control("GET", f"access/{kind}/{repo_id}")
        return {r["user"] or r["requestId"]: r["status"] for r in rows}

    def refresh(self, namespace: str = "acme") -> str:
        """The scheduled refresh of one namespace, with alice's token (mirror, then rules)."""
        from hubdash import hub as hubdash_hub
        from hubdash.access.refresh import refresh_namespace

        return refresh_namespace(namespace, hubdash_hub.client_for(self.users["alice"]))

    def calls(self, method: str = "", contains: str = "") -> list[dict[str, Any]]:
        return [
            r
            for r in self.hub.requests()
            if r["path"].startswith("/api/") and (not method or r["method"] == method) and contains in r["path"]
        ]

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")


def requester(name: str, **profile: Any) -> dict[str, Any]:
    return {"user": name, "fullname": name.title(), "email": f"{name}@example.org", **profile}


@pytest.fixture(name="world")
def world_fixture(hub_world, alice, bob, charlie) -> World:
    from hubdash import hub

    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    for name in ("acme/gated-a", "acme/gated-b", "acme/gated-c"):
        hub_world.add_repo(name, gated="manual")
    hub_world.control("DELETE", "requests")
    return World(
        hub_world,
        signed_in(alice),
        signed_in(bob),
        signed_in(charlie),
        {"alice": alice, "bob": bob, "charlie": charlie},
    )
