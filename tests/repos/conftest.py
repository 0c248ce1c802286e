"""Browsing fixtures: the personas with their tokens connected, and a small world of repos on hubsim."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in


@dataclass
class Browsing:
    hub: object
    alice: Client  # admin of acme, write token
    bob: Client  # read token, member of acme (read)
    charlie: Client  # no token

    def hub_calls(self, prefix: str = "/api/") -> list[dict]:
        return [r for r in self.hub.requests() if r["path"].startswith(prefix)]  # type: ignore[attr-defined]

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")  # type: ignore[attr-defined]


@pytest.fixture
def browsing(hub_world, alice, bob, charlie) -> Browsing:
    from hubdash import hub

    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    hub_world.control("DELETE", "requests")
    return Browsing(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))


def add_models(hub, count: int, namespace: str = "acme", **fields) -> list[str]:
    ids = []
    for i in range(count):
        repo_id = f"{namespace}/model-{i:02d}"
        hub.add_repo(repo_id, likes=i * 3 % 7, downloads=1000 * i, **fields)
        ids.append(repo_id)
    return ids
