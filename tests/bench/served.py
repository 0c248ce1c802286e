"""The benches' pages served as production serves them: nginx with deploy/nginx/'s upstream block and proxy
snippet as shipped (plain HTTP on loopback, one worker process per core), in front of gunicorn with
hubdash's own configuration; and each gunicorn worker's share of the workers' CPU while a figure is measured.

The same stack as `tests.bench.browse` (tests/serving/stack.py builds the configuration from the shipped
files), so that every page figure of `make bench` is measured one way.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.bench.browse import _worker_shares, worker_cpu_s
from tests.bench.pages import free_port, wait_for
from tests.serving.stack import nginx_config, run_nginx

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
