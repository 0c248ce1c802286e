"""`make demo` as a newcomer runs it: it says where it really serves (HUBDASH_BIND), and a second start
keeps the demo account's token instead of connecting it again."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.serving.stack import migrated

pytestmark = pytest.mark.serving

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stored_token(env: dict[str, str]) -> str:
    probe = "from hubdash.hub.models import HubToken; print(list(HubToken.objects.values_list('id', 'updated_at')))"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def descendants(pid: int) -> set[int]:
    """Every process started under `pid`, however deep (hubsim, hubdash.run, gunicorn and its workers, the
    job worker), from the kernel's process table."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # gone meanwhile
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a zombie, dead but not yet reaped by its parent, is not)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def run_demo(env: dict[str, str], stop: signal.Signals = signal.SIGINT) -> tuple[str, int, requests.Response]:
    """Start the demo, wait for the line that says where it serves, fetch the sign-in page and a mistyped
    address, stop it with `stop` (Ctrl-C, or SIGTERM as a service manager or `kill` sends), and check that
    everything it started has stopped by the time it exits."""
    demo = subprocess.Popen(
        [sys.executable, "-m", "tests.demo"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    started: set[int] = set()
    try:
        assert demo.stdout is not None
        line = ""
        for line in demo.stdout:
            if "hubdash demo at" in line:
                break
        address, status = line.split("hubdash demo at ", 1)[1].split(" ", 1)[0], 0
        for _ in range(200):
            try:
                status = requests.get(address + "/accounts/login/", timeout=10).status_code
                break
            except (requests.ConnectionError, requests.ReadTimeout):  # gunicorn or its worker still starting
                time.sleep(0.1)
        mistyped = requests.get(address + "/no-such-page/", timeout=10)
        started = descendants(demo.pid)
    finally:
        demo.send_signal(stop)
        demo.wait(timeout=90)
    # hubsim, hubdash.run, gunicorn's master and its worker, the job worker: all of them.
    assert len(started) >= 5, started
    assert running(started) == set(), "left running after the demo stopped"
    return address, status, mistyped


def test_make_demo_prints_where_it_serves_and_connects_the_token_only_once(tmp_path):
    web, hubsim = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("HUBDASH_")}
    env.update(HUBDASH_BIND=f"127.0.0.1:{web}", HUBSIM_PORT=str(hubsim), DEMO_VAR_DIR=str(tmp_path))
    # Its static files in a folder of its own: the checkout's serve the other tests meanwhile.
    env.update(HUBDASH_WORKERS="1", HUBDASH_THREADS="4", HUBDASH_STATIC_ROOT=str(tmp_path / "staticfiles"))
    # The database as `migrate` leaves it, copied (tests/serving/stack.py): the demo's own migrate finds it done.
    migrated(dict(env, HUBDASH_VAR_DIR=str(tmp_path)))
    address, status, mistyped = run_demo(env)
    assert address == f"http://127.0.0.1:{web}" and status == 200
    assert mistyped.status_code == 404
    assert "Page not found" in mistyped.text and "URLconf" not in mistyped.text  # the designed page, no routes
    first = stored_token(dict(env, HUBDASH_VAR_DIR=str(tmp_path)))
    assert first.startswith("[(")  # connected
    address, status, _ = run_demo(env, stop=signal.SIGTERM)
    assert status == 200
    assert stored_token(dict(env, HUBDASH_VAR_DIR=str(tmp_path))) == first  # not replaced


@pytest.mark.parametrize("taken", ["HUBSIM_PORT", "HUBDASH_BIND"])
def test_make_demo_with_its_port_taken_says_which_and_sets_nothing_up(tmp_path, taken):
    web, hubsim = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("HUBDASH_")}
    env.update(HUBDASH_BIND=f"127.0.0.1:{web}", HUBSIM_PORT=str(hubsim), DEMO_VAR_DIR=str(tmp_path / "demo"))
    with socket.socket() as other_program:
        other_program.bind(("127.0.0.1", hubsim if taken == "HUBSIM_PORT" else web))
        other_program.listen()
        demo = subprocess.run(
            [sys.executable, "-m", "tests.demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert demo.returncode == 1
    port = hubsim if taken == "HUBSIM_PORT" else web
    assert f"port {port}" in demo.stderr and f"{taken}=" in demo.stderr  # which port, and how to choose another
    assert not (tmp_path / "demo").exists()  # no database, no secrets
    for free in (web, hubsim):  # nothing left running on either port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", free))
