"""The accounts/team split keeps every URL: each name reverses to the path it had, and answers a GET from
each persona with the status it answered before (tests/team/url_names.json, recorded before the split).

To record the file again (only when a URL is meant to change): HUBDASH_RECORD_URL_NAMES=1 pytest this file.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

pytestmark = pytest.mark.django_db

RECORD = Path(__file__).with_name("url_names.json")
PERSONAS = ("anonymous", "charlie", "bob", "alice")
# Sample arguments for the names that take some: none of them names a real row, so that the status does not
# depend on which primary keys a test database handed out.
SAMPLE_KWARGS: dict[str, dict[str, Any]] = {
    "password-reset": {"uidb64": "MQ", "token": "sample-token"},
    "invitation-revoke": {"pk": 999999},
    "team-role": {"pk": 999999},
    "team-active": {"pk": 999999},
    "team-token-remove": {"pk": 999999},
    "team-password-reset": {"pk": 999999},
    "invitation": {"token": "sample-token"},
}
# The URL modules of the team portal: accounts before the split, accounts and team after it.
URL_MODULES = ("hubdash.accounts.urls", "hubdash.team.urls")


def url_names() -> list[str]:
    names: list[str] = []
    for module_name in URL_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        names += [p.name for p in module.urlpatterns if isinstance(p, URLPattern) and p.name]
    return names


@pytest.fixture
def personas(hub_world, alice, bob, charlie) -> dict[str, Client]:
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    return {"anonymous": Client(), "charlie": signed_in(charlie), "bob": bob_client, "alice": alice_client}


def observe(personas: dict[str, Client]) -> dict[str, Any]:
    observed: dict[str, Any] = {}
    for name in url_names():
        kwargs = SAMPLE_KWARGS.get(name, {})
        path = reverse(name, kwargs=kwargs)
        statuses = {persona: personas[persona].get(path).status_code for persona in PERSONAS}
        observed[name] = {"kwargs": kwargs, "path": path, "get": statuses}
    return observed


def test_each_url_name_reverses_to_its_path_and_answers_as_before(personas):
    if os.environ.get("HUBDASH_RECORD_URL_NAMES"):
        RECORD.write_text(json.dumps(observe(personas), indent=2) + "\n")
    recorded = json.loads(RECORD.read_text())
    assert sorted(url_names()) == sorted(recorded)
    for name, entry in recorded.items():
        assert reverse(name, kwargs=entry["kwargs"]) == entry["path"], name
        for persona in PERSONAS:
            assert personas[persona].get(entry["path"]).status_code == entry["get"][persona], (name, persona)
