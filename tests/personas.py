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


_PASSWORD_HASHES: dict[str, str] = {}


def person(username: str, superuser: bool = False) -> User:
    """A persona's account, with PASSWORD. Its hash is made once per process for each hasher setting and shared
    by the personas: under `real_password_hashing` (Django's PBKDF2 at the full count) each new hash costs a
    quarter of a second, and the tests there are about signing in and passwords, not about making accounts."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[hasher] = make_password(PASSWORD)
    user = User(username=username, email=f"{username}@example.com", is_staff=superuser, is_superuser=superuser)
    user.password = _PASSWORD_HASHES[hasher]
    user.save()
    return user


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
    return person("alice", superuser=True)


@pytest.fixture
def bob(db):
    return person("bob")


@pytest.fixture
def charlie(db):
    return person("charlie")


@pytest.fixture
def alice_client(alice):
    return signed_in(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)
