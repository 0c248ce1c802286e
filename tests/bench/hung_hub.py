"""Benchmark pages that need no Hub while the Hub hangs and 50 members wait on it.

    python -m tests.bench.hung_hub [--members 50] [--seconds 40] [--rate 10]

Through nginx with deploy/nginx/'s upstream block and proxy snippet as shipped (tests/bench/served.py), in
front of gunicorn with the project's config (hubdash/gunicorn.conf.py) and production-like settings (DEBUG
off), hubsim's demo world. Once the members are signed in and connected, hubsim stops
answering whoami (a hang); all members then refresh their profile (a whoami) at once, and again 2 s after
each answer (`--pause`), while a prober asks the sign-in page and the Team page at a steady rate (an open loop: latency
counts from when each request was due). Prints p50/p99 of both pages before the hang, during its first
HUBDASH_HUB_TOTAL_TIMEOUT seconds (the first calls still waiting on the Hub), and after (the circuit
open), with what the members were told and how many whoami calls reached the Hub. Target: sign-in and
Team p99 under 200 ms while the Hub hangs. Also printed: each gunicorn worker's share of the workers' CPU
over the hang. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.bench import summary
from tests.bench.browse import wait_for
from tests.bench.pages import free_port
from tests.bench.served import BEHIND_PROXY, WorkerShares, behind_nginx, stop
from tests.demo import DEMO_TOKEN, prepare_account, start_hubsim
from tests.scratch import scratch_dir

ROOT = Path(__file__).resolve().parents[2]
TARGET_MS = 200.0
SAID = (
    ("not answering", "not answering (circuit open)"),
    ("busy talking", "busy (no Hub slot free)"),
    ("did not answer in time", "timed out"),
)

MEMBERS_SCRIPT = """
from django.contrib.auth.models import User
from django.test import Client
from hubdash import hub
for n in range({count}):
    user, _ = User.objects.get_or_create(username=f"member{{n:02d}}")
    hub.connect_token(user, {token!r})
    client = Client()
    client.force_login(user)
    print(client.cookies["hubdash-session"].value)
admin = User.objects.get(username="demo")
client = Client()
client.force_login(admin)
print(client.cookies["hubdash-session"].value)
"""


@dataclass
class Samples:
    """Latencies in ms by page, each stamped with when it was due (seconds since the hang began)."""

    by_page: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, due: float, ms: float) -> None:
        with self.lock:
            self.by_page.setdefault(page, []).append((due, ms))

    def window(self, page: str, start: float, end: float) -> list[float]:
        return sorted(ms for due, ms in self.by_page.get(page, []) if start <= due < end)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] if values else float("nan")


def prober(base: str, pages: dict[str, str | None], rate: float, until: float, epoch: float, out: Samples) -> None:
    """Each page at `rate` per second, open loop, on threads of its own (a slow answer delays no other)."""

    def one(page: str, path: str, cookie: str | None, due: float) -> None:
        headers = {"Cookie": f"hubdash-session={cookie}"} if cookie else {}
        try:
            ok = requests.get(base + path, headers=headers, timeout=30, allow_redirects=False).status_code == 200
        except requests.RequestException:
            ok = False
        ms = (time.monotonic() - due) * 1000
        out.add(page if ok else page + " (failed)", due - epoch, ms)

    n = 0
    while (due := epoch - 5 + n / rate) < until:  # from 5 s before the hang
        time.sleep(max(0.0, due - time.monotonic()))
        for page, spec in pages.items():
            path, _, cookie = (spec or "").partition("|")
            threading.Thread(target=one, args=(page, path, cookie or None, due), daemon=True).start()
        n += 1


def ready(base: str, cookie: str) -> requests.Session:
    """A member's browser: signed in, on their profile page (which brings the CSRF cookie)."""
    session = requests.Session()
    session.cookies.set("hubdash-session", cookie)
    session.get(base + "/account/", timeout=30).raise_for_status()
    return session


