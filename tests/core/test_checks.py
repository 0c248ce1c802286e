"""Settings that parse but cannot work stop hubdash at start-up, with a message that names them."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from hubdash.env import envfloat, new_token_key_spec
from tests.core.test_security import ROOT, manage, production_env

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def failures(*, deploy: bool = False) -> list[tuple[str, str]]:
    """(id, message and hint) of each failing hubdash check."""
    found = run_checks(tags=["hubdash"], include_deployment_checks=deploy)
    return [(m.id or "", f"{m.msg} {m.hint}") for m in found if m.is_serious()]


def ids(*, deploy: bool = False) -> list[str]:
    return [check_id for check_id, _ in failures(deploy=deploy)]


def use_manifest_storage(settings, static_root: Path) -> None:
    """Production's static files storage, reading from (and collecting into) `static_root`."""
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.STATIC_ROOT = str(static_root)


def collect_static() -> None:
    call_command("collectstatic", interactive=False, verbosity=0)


def test_the_settings_the_tests_run_with_pass_every_check():
    assert failures(deploy=True) == []


@pytest.mark.parametrize(
    "keys",
    [
        ["garbage"],
        ["k1:" + base64.urlsafe_b64encode(b"sixteen byte key").decode()],
        ["k1:" + new_token_key_spec().split(":", 1)[1], "k1:" + new_token_key_spec().split(":", 1)[1]],
        [":" + new_token_key_spec().split(":", 1)[1]],
        [],
    ],
    ids=["no-id", "short-key", "same-id-twice", "empty-id", "none"],
)
def test_unusable_token_keys_are_refused_with_how_to_make_one(settings, keys):
    settings.HUBDASH_TOKEN_KEYS = keys
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E001"
    assert "HUBDASH_TOKEN_KEYS" in text and "python -m hubdash.env" in text
    assert not [key for key in keys if key.partition(":")[2] and key.partition(":")[2] in text]  # no key material


def test_rotated_token_keys_pass(settings):
    settings.HUBDASH_TOKEN_KEYS = [new_token_key_spec(), "old:" + new_token_key_spec().split(":", 1)[1]]
    assert ids() == []


@pytest.mark.parametrize(
    "endpoint",
    [
        "huggingface.co",
        "ftp://huggingface.co",
        "https://",
        "https://huggingface.co/?mirror=1",
        "https://huggingface.co/#top",
        "https://user:secret@huggingface.co",
        "https://huggingface.co:99999",
    ],
)
def test_hub_endpoint_must_be_an_absolute_http_url(settings, endpoint):
    settings.HF_ENDPOINT = endpoint
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E002" and "HF_ENDPOINT" in text


@pytest.mark.parametrize("endpoint", ["https://huggingface.co", "http://127.0.0.1:8080", "https://hub.example.org/hf"])
def test_good_hub_endpoints_pass(settings, endpoint):
    settings.HF_ENDPOINT = endpoint
    assert ids() == []


def test_production_sends_tokens_only_over_https_or_to_this_machine(settings):
    settings.HF_ENDPOINT = "http://hub.example.org"
    assert ids() == []  # development may use a Hub on the local network
    settings.PRODUCTION = True
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E003" and "https" in text
    for local in ("http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9000"):
        settings.HF_ENDPOINT = local
        assert ids() == [], local


