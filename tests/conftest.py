"""Test-wide set-up. The environment is fixed before anything imports huggingface_hub."""

import os
import tempfile

# huggingface_hub reads these at import time. Xet storage is not emulated by hubsim, and no test
# may find a token in the developer's own cache or environment.
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubdash-test-hf-home-")
os.environ.pop("HF_TOKEN", None)
# hubdash's development secrets and SQLite file go to a throw-away folder, not the developer's var/.
os.environ.setdefault("HUBDASH_VAR_DIR", tempfile.mkdtemp(prefix="hubdash-test-var-"))
os.environ.setdefault("HUBDASH_ENV", "development")
os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)

pytest_plugins = ["tests.hubsim.pytest_plugin"]

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

SAMPLES = Path(os.environ.get("HUBDASH_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "hub-samples"


@pytest.fixture
def shared_samples():
    """Recorded real Hub responses from the project's shared folder (not copied into the repo)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"recorded Hub samples not found at {SAMPLES} (set HUBDASH_SHARED)")

    def load(name: str):
        return json.loads((SAMPLES / name).read_text())

    return load


# -- hubdash personas -------------------------------------------------------------------------------
# alice is an admin with a write token, bob a member with a read-only token, charlie a member
# without any token (the outsider). On the emulated Hub, alice is admin of acme and writes in datalab.

ALICE_TOKEN = "hf_alice_write_0123456789abcdefSENTINEL"
BOB_TOKEN = "hf_bob_read_0123456789abcdef"
FINE_TOKEN = "hf_alice_fine_0123456789abcdef"
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def alice_client(alice):
    return signed_in(alice)


@pytest.fixture
def bob_client(bob):
    return signed_in(bob)


@pytest.fixture
def charlie_client(charlie):
    return signed_in(charlie)
