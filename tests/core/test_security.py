"""Cross-cutting security: CSRF on every POST, production settings, the one door to the Hub, headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from hubdash.env import new_token_key_spec
from tests.personas import PASSWORD
from tests.serving.stack import migrated

ROOT = Path(__file__).resolve().parents[2]

# Views that take POSTs from outside a browser and authenticate them another way; each says how.
CSRF_EXEMPT: dict[str, str] = {
    "/webhooks/hub": "the Hub's webhooks; authenticated by X-Webhook-Secret (tests/activity/test_receiver.py)",
}


def sample_for(group_regex: str) -> str:
    """A value that a URL pattern's group accepts: a number, a word, or its first listed choice."""
    for candidate in ("1", "x", *group_regex.split("|")):
        if re.fullmatch(group_regex, candidate):
            return candidate
    raise AssertionError(f"no sample value for ({group_regex})")


def sample_path(pattern: URLPattern | URLResolver) -> str:
    """A concrete path matching one pattern's own part (route converters or regex groups filled in)."""
    if isinstance(pattern.pattern, RoutePattern):
        route = str(pattern.pattern)
        samples = {"int": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: samples.get(m.group(1) or "str", "x"), route)
    regex = str(pattern.pattern).lstrip("^").removesuffix("$").replace("\\Z", "")
    out, i = "", 0
    for start in [m.start() for m in re.finditer(r"\(\?P<\w+>", regex)]:
        if start < i:
            continue  # a group nested in one already filled in
        body_start = regex.index(">", start) + 1
        depth, j = 1, body_start
        while depth:
            depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
            j += 1
        out += regex[i:start] + sample_for(regex[body_start : j - 1])
        i = j
    return (out + regex[i:]).replace("\\", "")


def every_route(patterns: list[Any] | None = None, prefix: str = "/") -> list[tuple[str, Callable[..., Any]]]:
    """Every view in the URL conf with a path that reaches it, walking includes recursively."""
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + sample_path(pattern)
        if isinstance(pattern, URLResolver):
            routes += every_route(pattern.url_patterns, path)
        else:
            routes.append((path, pattern.callback))
    return routes


def test_the_route_walk_finds_hubdash_and_admin_views():
    paths = {path for path, _ in every_route()}
    assert {"/account/token/remove/", "/team/1/role/", "/admin/auth/user/x/change/", "/admin/hub/hubtoken/"} <= paths
    assert len(paths) > 40


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    accepted = []
    for path, view in every_route():
        if getattr(view, "csrf_exempt", False):
            assert path in CSRF_EXEMPT, f"{path} is exempt from CSRF without a stated reason"
            continue
        response = client.post(path, {"role": "admin", "password": PASSWORD, "token": "hf_x"})
        if response.status_code != 403 or "403_csrf.html" not in [t.name for t in response.templates]:
            accepted.append(f"{path} answered {response.status_code}")
    assert accepted == []


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


@pytest.mark.long
def test_production_settings_pass_the_deploy_check():
    # As the release step does: without collected static files the deploy check fails (hubdash.E009).
    assert manage("collectstatic", "--noinput", "-v0", env=production_env()).returncode == 0
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


@pytest.mark.serving
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
    migrated(env)  # as `manage.py migrate` leaves it: a copy of the database the serving tests migrate once
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
            except (requests.ConnectionError, requests.ReadTimeout):  # or listening, its worker still booting
                time.sleep(0.1)
        assert page.status_code == 200 and page.url.endswith("/setup/") and "Create admin account" in page.text
        css = requests.get(f"http://127.0.0.1:{port}/static/css/hubdash.css", timeout=5)
        assert css.status_code == 200 and "--accent" in css.text
    finally:
        server.terminate()
        server.wait(timeout=10)