@pytest.mark.parametrize(
    ("setting", "value", "variable"),
    [
        ("HUB_CONNECT_TIMEOUT", 0.0, "HUBDASH_HUB_CONNECT_TIMEOUT"),
        ("HUB_READ_TIMEOUT", -1.0, "HUBDASH_HUB_READ_TIMEOUT"),
        ("HUB_CONCURRENCY", 0, "HUBDASH_HUB_CONCURRENCY"),
        ("WHOAMI_CACHE_SECONDS", 0, "HUBDASH_WHOAMI_CACHE_SECONDS"),
        ("HUB_CACHE_SECONDS", -60, "HUBDASH_HUB_CACHE_SECONDS"),
        ("SWITCH_INTERVAL_MS", 0.0, "HUBDASH_SWITCH_INTERVAL_MS"),
        ("SESSION_COOKIE_AGE", 0, "HUBDASH_SESSION_HOURS"),
        ("AXES_FAILURE_LIMIT", 0, "HUBDASH_LOGIN_FAILURE_LIMIT"),
        ("AXES_COOLOFF_TIME", timedelta(0), "HUBDASH_LOGIN_COOLOFF_MINUTES"),
        ("SECURE_HSTS_SECONDS", -1, "HUBDASH_HSTS_SECONDS"),
    ],
)
def test_sizes_timeouts_and_limits_must_be_positive(settings, setting, value, variable):
    setattr(settings, setting, value)
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E004" and variable in text


def test_zero_hsts_seconds_is_a_choice_not_a_mistake(settings):
    settings.SECURE_HSTS_SECONDS = 0
    assert ids() == []


def test_a_number_setting_that_is_not_a_number_names_itself(monkeypatch):
    for bad in ("ten", "nan", "inf", "3s"):
        monkeypatch.setenv("HUBDASH_HUB_READ_TIMEOUT", bad)
        with pytest.raises(ImproperlyConfigured, match=f"HUBDASH_HUB_READ_TIMEOUT must be a .*number, not '{bad}'"):
            envfloat("HUBDASH_HUB_READ_TIMEOUT", 10)
    monkeypatch.setenv("HUBDASH_HUB_READ_TIMEOUT", "2.5")
    assert envfloat("HUBDASH_HUB_READ_TIMEOUT", 10) == 2.5
    monkeypatch.delenv("HUBDASH_HUB_READ_TIMEOUT")
    assert envfloat("HUBDASH_HUB_READ_TIMEOUT", 10) == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ten", "HUBDASH_HUB_CONNECT_TIMEOUT must be a number, not 'ten'"), ("0", "hubdash.E004")],
)
def test_manage_py_refuses_a_bad_timeout_from_the_environment(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = manage("check", env={**env, "HUBDASH_HUB_CONNECT_TIMEOUT": value})
    assert result.returncode != 0 and expected in result.stderr


@pytest.mark.parametrize(
    "url",
    ["redis://", "redis://:6379/0", "redis://cache:port/0", "redis://cache:6379/zero", "unix://"],
)
def test_cache_url_must_be_a_usable_redis_url(settings, url):
    settings.CACHE_URL = url
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E005" and "HUBDASH_CACHE_URL" in text


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://cache.internal:6380", "redis://:pw@cache/1", "unix:///run/redis.sock"]
)
def test_good_cache_urls_pass(settings, url):
    settings.CACHE_URL = url
    assert ids() == []


@pytest.mark.parametrize(
    "bind", ["127.0.0.1:http", "127.0.0.1:70000", "not a host:8000", "unix:", "fd://x", "[::1]:port"]
)
def test_bind_address_must_be_one_gunicorn_can_listen_on(monkeypatch, bind):
    monkeypatch.setenv("HUBDASH_BIND", bind)
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E006" and "HUBDASH_BIND" in text and repr(bind) in text


