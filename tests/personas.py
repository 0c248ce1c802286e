"""hubdash's personas, registered as a pytest plugin by tests/conftest.py so every test can use them.

alice is an admin with a write token, bob a member with a read-only token, charlie a member without any
token (the outsider). On the emulated Hub, alice is admin of acme and writes in datalab; bob reads acme.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import Client

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ALICE_TOKEN = "hf_alice_write_0123456789abcdefSENTINEL"
BOB_TOKEN = "hf_bob_read_0123456789abcdef"
FINE_TOKEN = "hf_alice_fine_0123456789abcdef"
PASSWORD = "correct-horse-battery-staple"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user, backend="hubdash.hub.auth.ModelBackend")
    return client


@pytest.fixture
def hub_world(hub, settings):
    """hubsim with the personas' Hub accounts, and hubdash pointed at it."""
    settings.HF_ENDPOINT = hub.url
    hub.add_user(
        "alice",
        fullname="Alice Martin",
        orgs={"acme": "admin", "datalab": "write"},
        tokens={
            ALICE_TOKEN: "write",
            FINE_TOKEN: {
                "role": "fineGrained",
                "displayName": "acme-ci",
                "scoped": [
                    {"entity": {"type": "org", "name": "acme"}, "permissions": ["repo.content.read", "repo.write"]}
                ],
            },
        },
    )
    hub.add_user("bob", fullname="Bob Nakamura", orgs={"acme": "read"}, tokens={BOB_TOKEN: "read"})
    return hub


@pytest.fixture
def alice(db):
    from django.contrib.auth.models import User

    return User.objects.create_superuser("alice", "alice@example.com", PASSWORD)


@pytest.fixture
def bob(db):
    from django.contrib.auth.models import User

    return User.objects.create_user("bob", "bob@example.com", PASSWORD)


@pytest.fixture
def charlie(db):
    from django.contrib.auth.models import User

    return User.objects.create_user("charlie", "charlie@example.com", PASSWORD)


@pytest.fixture
def alice_client(alice):
    return signed_in(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)
