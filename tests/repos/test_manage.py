"""Managing repos over the real stack: hubdash's views, hubsim as the Hub, the personas' own tokens."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi

from hubdash.activity.models import Event
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db


def read(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def hub_repo(hub, repo_id: str, kind: str = "model"):
    """The repo as hubsim has it now, seen through huggingface_hub with alice's write token."""
    api = HfApi(endpoint=hub.url, token=ALICE_TOKEN)
    return api.repo_info(repo_id, repo_type=kind)


def repo_exists(hub, repo_id: str, kind: str = "model") -> bool:
    return HfApi(endpoint=hub.url, token=ALICE_TOKEN).repo_exists(repo_id, repo_type=kind)


def events(action: str, repo_id: str) -> list[Event]:
    return list(Event.objects.filter(source="hubdash", action=action, repo_id=repo_id).order_by("id"))


# -- create -------------------------------------------------------------------------------------------


def test_create_a_private_model_lands_on_its_page(browsing):
    response = browsing.alice.post(
        "/new/", {"kind": "model", "owner": "acme", "name": "fresh-model", "visibility": "private"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/models/acme/fresh-model/"
    info = hub_repo(browsing.hub, "acme/fresh-model")
    assert info.private is True
    page = browsing.alice.get(response["Location"])
    assert page.status_code == 200
    assert "Created acme/fresh-model." in read(page)
    [event] = events("create", "acme/fresh-model")
    assert event.details["outcome"] == "success"
    assert event.member.username == "alice"
