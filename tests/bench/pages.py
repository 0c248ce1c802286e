"""Benchmark hubdash's pages as production serves them against hubsim's demo world.

    python -m tests.bench.pages [--seconds 5] [--clients 8]

Through nginx with deploy/nginx/'s upstream block and proxy snippet as shipped (tests/bench/served.py), in
front of gunicorn with the project's config. Prints requests/s, p99 and each gunicorn worker's share of the
workers' CPU for: the sign-in page (template only), the Team page (database), the profile (whoami from the
per-token cache), and /healthz (one Hub round trip each time, shared 5 s).
"""

from __future__ import annotations

import argparse
import os
import socket
import time
from collections.abc import Callable

import requests

from tests.bench.load import Figures, measure
from tests.demo import PASSWORD, USERNAME, gunicorn, prepare_account, start_hubsim
from tests.scratch import scratch_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str) -> None:
    # Workers importing Django on a busy machine may take seconds to answer the first request.
    for _ in range(300):
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def signed_in(base: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base}/accounts/login/")
    token = session.cookies["hubdash-csrf"]
    answer = session.post(
        f"{base}/accounts/login/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base},
    )
    answer.raise_for_status()
    return session


def load(base: str, path: str, cookies: dict | None, seconds: float, clients: int) -> Figures:
    def new_client(n: int) -> Callable[[], bool]:
        session = requests.Session()
        session.cookies.update(cookies or {})
        return lambda: session.get(base + path, allow_redirects=False, timeout=30).status_code == 200

    return measure(new_client, clients, seconds)


def main() -> None:
    from tests.bench import summary
    from tests.bench.served import BEHIND_PROXY, WorkerShares, behind_nginx, stop

    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    hub_port, web_port = free_port(), free_port()
    hubsim, _ = start_hubsim(hub_port)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        HF_ENDPOINT=f"http://127.0.0.1:{hub_port}",
        HUBDASH_VAR_DIR=scratch_dir("hubdash-bench-"),
        HUBDASH_BIND=f"127.0.0.1:{web_port}",
        HUBDASH_DEBUG="false",
        HF_HUB_DISABLE_XET="1",
        **BEHIND_PROXY,
    )
    server = proxy = None
    try:
        import subprocess
        import sys

        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        prepare_account(env)
        server = gunicorn(dict(env, GUNICORN_CMD_ARGS="--access-logfile /dev/null"))
        wait_for(f"http://127.0.0.1:{web_port}/healthz")
        proxy, base = behind_nginx(env["HUBDASH_VAR_DIR"], web_port)
        cookies = signed_in(base).cookies.get_dict()
        workers = WorkerShares(server.pid)
        print(
            f"hubdash pages through nginx (deploy/nginx/ as shipped, plain HTTP) in front of gunicorn gthread "
            f"(hubdash/gunicorn.conf.py), {args.clients} clients, {args.seconds:.0f} s each, SQLite, hubsim on "
            f"loopback; {summary.load_average()}:"
        )
        for label, path, auth in [
            ("sign-in page (template)", "/accounts/login/", None),
            ("team page (database)", "/team/", cookies),
            ("profile (cached whoami)", "/account/", cookies),
            ("healthz (every dependency; Hub answer shared 5 s)", "/healthz", None),
        ]:
            workers.start()
            figures = load(base, path, auth, args.seconds, args.clients)
            print(
                f"  {label:38s} {figures.rate:7.0f} requests/s  p99 {figures.p99_ms:6.1f} ms  "
                f"{figures.failures} non-200  {workers.text()}"
            )
            summary.record(
                "pages",
                label,
                f"{figures.rate:.0f} requests/s, p99 {figures.p99_ms:.1f} ms, {figures.failures} non-200; "
                f"{workers.text()}",
            )
    finally:
        stop(proxy)
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        hubsim.terminate()
        hubsim.wait(timeout=10)


if __name__ == "__main__":
    main()
