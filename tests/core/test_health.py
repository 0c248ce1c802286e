"""/healthz: each part hubdash depends on with its state; 503 naming the broken ones; the Hub reported only."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from tests.core.test_checks import collect_static, use_manifest_storage
from tests.core.test_security import ROOT

ALL_OK = {"database": "ok", "cache": "ok", "static": "ok", "token_keys": "ok", "hub": "ok", "failing": []}

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


@pytest.fixture
def hub_ok(hub_endpoint, settings):
    settings.HF_ENDPOINT = hub_endpoint
    return hub_endpoint


def health() -> tuple[int, dict]:
    response = Client().get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_everything_up_is_200_with_each_part_named(hub_ok, hub):
    assert health() == (200, ALL_OK)
    assert not [r for r in hub.requests() if r["user"]]  # the health check sends no token


def test_a_hub_that_is_down_is_reported_but_hubdash_still_serves(hub_ok, hub):
    hub.fault(method="*", path="*", status=503)
    assert health() == (200, {**ALL_OK, "hub": "unreachable"})


def test_a_hub_nobody_listens_on_is_reported_unreachable(settings):
    settings.HF_ENDPOINT = "http://127.0.0.1:9"
    assert health() == (200, {**ALL_OK, "hub": "unreachable"})


@pytest.mark.parametrize("backend", ["files", "redis"])
def test_a_broken_cache_is_a_503_naming_it_never_a_500(hub_ok, settings, tmp_path, backend):
    if backend == "files":
        # The cache folder cannot be created: a file stands where its parent should be.
        (tmp_path / "not-a-folder").write_text("")
        location = str(tmp_path / "not-a-folder" / "cache")
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": location}}
        settings.CACHES["default"]["BACKEND"] = "hubdash.core.filecache.OccasionallyCulledFileCache"
    else:
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
        }
    assert health() == (503, {**ALL_OK, "cache": "unavailable", "failing": ["cache"]})


def test_unusable_token_keys_are_a_503_without_the_key(hub_ok, settings):
    short_key = base64.urlsafe_b64encode(b"only sixteen byt").decode()
    settings.HUBDASH_TOKEN_KEYS = [f"k1:{short_key}"]
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {**ALL_OK, "token_keys": "unusable", "failing": ["token_keys"]}
    assert short_key not in response.content.decode()


def test_static_files_not_collected_are_a_503_until_collected(hub_ok, settings, tmp_path):
    (tmp_path / "static").mkdir()
    use_manifest_storage(settings, tmp_path / "static")
    assert health() == (503, {**ALL_OK, "static": "missing", "failing": ["static"]})
    collect_static()
    # A process reads the manifest once: the same settings anew, as a restarted worker would.
    use_manifest_storage(settings, tmp_path / "static")
    assert health() == (200, ALL_OK)


def test_a_database_that_cannot_be_reached_is_a_503_naming_it(hub_ok, tmp_path):
    """A real hubdash process whose database file cannot be opened (its folder does not exist)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBDASH_") and k != "DATABASE_URL"}
    if "HUBDASH_CACHE_URL" in os.environ:  # CI's Redis run: that cache must still answer
        env["HUBDASH_CACHE_URL"] = os.environ["HUBDASH_CACHE_URL"]
    env.update(
        DJANGO_SETTINGS_MODULE="hubdash.settings",
        HUBDASH_VAR_DIR=str(tmp_path / "var"),
        HUBDASH_ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'gone' / 'hubdash.sqlite3'}",
        HF_ENDPOINT=hub_ok,
    )
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code, response.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    status, body = result.stdout.split(" ", 1)
    assert (int(status), json.loads(body)) == (503, {**ALL_OK, "database": "unavailable", "failing": ["database"]})
    assert "unable to open" in result.stderr  # logged for the operator, not answered
