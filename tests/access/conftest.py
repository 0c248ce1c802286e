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


def file_request(hub, repo_id: str, user: str, kind: str = "model", **fields: Any) -> dict:
    """`user` asks hubsim for access to `repo_id` (created with their profile if new)."""
    body = {"id": repo_id, "type": kind, "user": user, "email": f"{user}@example.org", **fields}
    return hub.control("POST", "access/requests", body)


def held(hub, repo_id: str, kind: str = "model") -> dict[str, str]:
    """What hubsim holds: requester -> status."""
    return {r["user"]: r["status"] for r in hub.control("GET", f"access/{kind}/{repo_id}")}


def ungate(hub, repo_id: str) -> None:
    """An admin turns gating off on the Hub (the official client's settings call)."""
    from huggingface_hub import HfApi

    HfApi(endpoint=hub.url, token=ALICE_TOKEN).update_repo_settings(repo_id, gated=False)


@pytest.fixture
def mirrored(world, alice):
    """hubsim with gated repos in acme (alice's) and zeta (not hers), requests filed, and a function that
    refreshes acme's mirror with alice's own token."""
    hub = world.hub
    hub.add_repo("acme/bert", gated="manual", files={"weights.txt": "w"})
    hub.add_repo("acme/corpus", type="dataset", gated="manual")
    hub.add_repo("acme/open")
    for user in ("erin", "frank", "gina"):
        file_request(hub, "acme/bert", user, fields={"Company": f"{user.title()} Labs"})
    file_request(hub, "acme/corpus", "hana", kind="dataset")

    def refresh(namespace: str = "acme") -> str:
        from hubdash import hub as hub_door
        from hubdash.access.refresh import refresh_namespace

        return refresh_namespace(namespace, hub_door.client_for(alice))

    refresh()
    world.forget_calls()
    return refresh
