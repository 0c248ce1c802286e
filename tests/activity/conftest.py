"""Activity fixtures: the receiver's secrets, and a helper that delivers a body as the Hub does."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.browser.conftest import browser  # noqa: F401 - Chromium for the end-to-end feed test
from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

OLD_SECRET = "whsec-old-0123456789"
NEW_SECRET = "whsec-new-9876543210"
WEBHOOK_URL = "/webhooks/hub"


@dataclass
class Answer:
    status: int
    body: dict[str, Any]


def deliver(
    body: object,
    *,
    secret: str | None = NEW_SECRET,
    content_type: str = "application/json",
    client: Client | None = None,
    **headers: str,
) -> Answer:
    """POST a payload (a dict is sent as JSON, bytes and str as they are) the way the Hub does."""
    raw = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
    if secret is not None:
        headers["HTTP_X_WEBHOOK_SECRET"] = secret
    response = (client or Client()).post(WEBHOOK_URL, raw, content_type=content_type, **headers)
    return Answer(response.status_code, json.loads(response.content))


@pytest.fixture
def secrets(settings):
    """Two secrets configured at once, as while one is being rotated."""
    settings.WEBHOOK_SECRETS = [OLD_SECRET, NEW_SECRET]
    return settings


def v3(scope: str, action: str, repo: str = "acme/bert-tiny", kind: str = "model", private: bool = False, **extra):
    """A v3 payload in the shape hubsim and the Hub send (see tests/samples/hub/webhook_v3__*.json)."""
    prefix = {"model": "", "dataset": "datasets/", "space": "spaces/"}[kind]
    payload: dict[str, Any] = {
        "event": {"action": action, "scope": scope},
        "repo": {
            "type": kind,
            "name": repo,
            "id": "6563c0ffee0ddba11c0ffee0",
            "private": private,
            "url": {
                "web": f"https://huggingface.co/{prefix}{repo}",
                "api": f"https://huggingface.co/api/{kind}s/{repo}",
            },
            "owner": {"id": "6273f303f6d63a28483fde12"},
            "headSha": "a" * 40,
        },
        **extra,
        "webhook": {"id": "656a05348c99518820a4dd54", "version": 3},
    }
    return payload


def shown(response) -> list[int]:
    """The events a page shows, top to bottom."""
    return [int(pk) for pk in re.findall(r'data-event="(\d+)"', response.content.decode())]


@pytest.fixture
def people(hub_world, alice, bob, charlie):
    """alice: admin (acme admin on the Hub); bob: member whose Hub identity is bob, in acme; charlie: no token."""
    from hubdash import hub

    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    return signed_in(alice), signed_in(bob), signed_in(charlie)
