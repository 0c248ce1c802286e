"""Activity fixtures: the receiver's secrets, and a helper that delivers a body as the Hub does."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.browser.conftest import browser  # noqa: F401 - Chromium for the end-to-end feed test

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
