"""`python -m hubdash.run` (what `make run` and `make demo` start): the web server, the job worker and the
scheduler together, as the Procfile's `web`, `worker` and `scheduler` would run, stopped together.

Ctrl-C (or SIGTERM) asks both to stop gracefully: gunicorn finishes its requests, the worker its current
push. A second Ctrl-C stops the worker's push at once (the upload is marked failed); if either process
exits on its own, the other is stopped too, so a half-running hubdash is never left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
GRACE_S = 30


def procfile_line(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.partition(":")[2].strip()
    raise SystemExit(f"the Procfile has no {name}: line")


def commands() -> dict[str, list[str]]:
    """gunicorn as `make run` always ran it (on loopback, HUBDASH_BIND), and the Procfile's worker and scheduler."""
    return {
        "web": [str(BIN / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
        "worker": ["/bin/sh", "-c", procfile_line("worker")],
        "scheduler": ["/bin/sh", "-c", procfile_line("scheduler")],
    }


def main(env: dict[str, str] | None = None) -> int:
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping: list[float] = []

    def stop(signum: int, frame: FrameType | None = None) -> None:
        stopping.append(time.monotonic())
        for child in children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGINT if len(stopping) > 1 else signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    env = dict(env if env is not None else os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # the Procfile's `python` is this virtualenv's
    # Served as people use it: the designed error pages, never Django's debug pages (every route, settings,
    # tracebacks). Debugging is `make dev`, or HUBDASH_DEBUG=true.
    env.setdefault("HUBDASH_DEBUG", "false")
    # Static files collected as this server will serve them: with debug off, their hashed names come from
    # the manifest that only a collectstatic run with debug off writes (the Procfile's release step).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )
    for name, command in commands().items():
        # Their own process groups: the terminal's Ctrl-C reaches them once, through us, not twice.
        children[name] = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - our own commands
    while any(child.poll() is None for child in children.values()):
        if not stopping and any(child.poll() is not None for child in children.values()):
            gone = [name for name, child in children.items() if child.poll() is not None]
            print(f"hubdash.run: {', '.join(gone)} exited; stopping the rest.", file=sys.stderr, flush=True)
            stop(signal.SIGTERM)
        if stopping and time.monotonic() - stopping[0] > GRACE_S:
            for child in children.values():
                if child.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
        time.sleep(0.2)
    return max((child.returncode or 0) for child in children.values()) if not stopping else 0


if __name__ == "__main__":
    sys.exit(main())
