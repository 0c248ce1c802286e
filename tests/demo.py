"""`make demo`: hubsim with the demo world, and hubdash pointed at it with a connected account.

Everything stays on loopback; the demo's database and secrets live under var/demo/.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUBSIM_PORT = int(os.environ.get("HUBSIM_PORT", "8765"))
USERNAME, PASSWORD = "demo", "demo-password-123"
DEMO_TOKEN = "hf_demo_alice_write"  # alice's write token in hubsim's demo world


def start_hubsim(port: int, started: list[subprocess.Popen] | None = None) -> tuple[subprocess.Popen, str]:
    """hubsim and its banner line ("" if it could not start); added to `started` before it is waited for, so
    that a stop meanwhile stops it too."""
    hubsim = subprocess.Popen(
        [sys.executable, "-m", "tests.hubsim", "--port", str(port), "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    if started is not None:
        started.append(hubsim)
    line = hubsim.stdout.readline().strip()  # type: ignore[union-attr]
    return hubsim, line


def prepare_account(env: dict[str, str], username: str = USERNAME, password: str = PASSWORD) -> None:
    """Migrate, create an admin account if it is missing, and connect the demo token to it the first time.

    A token connected before is kept: the demo's account is what it was when it last stopped.
    """
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    probe = (
        "from django.contrib.auth.models import User; from hubdash import hub; "
        f"user = User.objects.filter(username={username!r}).first(); "
        "print('none' if user is None else 'connected' if hub.token_status(user) else 'bare')"
    )
    state = subprocess.run(
        [*manage, "shell", "--no-imports", "-c", probe], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    if state == "none":
        subprocess.run(
            [*manage, "createsuperuser", "--noinput", "--username", username, "--email", f"{username}@example.com"],
            cwd=ROOT,
            env=dict(env, DJANGO_SUPERUSER_PASSWORD=password),
            check=True,
        )
    if state != "connected":
        subprocess.run(
            [*manage, "connect_token", username], cwd=ROOT, env=env, check=True, input=DEMO_TOKEN + "\n", text=True
        )


def taken_port(env: dict[str, str]) -> str | None:
    """Why the demo cannot start, if a port it needs is in use: which port, and how to choose another.

    Checked before anything is started or written, so that a refusal leaves nothing behind.
    """
    bind = env.get("HUBDASH_BIND", "127.0.0.1:8000").strip()
    wanted = [("127.0.0.1", HUBSIM_PORT, f"HUBSIM_PORT={HUBSIM_PORT + 1} make demo", "hubsim (the demo Hub)")]
    if not bind.startswith("unix:"):
        host, _, port = bind.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"  # noqa: S104 (probed, not served)
        wanted.append(
            (
                host,
                int(port),
                f"HUBDASH_BIND={bind.rpartition(':')[0] or '127.0.0.1'}:{int(port) + 1} make demo",
                "hubdash",
            )
        )
    for host, port, example, what in wanted:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                if error.errno != errno.EADDRINUSE:
                    raise
                return f"make demo: port {port} for {what} is in use by another program. Choose another: {example}"
    return None


def served_address(env: dict[str, str]) -> str:
    """Where gunicorn listens, as hubdash/gunicorn.conf.py reads HUBDASH_BIND, in a form to open."""
    bind = env.get("HUBDASH_BIND", "127.0.0.1:8000").strip()
    if bind.startswith("unix:"):
        return f"the unix socket {bind.removeprefix('unix:')}"
    host, _, port = bind.rpartition(":")
    # Listening on every interface: this machine answers on loopback too.
    host = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]", "": "127.0.0.1"}.get(host, host)  # noqa: S104 (read, not bound)
    return f"http://{host}:{port}"


def gunicorn(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
        cwd=ROOT,
        env=env,
    )


def web_and_worker(env: dict[str, str]) -> subprocess.Popen:
    """gunicorn, the job worker (uploads' pushes, scheduled jobs) and the scheduler, as `make run` starts them
    (hubdash/run.py)."""
    # Its own session: a stop reaches it once, from us (below), whether Ctrl-C came from a terminal or a signal.
    return subprocess.Popen([sys.executable, "-m", "hubdash.run"], cwd=ROOT, env=env, start_new_session=True)


def stop_requested(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM as Ctrl-C: one way out, through main's `finally`


def stop(started: list[subprocess.Popen]) -> None:
    """Stop what the demo started, and wait until each has: hubdash.run stops gunicorn and the job worker
    gracefully (within its GRACE_S), hubsim at once. Another Ctrl-C or SIGTERM meanwhile is passed on, which
    hubdash.run takes as "stop now"."""
    for child in started:
        if child.poll() is None:
            child.terminate()
    for child in reversed(started):
        while True:
            try:
                child.wait(timeout=60)
                break
            except KeyboardInterrupt:
                if child.poll() is None:
                    child.send_signal(signal.SIGINT)
            except subprocess.TimeoutExpired:
                child.kill()


def main() -> int:
    # Ctrl-C and SIGTERM stop the demo and everything it started (hubsim, and through hubdash.run gunicorn and
    # the job worker), also when it was started where SIGINT is ignored (a script's background job inherits
    # SIG_IGN, and Python then installs no handler of its own).
    signal.signal(signal.SIGINT, stop_requested)
    signal.signal(signal.SIGTERM, stop_requested)
    env = dict(
        os.environ,
        HF_ENDPOINT=f"http://127.0.0.1:{HUBSIM_PORT}",
        # The demo keeps its own database and secrets, apart from `make run`'s (DEMO_VAR_DIR moves them).
        HUBDASH_VAR_DIR=os.environ.get("DEMO_VAR_DIR", str(ROOT / "var" / "demo")),
        HF_HUB_DISABLE_XET="1",
    )
    env.pop("DATABASE_URL", None)
    refused = taken_port(env)
    if refused:
        print(refused, file=sys.stderr, flush=True)
        return 1
    started: list[subprocess.Popen] = []
    try:
        _, banner = start_hubsim(HUBSIM_PORT, started)
        if not banner:  # it could not start after all (the port taken since we looked)
            print(
                f"make demo: hubsim could not start on port {HUBSIM_PORT}; choose another with HUBSIM_PORT",
                file=sys.stderr,
            )
            return 1
        print(banner, flush=True)
        prepare_account(env)  # a stop meanwhile: subprocess.run kills the step it runs
        print(
            f"\nhubdash demo at {served_address(env)} — sign in as {USERNAME} / {PASSWORD} "
            "(connected to the demo Hub as alice). Ctrl-C stops both.\n",
            flush=True,
        )
        server = web_and_worker(env)
        started.append(server)
        if server.wait():
            return 1  # it said why (gunicorn: "Cannot listen at ...")
    except KeyboardInterrupt:
        pass
    finally:
        stop(started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
