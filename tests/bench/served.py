"""The benches' pages served as production serves them: nginx with deploy/nginx/'s upstream block and proxy
snippet as shipped (plain HTTP on loopback, one worker process per core), in front of gunicorn with
hubdash's own configuration; and each gunicorn worker's share of the workers' CPU while a figure is measured.

The same stack as `tests.bench.browse` (tests/serving/stack.py builds the configuration from the shipped
files), so that every page figure of `make bench` is measured one way.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from statistics import quantiles

import requests

from tests.bench.browse import _worker_shares, worker_cpu_s
from tests.bench.pages import free_port, wait_for
from tests.serving.stack import ROOT, nginx_config, run_nginx

# gunicorn believes nginx's X-Forwarded-For only with this, as production runs (README, "Serving in production").
BEHIND_PROXY = {"HUBDASH_BEHIND_PROXY": "true"}


def behind_nginx(var_dir: str | Path, gunicorn_port: int) -> tuple[subprocess.Popen[bytes], str]:
    """nginx in front of the gunicorn listening on `gunicorn_port`, its files under `var_dir`/nginx; the
    process and the address clients use."""
    prefix = Path(var_dir, "nginx")
    prefix.mkdir(parents=True)
    port = free_port()
    config = nginx_config(prefix, port, gunicorn_port, upstream_keepalive=True, worker_processes="auto")
    proxy = run_nginx(prefix, config)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/accounts/login/")
    return proxy, base


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class WorkerShares:
    """Each gunicorn worker's share of the CPU its workers spent since `start()`, busiest first: gthread keeps
    a connection on the worker that took it, so nginx's pool can load one worker more than the others."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = worker_cpu_s(self.master)

    def shares(self) -> list[float]:
        return _worker_shares(self.before, worker_cpu_s(self.master))

    def text(self) -> str:
        shares = self.shares()
        return ("workers' CPU " + " / ".join(f"{share:.0%}" for share in shares)) if shares else "workers' CPU: none"


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """`manage.py` with the served instance's environment; what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, input=stdin
    )
    return done.stdout.strip()


def shell(env: dict[str, str], code: str, stdin: str | None = None) -> object:
    """Python run by `manage.py shell` in the served instance's environment (with `stdin` fed to it, from a
    file: `-c` would take the input for the code); the JSON its last line printed."""
    if stdin is None:
        return json.loads(manage(env, "shell", "--no-imports", "-c", code).splitlines()[-1])
    script = Path(env["HUBDASH_VAR_DIR"]) / "bench-script.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", f"exec(open({str(script)!r}).read())"],
        cwd=ROOT, env=env, capture_output=True, text=True, input=stdin,
    )  # fmt: skip
    if done.returncode:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def sign_in(base: str, person: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": person, "password": password, "csrfmiddlewaretoken": session.cookies["hubdash-csrf"]},
        headers={"Referer": base},
    )
    answer.raise_for_status()
    return session


def said(calls: Counter[str]) -> str:
    """Hub calls counted by kind, as a line says them: "3 (GET /api/models 2, whoami 1)"."""
    total = sum(calls.values())
    return f"{total}" + (f" ({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))})" if total else "")


def timed_pages(session: requests.Session, url: str, n: int) -> list[float]:
    """`n` requests one after the other; each one's time in milliseconds."""
    took = []
    for _ in range(n):
        began = time.perf_counter()
        answer = session.get(url, timeout=60)
        took.append((time.perf_counter() - began) * 1000)
        answer.raise_for_status()
    return took


def p95(values: list[float]) -> float:
    return quantiles(values, n=20, method="inclusive")[18]
