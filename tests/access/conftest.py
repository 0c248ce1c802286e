"""Access fixtures: the personas with their tokens connected over hubsim, and mirror rows made directly
(the queue reads hubdash's mirror only; the refresh tests fill it from hubsim)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

_ids = count(1)


@dataclass
class AccessWorld:
    hub: Any
    alice: Client  # admin of acme, writes in datalab: manages acme, datalab and her own namespace
    bob: Client  # read-only token: manages nothing
    charlie: Client  # no token: manages nothing

    def hub_calls(self) -> list[dict]:
        return [r for r in self.hub.requests() if r["path"].startswith("/api/")]

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")


@pytest.fixture
def world(hub_world, alice, bob, charlie) -> AccessWorld:
    from hubdash import hub

    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    hub_world.control("DELETE", "requests")
    return AccessWorld(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))


def gated(repo_id: str, kind: str = "model", **fields: Any):
    from hubdash.access.models import GatedRepo

    namespace = repo_id.split("/")[0]
    return GatedRepo.objects.create(kind=kind, repo_id=repo_id, namespace=namespace, gating="manual", **fields)


def ask(repo, username: str, minutes_ago: int = 0, **fields: Any):
    """A mirror row: `username` asked for access to `repo` some minutes ago."""
    from hubdash.access.mirror import _search_text
    from hubdash.access.models import AccessRequest

    email = fields.pop("email", f"{username}@example.com")
    answers = fields.pop("fields", {"Affiliation": "Example University"})
    values: dict[str, Any] = {
        "repo": repo,
        "namespace": repo.namespace,
        "identity": f"user:{username}",
        "request_id": f"{next(_ids):024x}",
        "username": username,
        "fullname": username.title(),
        "email": email,
        "email_domain": email.rpartition("@")[2].lower() if "@" in email else "",
        "fields": answers,
        "requested_at": timezone.now() - timedelta(minutes=minutes_ago),
        **fields,
    }
    values["search_text"] = _search_text([values["username"], values["fullname"], email, *answers.values()])
    return AccessRequest.objects.create(**values)
