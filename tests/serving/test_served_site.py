"""hubdash served as deploy/nginx/hubdash.conf ships it, in front of gunicorn as hubdash configures it, on
loopback ports other than 80 and 443: one-time links leave no secret in any log, and forms and links
keep the port the site is reached on."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.serving.stack import (
    ROOT,
    SIGN_IN,
    csrf_token,
    free_port,
    hubdash_env,
    migrated,
    run_nginx,
    sign_in,
    site_config,
    start_gunicorn,
    stop,
    wait_for,
)

pytestmark = pytest.mark.serving

PASSWORD = "a-long-admin-password-42"


@dataclass
class Site:
    http: str  # the plain-HTTP server block, which sends everyone to HTTPS
    https: str
    certificate: str
    folder: Path  # everything the stack writes: nginx's logs, gunicorn's output, hubdash's data
    env: dict[str, str]
    gunicorn: subprocess.Popen[bytes]


def manage_shell(env: dict[str, str], code: str) -> str:
    command = [sys.executable, "manage.py", "shell", "--no-imports", "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def site() -> Iterator[Site]:
    folder = Path(tempfile.mkdtemp(prefix="hubdash-served-site-"))
    var_dir, prefix = folder / "var", folder / "nginx"
    prefix.mkdir()
    gunicorn_port, http_port, https_port = free_port(), free_port(), free_port()
    env = hubdash_env(var_dir, f"127.0.0.1:{gunicorn_port}", HUBDASH_BEHIND_PROXY="true")
    migrated(env)
    manage_shell(
        env,
        "from django.contrib.auth.models import User; "
        f"User.objects.create_superuser('alice', 'alice@example.com', {PASSWORD!r}); "
        "User.objects.create_user('bob', 'bob@example.com', 'bob-old-password-42')",
    )
    processes = [start_gunicorn(env)]
    try:
        wait_for(f"http://127.0.0.1:{gunicorn_port}{SIGN_IN}", processes[0])
        config = site_config(prefix, http_port, https_port, gunicorn_port, ROOT / "staticfiles")
        processes.append(run_nginx(prefix, config))
        wait_for(f"http://127.0.0.1:{http_port}/", processes[-1])
        https = f"https://127.0.0.1:{https_port}"
        yield Site(f"http://127.0.0.1:{http_port}", https, str(prefix / "certificate.pem"), folder, env, processes[0])
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def one_time_links(env: dict[str, str]) -> dict[str, str]:
    """Paths of a pending and an expired invitation, and of a valid and a used password-reset link."""
    made = manage_shell(
        env,
        "import json; from datetime import timedelta; from django.contrib.auth.models import User; "
        "from django.contrib.auth.tokens import default_token_generator as tokens; "
        "from django.utils import timezone; from django.utils.http import urlsafe_base64_encode; "
        "from hubdash.team import invitations; "
        "alice, bob = User.objects.get(username='alice'), User.objects.get(username='bob'); "
        "_, pending = invitations.create(alice, role='member', valid_days=7); "
        "old, expired = invitations.create(alice, role='member', valid_days=7); "
        "old.expires_at = timezone.now() - timedelta(days=1); old.save(); "
        "used = tokens.make_token(bob); bob.set_password('bob-new-password-42'); bob.save(); "
        "uid = urlsafe_base64_encode(str(bob.pk).encode()); "
        "print(json.dumps({'pending': pending, 'expired': expired, 'reset': tokens.make_token(bob), "
        "'used': used, 'uid': uid}))",
    )
    secrets = json.loads(made.strip().splitlines()[-1])
    return {
        secrets["pending"]: f"/invitation/{secrets['pending']}/",
        secrets["expired"]: f"/invitation/{secrets['expired']}/",
        secrets["reset"]: f"/password/reset/{secrets['uid']}/{secrets['reset']}/",
        secrets["used"]: f"/password/reset/{secrets['uid']}/{secrets['used']}/",
    }


def test_one_time_links_leave_no_secret_in_any_log(site: Site) -> None:
    links = one_time_links(site.env)
    answers = []
    for path in links.values():
        plain = requests.get(site.http + path, allow_redirects=False, timeout=10)
        assert plain.status_code == 301  # the port-80 server block logs it too
        page = requests.get(site.https + path, verify=site.certificate, allow_redirects=False, timeout=10)
        answers.append(page.status_code)
    assert sorted(answers) == [302, 302, 410, 410]  # each valid link works once; the others are gone
    stop(site.gunicorn)  # a restart: nginx cannot reach hubdash, and writes an error for each request
    for path in links.values():
        assert requests.get(site.https + path, verify=site.certificate, timeout=10).status_code == 502

    logs = {path: path.read_text(errors="replace") for path in site.folder.rglob("*.log")}
    for path, text in logs.items():
        for secret in links:
            assert secret not in text, f"{path.name} holds a one-time link's secret"
    assert {path.name for path in logs} >= {"hubdash.access.log", "hubdash.error.log", "gunicorn.log"}
    written = "".join(logs.values())
    assert "GET /invitation/[redacted]/" in written  # the requests were logged, with the marker in place
    assert "/password/reset/" in written and "/[redacted]/" in written


def test_a_site_on_another_port_keeps_its_forms_and_links(site: Site) -> None:
    browser = requests.Session()
    signed_in = sign_in(browser, site.https, "alice", PASSWORD, verify=site.certificate)
    assert signed_in == 302, "the sign-in form was refused (CSRF: origin without the port)"
    bob = manage_shell(
        site.env, "from django.contrib.auth.models import User; print(User.objects.get(username='bob').pk)"
    )
    team = browser.get(site.https + "/team/", verify=site.certificate, timeout=10)
    reset = browser.post(
        f"{site.https}/team/{bob.strip()}/password-reset/",
        data={"csrfmiddlewaretoken": csrf_token(team.text)},
        headers={"Origin": site.https, "Referer": site.https + "/team/"},
        verify=site.certificate,
        timeout=10,
    )
    assert reset.status_code == 200
    assert f"{site.https}/password/reset/" in reset.text  # the link the admin hands on reaches this site


def test_gunicorn_error_lines_replace_the_secret(tmp_path: Path) -> None:
    """gunicorn quotes the path when a request fails ("Error handling request /invitation/...")."""
    from gunicorn.config import Config

    logger_class = runpy.run_path(str(ROOT / "hubdash" / "gunicorn.conf.py"))["logger_class"]
    config = Config()
    config.set("logger_class", logger_class)
    config.set("errorlog", str(tmp_path / "error.log"))
    log = config.logger_class(config)
    secret = "s3cr3t-one-time-token-0123456789"
    log.exception("Error handling request %s", f"/invitation/{secret}/")
    log.error("Invalid request from %s: %s", "127.0.0.1", f"GET /password/reset/Mg/{secret}/ HTTP/1.1")
    written = (tmp_path / "error.log").read_text()
    assert secret not in written
    assert "Error handling request /invitation/[redacted]/" in written