def member(
    base: str, session: requests.Session, until: float, pause_s: float, told: Counter[str], lock: threading.Lock
) -> None:
    """Refresh the profile, read the answer, wait `pause_s`, again."""
    csrf = session.cookies.get("hubdash-csrf", "")
    while time.monotonic() < until:
        began = time.monotonic()
        try:
            answer = session.post(
                base + "/account/refresh/", headers={"HX-Request": "true", "X-CSRFToken": csrf}, timeout=60
            )
            text = answer.text
            outcome = next((said for key, said in SAID if key in text), None) or (
                f"other ({answer.status_code})" if answer.status_code != 200 or "hub-error" in text else "refreshed"
            )
        except requests.RequestException as err:
            outcome = f"client error ({type(err).__name__})"
        with lock:
            told[f"{outcome}, {'under' if time.monotonic() - began < 1 else 'over'} 1 s"] += 1
        time.sleep(pause_s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40, help="how long the Hub hangs while measured")
    parser.add_argument("--rate", type=float, default=10, help="sign-in and Team requests per second, each")
    parser.add_argument("--pause", type=float, default=2, help="seconds a member waits between refreshes")
    parser.add_argument("--timeline", action="store_true", help="also print the slowest answer of each second")
    args = parser.parse_args()

    hub_port, web_port = free_port(), free_port()
    hubsim, _ = start_hubsim(hub_port)
    hub_url = f"http://127.0.0.1:{hub_port}"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        HF_ENDPOINT=hub_url,
        HUBDASH_VAR_DIR=scratch_dir("hubdash-bench-"),
        HUBDASH_BIND=f"127.0.0.1:{web_port}",
        HUBDASH_DEBUG="false",
        HUBDASH_LOG_LEVEL="ERROR",
        HF_HUB_DISABLE_XET="1",
        **BEHIND_PROXY,
    )
    server = proxy = None
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        prepare_account(env)
        script = MEMBERS_SCRIPT.format(count=args.members, token=DEMO_TOKEN)
        cookies = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", script],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        members, admin = cookies[:-1], cookies[-1]
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
            cwd=ROOT,
            env=dict(env, GUNICORN_CMD_ARGS="--access-logfile /dev/null"),
        )
        wait_for(f"http://127.0.0.1:{web_port}/accounts/login/")
        proxy, base = behind_nginx(env["HUBDASH_VAR_DIR"], web_port)
        for _ in range(20):  # every worker imported and warm
            requests.get(base + "/team/", headers={"Cookie": f"hubdash-session={admin}"}, timeout=30)
        total = float(subprocess.run(
            [*manage, "shell", "--no-imports", "-c", "from django.conf import settings; "
             "print(settings.HUB_TOTAL_TIMEOUT, settings.HUB_BREAKER_FAILURES, settings.HUB_BREAKER_SECONDS)"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.split()[0])  # fmt: skip
        print(
            f"hubdash with a hung Hub: through nginx (deploy/nginx/ as shipped) to gunicorn per "
            f"hubdash/gunicorn.conf.py, DEBUG off, SQLite, {summary.load_average()}; "
            f"{args.members} members each refreshing their profile (whoami) with {args.pause} s between "
            f"answers; sign-in and Team pages asked {args.rate:.0f}/s each (open loop); the Hub hangs on whoami "
            f"for {args.seconds:.0f} s (HUBDASH_HUB_TOTAL_TIMEOUT {total:g} s).",
            flush=True,
        )

        sessions = [ready(base, cookie) for cookie in members]
        samples, told, lock = Samples(), Counter[str](), threading.Lock()
        epoch = time.monotonic() + 5  # 5 s of a healthy Hub first, then the hang
        until = epoch + args.seconds
        pages = {"sign-in": "/accounts/login/", "Team": f"/team/|{admin}"}
        probe = threading.Thread(target=prober, args=(base, pages, args.rate, until, epoch, samples))
        probe.start()
        time.sleep(max(0.0, epoch - time.monotonic()))
        requests.post(
            f"{hub_url}/_hubsim/faults", json={"method": "GET", "path": "/api/whoami-v2", "hang": True}, timeout=10
        ).raise_for_status()
        requests.delete(f"{hub_url}/_hubsim/requests", timeout=10)
        workers = WorkerShares(server.pid)
        workers.start()
        crowd = [
            threading.Thread(target=member, args=(base, session, until, args.pause, told, lock), daemon=True)
            for session in sessions
        ]
        for thread in crowd:
            thread.start()
        probe.join()
        spread = workers.text()
        for thread in crowd:
            thread.join(timeout=70)
        reached = [r for r in requests.get(f"{hub_url}/_hubsim/requests", timeout=10).json()
                   if r["path"] == "/api/whoami-v2"]  # fmt: skip

        windows = [
            ("healthy Hub, before the hang", -5, 0),
            (f"hung, first {total + 1:g} s (calls still waiting on the Hub)", 0, total + 1),
            ("hung, after (circuit open, one test call at a time)", total + 1, args.seconds),
            ("hung, whole run", 0, args.seconds),
        ]
        print("\nLatency from when each request was due (ms):")
        worst = 0.0
        p99s: dict[str, list[str]] = {page: [] for page in pages}
        for label, start, end in windows:
            print(f"  {label}:")
            for page in pages:
                values = samples.window(page, start, end)
                failed = len(samples.window(page + " (failed)", start, end))
                p99 = percentile(values, 0.99)
                p99s[page].append(f"{p99:.0f}")
                if start >= 0 and end == args.seconds and start == 0:
                    worst = max(worst, p99)
                print(
                    f"    {page:8s} n={len(values):4d}  p50 {percentile(values, 0.5):7.1f}  p99 {p99:7.1f}  "
                    f"max {max(values, default=float('nan')):7.1f}" + (f"  failed {failed}" if failed else "")
                )
        if args.timeline:
            print("\nSlowest answer per second (ms), sign-in / Team:")
            for second in range(-5, int(args.seconds)):
                slowest = [max(samples.window(page, second, second + 1), default=0.0) for page in pages]
                print(f"  {second:4d} s  " + " / ".join(f"{ms:6.1f}" for ms in slowest))
        print("\nWhat the members were told (refreshes, by answer and time to answer):")
        for outcome, count in sorted(told.items(), key=lambda item: -item[1]):
            print(f"  {count:6d}  {outcome}")
        print(f"whoami calls that reached the hung Hub: {len(reached)} (in {args.seconds:.0f} s, for "
              f"{sum(told.values())} refreshes)")  # fmt: skip
        print(f"gunicorn workers during the hang: {spread}")
        print(f"\nTarget: sign-in and Team p99 under {TARGET_MS:.0f} ms while the Hub hangs: "
              f"{'met' if worst < TARGET_MS else 'MISSED'} (worst p99 {worst:.1f} ms)")  # fmt: skip
        for page, figures in p99s.items():
            before, first, after, whole = figures
            summary.record(
                "hung Hub",
                f"{page} p99 while {args.members} members wait on a hung Hub",
                f"{whole} ms over the whole hang ({first} ms in its first {total + 1:g} s, {after} ms once the "
                f"breaker is open; {before} ms before the hang)",
                f"under {TARGET_MS:.0f} ms",
                float(whole) < TARGET_MS,
            )
        summary.record("hung Hub", "gunicorn workers' CPU share during the hang", spread)
    finally:
        stop(proxy)
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        hubsim.terminate()
        hubsim.wait(timeout=10)


if __name__ == "__main__":
    main()
