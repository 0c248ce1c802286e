"""Cross-cutting security: CSRF on every POST, production settings, the one door to the Hub, headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hubdash.env import new_token_key_spec
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[1]

POST_ROUTES = [
    ("setup", []),
    ("login", []),
    ("logout", []),
    ("profile-refresh", []),
    ("token", []),
    ("token-remove", []),
    ("team-add", []),
    ("team-role", [1]),
    ("team-active", [1]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name,args", POST_ROUTES)
def test_every_post_route_refuses_a_request_without_csrf_token(alice, name, args):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse(name, args=args), {"role": "admin", "password": PASSWORD, "token": "hf_x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content


@pytest.mark.django_db
def test_security_headers_on_pages(alice_client):
    response = alice_client.get(reverse("profile"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    assert '"allowEval": false' in html and '"allowScriptTags": false' in html
    assert "<script>" not in html  # no inline script: htmx comes as a file


def production_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBDASH_") and k != "DATABASE_URL"}
    env.update(
        {
            "HUBDASH_ENV": "production",
            "HUBDASH_SECRET_KEY": "x" * 60 + "production-secret-key-for-tests",
            "HUBDASH_ALLOWED_HOSTS": "hubdash.example.org",
            "HUBDASH_TOKEN_KEYS": new_token_key_spec(),
            "HUBDASH_VAR_DIR": os.environ["HUBDASH_VAR_DIR"],
        }
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v != ""}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["HUBDASH_SECRET_KEY", "HUBDASH_ALLOWED_HOSTS", "HUBDASH_TOKEN_KEYS"])
def test_production_refuses_to_start_without_its_secrets(missing):
    result = manage("check", env=production_env(**{missing: ""}))
    assert result.returncode != 0 and missing in result.stderr


def test_production_refuses_debug():
    result = manage("check", env=production_env(HUBDASH_DEBUG="true"))
    assert result.returncode != 0 and "HUBDASH_DEBUG" in result.stderr


def test_production_cookies_are_host_only_and_secure():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_AGE, "
        "s.CSRF_TRUSTED_ORIGINS)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=production_env())
    assert result.stdout.split() == [
        "__Host-hubdash-session",
        "__Host-hubdash-csrf",
        "True",
        "43200",
        "['https://hubdash.example.org']",
    ], result.stderr


def test_only_the_hub_package_imports_huggingface_hub():
    importing = re.compile(r"^\s*(from|import)\s+(huggingface_hub|httpx2)\b", re.M)
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "hubdash").rglob("*.py")
        if "hubdash/hub/" not in path.as_posix() and importing.search(path.read_text())
    ]
    assert offenders == []


def test_token_redaction_in_logs():
    from hubdash.core.logging import redact

    assert redact("calling with hf_abcd3fghijklmnop and Bearer whatever") == "calling with [redacted] and [redacted]"
    assert redact("token hf_alice_write_0123456789abcdefSENTINEL.") == "token [redacted]."
    assert redact("in hf_hub_download at line 12") == "in hf_hub_download at line 12"


def test_a_logged_error_with_a_token_in_its_traceback_is_redacted():
    import logging

    from hubdash.core.logging import RedactTokens

    try:
        raise RuntimeError("Hub said no to hf_alice_write_0123456789abcdefSENTINEL")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed for %s", ("Bearer hf_x1234567890",), True)
        import sys

        record.exc_info = sys.exc_info()
    RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert "SENTINEL" not in text and "hf_x1234567890" not in text and "RuntimeError" in text


def test_every_setting_is_documented():
    read = set()
    for path in [*(ROOT / "hubdash").rglob("*.py")]:
        read |= set(re.findall(r"""env\w*\(\s*["'](HUBDASH_[A-Z_]+|HF_ENDPOINT|DATABASE_URL)["']""", path.read_text()))
        read |= set(re.findall(r"""environ\.get\(\s*["'](HUBDASH_[A-Z_]+)["']""", path.read_text()))
    assert len(read) > 15
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert [name for name in sorted(read) if name not in example] == []
    assert [name for name in sorted(read) if name not in readme] == []


def test_gunicorn_serves_hubdash_with_its_config(tmp_path):
    """What `make run` and the Procfile start: gunicorn, our config, static files through whitenoise."""
    import socket
    import time

    import requests

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(HUBDASH_VAR_DIR=str(tmp_path), HUBDASH_BIND=f"127.0.0.1:{port}", HUBDASH_WORKERS="1")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(100):
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert page.status_code == 200 and page.url.endswith("/setup/") and "Create admin account" in page.text
        css = requests.get(f"http://127.0.0.1:{port}/static/css/hubdash.css", timeout=5)
        assert css.status_code == 200 and "--accent" in css.text
    finally:
        server.terminate()
        server.wait(timeout=10)
