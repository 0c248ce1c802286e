"""`make run` (`python -m hubdash.run`) serves hubdash as its users meet it: a mistyped address gets the
designed 404 page, not Django's debug page listing every route, and a page a member may not open is one
line in the console, not a traceback. Debugging is `make dev` (HUBDASH_DEBUG=true)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from tests.serving.stack import ROOT, SIGN_IN, free_port, hubdash_env, migrated, sign_in, stop, wait_for

pytestmark = pytest.mark.serving

PASSWORD = "a-long-member-password-42"


def test_make_run_shows_designed_error_pages_and_no_tracebacks() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hubdash-run-"))
    port = free_port()
    # As on a fresh clone: no static files collected yet (hubdash.run collects them itself), in a folder of its
    # own (the other tests' servers read the checkout's).
    static_root = folder / "staticfiles"
    env = hubdash_env(
        folder / "var",
        f"127.0.0.1:{port}",
        HUBDASH_WORKERS="1",
        HUBDASH_THREADS="4",
        HUBDASH_STATIC_ROOT=str(static_root),
    )
    del env["HUBDASH_DEBUG"]  # as `make run` starts it: whatever hubdash.run chooses
    manage = [sys.executable, "manage.py"]
    migrated(env)
    people = (
        "from django.contrib.auth.models import User; "
        "User.objects.create_superuser('alice', 'alice@example.com', 'an-admin-password-42'); "
        f"User.objects.create_user('bob', 'bob@example.com', {PASSWORD!r})"
    )
    subprocess.run([*manage, "shell", "--no-imports", "-c", people], cwd=ROOT, env=env, check=True)
    console = folder / "console.txt"
    with console.open("wb") as output:
        run = subprocess.Popen(
            [sys.executable, "-m", "hubdash.run"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    site = f"http://127.0.0.1:{port}"
    try:
        wait_for(site + SIGN_IN, run)
        assert requests.get(site + SIGN_IN, timeout=10).status_code == 200
        mistyped = requests.get(site + "/no-such-page/", timeout=10)
        assert mistyped.status_code == 404
        assert "Page not found" in mistyped.text and "URLconf" not in mistyped.text

        member = requests.Session()
        assert sign_in(member, site, "bob", PASSWORD) == 302
        refused = member.get(site + "/team/1/role/", timeout=10)
        assert refused.status_code == 403
        assert refused.text.count("No access") == 2  # the tab's title and the heading, nothing more
        assert 'href="/"' in refused.text.split('<main id="main">', 1)[1]  # and a way back
    finally:
        stop(run)
        printed = console.read_text()
        shutil.rmtree(folder, ignore_errors=True)
    assert "Forbidden (Permission denied): /team/1/role/" in printed  # one line says what happened
    assert "Traceback" not in printed
    assert "Scheduler: a tick every" in printed  # the scheduler ran beside web and worker, and stopped with them
