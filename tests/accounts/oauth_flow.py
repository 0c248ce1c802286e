"""Signing in with Hugging Face against hubsim, as a browser would, with Django's test client.

hubsim's consent screen approves at once for whoever `hub.oauth_browser(...)` says is signed in there, so
the flow is three hops: hubdash sends the browser to the Hub, the Hub sends it back with a code, hubdash
finishes. `follow_to_hub` stops after the second hop, for tests that tamper with the callback.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

CLIENT_ID = "hubdash-tests"
CLIENT_SECRET = "hubdash-tests-client-secret-0123"
CALLBACK = "http://testserver/accounts/hf/callback/"


@pytest.fixture
def hf_oauth(hub_world, settings):
    """hubsim registered as hubdash's OAuth provider; hubdash configured for it."""
    hub_world.oauth_app([CALLBACK], client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    settings.HF_OAUTH_CLIENT_ID = CLIENT_ID
    settings.HF_OAUTH_CLIENT_SECRET = CLIENT_SECRET
    return hub_world


def follow_to_hub(client: Client, start: str | None = None, **post: str) -> str:
    """Start the flow and let the Hub answer: the callback URL (path and query) the Hub sends back to."""
    started = client.post(start or reverse("hf-start"), post)
    assert started.status_code == 302, started.content.decode()[:500]
    consent = requests.get(started["Location"], allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    location = consent.headers["Location"]
    assert location.startswith(CALLBACK), location
    split = urlsplit(location)
    return f"{split.path}?{split.query}"


def sign_in_with_hf(client: Client, start: str | None = None, **post: str):
    """The whole flow; the callback's answer (a redirect when it worked)."""
    return client.get(follow_to_hub(client, start, **post))


def with_param(url: str, **changes: str) -> str:
    split = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    query.update(changes)
    return f"{split.path}?{urlencode(query)}"