@pytest.mark.parametrize(
    "bind", ["127.0.0.1:8000", "[::1]:8000", "0.0.0.0:8000", "hubdash.internal:8000", "localhost", "unix:/run/h.sock"]
)
def test_good_bind_addresses_pass(monkeypatch, bind):
    monkeypatch.setenv("HUBDASH_BIND", bind)
    assert ids() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("HUBDASH_WORKERS", "two"),
        ("HUBDASH_WORKERS", "0"),
        ("HUBDASH_THREADS", "-1"),
        ("HUBDASH_WORKER_TIMEOUT", "1.5"),
    ],
)
def test_gunicorn_counts_must_be_whole_numbers(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E010" and variable in text


def test_good_gunicorn_counts_pass(monkeypatch):
    for variable, value in [("HUBDASH_WORKERS", "4"), ("HUBDASH_WORKER_TIMEOUT", "0"), ("HUBDASH_MAX_REQUESTS", "0")]:
        monkeypatch.setenv(variable, value)
    assert ids() == []


@pytest.mark.parametrize(
    "host", ["*", "https://hubdash.example.org", "hubdash.example.org:443", "hubdash.example.org/app"]
)
def test_production_allowed_hosts_are_exact_host_names(settings, host):
    settings.ALLOWED_HOSTS = [host]
    assert ids() == []  # development accepts anything Django does
    settings.PRODUCTION = True
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E007" and "HUBDASH_ALLOWED_HOSTS" in text


@pytest.mark.parametrize(
    "origin",
    ["hubdash.example.org", "http://hubdash.example.org", "https://hubdash.example.org/", "https://example.org/app"],
)
def test_production_csrf_origins_are_https_origins(settings, origin):
    settings.PRODUCTION = True
    settings.CSRF_TRUSTED_ORIGINS = [origin]
    [(check_id, text)] = failures()
    assert check_id == "hubdash.E008" and "HUBDASH_CSRF_TRUSTED_ORIGINS" in text


def test_good_production_hosts_and_origins_pass(settings):
    settings.PRODUCTION = True
    settings.ALLOWED_HOSTS = ["hubdash.example.org", ".example.org", "10.0.0.5", "[::1]"]
    settings.CSRF_TRUSTED_ORIGINS = [
        "https://hubdash.example.org",
        "https://*.example.org",
        "https://h.example.org:8443",
    ]
    assert ids() == []


def test_uncollected_static_files_fail_the_deployment_check_only(settings, tmp_path):
    use_manifest_storage(settings, tmp_path / "static")
    [(check_id, text)] = failures(deploy=True)
    assert check_id == "hubdash.E009" and "collectstatic" in text
    # collectstatic runs the ordinary checks itself, before there is anything collected.
    assert ids() == []
    collect_static()
    assert ids(deploy=True) == []
    (tmp_path / "static" / "staticfiles.json").write_text("half a manifest {")
    [(check_id, text)] = failures(deploy=True)
    assert check_id == "hubdash.E009" and "cannot be read" in text


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_production_start_up_refuses_garbage_token_keys():
    result = run_python("import hubdash.wsgi", production_env(HUBDASH_TOKEN_KEYS="garbage"))
    assert result.returncode != 0
    assert "hubdash will not start until these settings are fixed" in result.stderr
    assert "hubdash.E001" in result.stderr and "python -m hubdash.env" in result.stderr


@pytest.mark.serving
def test_gunicorn_stops_instead_of_serving_with_garbage_token_keys(tmp_path):
    """What the Procfile runs: the app fails to load in gunicorn's master, which exits rather than serving."""
    env = production_env(HUBDASH_TOKEN_KEYS="garbage", HUBDASH_BIND="127.0.0.1:0", HUBDASH_WORKERS="1")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    result = subprocess.run(
        [gunicorn, "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "hubdash will not start until these settings are fixed" in result.stderr
    assert "hubdash.E001" in result.stderr and "Booting worker" not in result.stderr


@pytest.mark.long
def test_production_without_collected_static_refuses_to_start_until_collectstatic(tmp_path):
    # Production settings, but with static files collected into a folder of this test's own.
    (tmp_path / "elsewhere_settings.py").write_text(
        f"from hubdash.settings import *  # noqa\nSTATIC_ROOT = {str(tmp_path / 'static')!r}\n"
    )
    env = production_env(DJANGO_SETTINGS_MODULE="elsewhere_settings", PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    refused = run_python("import hubdash.wsgi", env)
    assert refused.returncode != 0 and "hubdash.E009" in refused.stderr and "collectstatic" in refused.stderr
    # The release step: collectstatic works although nothing is collected yet, then start-up does.
    assert manage("collectstatic", "--noinput", "-v0", env=env).returncode == 0
    started = run_python("import hubdash.wsgi", env)
    assert started.returncode == 0, started.stderr
