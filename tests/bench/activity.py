"""Benchmark the webhook receiver and the activity feed as production serves them, on SQLite.

    python -m tests.bench.activity [--burst 2000] [--senders 16] [--rate 50] [--seconds 10] [--events 1000000]
                                   [--database-url postgres://…]  (an empty database; default SQLite)

Prints: acknowledgement p50/p99 and rows stored against 2xx answers for a burst of distinct deliveries
from concurrent senders (with 10 % sent twice, as retries); acknowledgement p99 at a steady rate of
deliveries while the feed page is loaded at a steady rate; the feed page's p95 with N stored events, first page,
deep in the keyset and with a filter; each gunicorn worker's share of the workers' CPU in each part. Through
nginx with deploy/nginx/'s upstream block and proxy snippet as shipped (tests/bench/served.py), in front of
gunicorn with the project's config. Targets (docs/reliability.md): burst ack p99 under 1 s with every
delivery stored once; steady ack p99 under 100 ms; feed p95 under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.bench import summary
from tests.bench.browse import server_cpu_s
from tests.bench.pages import free_port, signed_in, wait_for
from tests.bench.served import BEHIND_PROXY, WorkerShares, behind_nginx, stop
from tests.demo import ROOT, prepare_account, start_hubsim
from tests.scratch import scratch_dir

SECRET = "bench-webhook-secret"
HEADERS = {"Content-Type": "application/json", "X-Webhook-Secret": SECRET}


def payload(n: int) -> bytes:
    body = {
        "event": {"action": "update", "scope": "repo.content"},
        "repo": {
            "type": "model",
            "name": f"bench/model-{n % 500}",
            "id": f"{n:024x}",
            "private": False,
            "url": {"web": "", "api": ""},
            "owner": {"id": "0" * 24},
            "headSha": f"{n:040x}",
        },
        "updatedRefs": [{"ref": "refs/heads/main", "oldSha": f"{n - 1:040x}", "newSha": f"{n:040x}"}],
        "webhook": {"id": "0" * 24, "version": 3},
    }
    return json.dumps(body).encode()


def send(session: requests.Session, url: str, body: bytes, latencies: list[float]) -> int:
    """One delivery as the Hub makes it: retried (a few times) until it is acknowledged."""
    for _ in range(5):
        started = time.perf_counter()
        try:
            status = session.post(url, data=body, headers=HEADERS, timeout=30).status_code
        except requests.RequestException:
            status = 0
        latencies.append(time.perf_counter() - started)
        if 200 <= status < 300:
            return status
        time.sleep(0.2)
    return status


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0.0


def count_events(env: dict[str, str]) -> int:
    probe = "from hubdash.activity.models import Event; print(Event.objects.count())"
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(out.stdout.strip())


def burst(url: str, deliveries: int, senders: int) -> tuple[list[float], dict[int, int]]:
    bodies = [payload(n) for n in range(deliveries)]
    bodies += bodies[::10]  # retries and replays of a tenth of them
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(enumerate(bodies))

    def worker() -> None:
        session = requests.Session()
        mine: list[float] = []
        while True:
            with lock:
                if not queue:
                    break
                _, body = queue.pop()
            status = send(session, url, body, mine)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def steady(
    url: str, feed_url: str, cookies: dict, rate: int, seconds: float, start: int, feed_rate: int
) -> tuple[list[float], list[float]]:
    """Deliveries at `rate` per second while 4 readers load the feed at `feed_rate` pages per second in all."""
    acks: list[float] = []
    pages: list[float] = []
    stop = time.perf_counter() + seconds

    def reader(offset: float) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        began, n = time.perf_counter() + offset, 0
        while time.perf_counter() < stop:
            started = time.perf_counter()
            session.get(feed_url, timeout=30)
            pages.append(time.perf_counter() - started)
            n += 1
            time.sleep(max(0.0, began + n * 4 / feed_rate - time.perf_counter()))

    readers = [threading.Thread(target=reader, args=(i / feed_rate,)) for i in range(4)]
    for thread in readers:
        thread.start()
    session, n, began = requests.Session(), start, time.perf_counter()
    senders: list[threading.Thread] = []
    while time.perf_counter() < stop:
        thread = threading.Thread(target=send, args=(session, url, payload(n), acks))
        thread.start()
        senders.append(thread)
        n += 1
        time.sleep(max(0.0, began + (n - start) / rate - time.perf_counter()))
    for thread in senders + readers:
        thread.join()
    return acks, pages


def fill(env: dict[str, str], events: int) -> None:
    script = f"""
from datetime import timedelta
from django.utils import timezone
from hubdash.activity.models import Event
now, batch, made = timezone.now(), [], Event.objects.count()
for n in range(made, {events}):
    batch.append(Event(source="hub" if n % 3 else "legacy", action=("push", "create", "delete")[n % 3],
        summary="pushed to main", repo_type="model", repo_id=f"ns{{n % 200}}/model-{{n % 5000}}",
        namespace=f"ns{{n % 200}}", private=False, restricted=False, received_at=now - timedelta(seconds={events} - n)))
    if len(batch) == 20000:
        Event.objects.bulk_create(batch); batch = []
Event.objects.bulk_create(batch)
"""
    subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", script], cwd=ROOT, env=env, check=True)


def page_p95(cookies: dict, url: str, times: int = 200) -> float:
    session = requests.Session()
    session.cookies.update(cookies)
    latencies = []
    for _ in range(times):
        began = time.perf_counter()
        assert session.get(url, timeout=30).status_code in (200, 204)
        latencies.append(time.perf_counter() - began)
    return pct(latencies, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burst", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--feed-rate", type=int, default=20, help="feed pages per second during the steady run")
    parser.add_argument("--events", type=int, default=1_000_000, help="0: skip the feed page figures")
    parser.add_argument("--database-url", default="", help="e.g. a PostgreSQL database (emptied first)")
    args = parser.parse_args()
    hub_port, web_port = free_port(), free_port()
    hubsim, _ = start_hubsim(hub_port)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        HF_ENDPOINT=f"http://127.0.0.1:{hub_port}",
        HUBDASH_VAR_DIR=scratch_dir("hubdash-bench-activity-"),
        HUBDASH_BIND=f"127.0.0.1:{web_port}",
        HUBDASH_DEBUG="false",
        HUBDASH_WEBHOOK_SECRETS=SECRET,
        HF_HUB_DISABLE_XET="1",
        **BEHIND_PROXY,
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        flush = [sys.executable, "manage.py", "flush", "--noinput"]
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(flush, cwd=ROOT, env=env, check=True)
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite (WAL, immediate transactions)"
    server = proxy = None
    try:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], env=env, check=True)
        prepare_account(env)
        gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"]
        # Its access log would drown the figures.
        server = subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(f"http://127.0.0.1:{web_port}/healthz")
        proxy, base = behind_nginx(env["HUBDASH_VAR_DIR"], web_port)
        cookies = signed_in(base).cookies.get_dict()
        url = f"{base}/webhooks/hub"
        print(
            f"webhooks and the activity feed through nginx (deploy/nginx/ as shipped) to gunicorn gthread "
            f"(hubdash/gunicorn.conf.py), {database}; {summary.load_average()}:"
        )
        workers = WorkerShares(server.pid)

        cpu_before = server_cpu_s(server.pid)
        workers.start()
        latencies, statuses = burst(url, args.burst, args.senders)
        burst_cpu = server_cpu_s(server.pid) - cpu_before
        burst_spread = workers.text()
        stored = count_events(env)
        acked = sum(n for status, n in statuses.items() if 200 <= status < 300)
        print(
            f"  burst: {args.burst} deliveries (+{len(range(0, args.burst, 10))} sent again) "
            f"from {args.senders} senders: "
            f"ack p50 {pct(latencies, 0.5):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms; "
            f"{acked} acknowledged (statuses {dict(sorted(statuses.items()))}), {stored} rows stored "
            f"(expected {args.burst}: {'nothing lost, nothing duplicated' if stored == args.burst else 'MISMATCH'}); "
            f"server CPU {burst_cpu / max(1, len(latencies)) * 1000:.2f} ms per delivery; {burst_spread}"
        )
        summary.record(
            "activity",
            f"webhook burst of {args.burst} (+{len(range(0, args.burst, 10))} repeats), {args.senders} senders",
            f"ack p99 {pct(latencies, 0.99):.0f} ms, {stored} rows stored; {burst_spread}",
            f"p99 under 1 s, {args.burst} rows",
            pct(latencies, 0.99) < 1000 and stored == args.burst,
        )

        workers.start()
        acks, pages = steady(url, f"{base}/activity/", cookies, args.rate, args.seconds, args.burst, args.feed_rate)
        steady_spread = workers.text()
        print(
            f"  steady: {args.rate} deliveries/s for {args.seconds:.0f} s while the feed is loaded "
            f"{args.feed_rate} times/s: "
            f"ack p99 {pct(acks, 0.99):.1f} ms (p50 {pct(acks, 0.5):.1f}); feed page p99 {pct(pages, 0.99):.1f} ms "
            f"({len(pages) / args.seconds:.0f} pages/s); {steady_spread}"
        )
        summary.record(
            "activity",
            f"webhooks at a steady {args.rate}/s beside the feed ({args.feed_rate} pages/s)",
            f"ack p99 {pct(acks, 0.99):.0f} ms, feed page p99 {pct(pages, 0.99):.0f} ms; {steady_spread}",
            "ack p99 under 100 ms",
            pct(acks, 0.99) < 100,
        )

        if not args.events:
            return
        fill(env, args.events)
        # The daily retention job, which also gives SQLite's planner its statistics.
        subprocess.run(
            [sys.executable, "manage.py", "prune_activity", "--days", "36500"], cwd=ROOT, env=env, check=True
        )
        total = count_events(env)
        deep = total // 2
        print(f"  feed page with {total:,} events, p95 of 200 requests each:")
        feed_p95: list[float] = []
        workers.start()
        for label, path in [
            ("first page", "/activity/"),
            ("deep in the keyset", f"/activity/?before={deep}"),
            ("filtered by namespace", "/activity/?repo=ns7"),
            ("filtered, deep", f"/activity/?repo=ns7&before={deep}"),
            ("filtered by repo, legacy", "/activity/?repo=ns7/model-7&source=legacy"),
            ("live-update poll, nothing new", f"/activity/?after={total + 10**9}"),
        ]:
            feed_p95.append(page_p95(cookies, base + path))
            print(f"    {label:32s} {feed_p95[-1]:7.1f} ms")
        print(f"    {workers.text()}")
        summary.record(
            "activity",
            f"feed page p95 with {total:,} events (first, deep, filtered, poll)",
            f"{min(feed_p95):.0f} to {max(feed_p95):.0f} ms over its six pages; {workers.text()}",
            "under 100 ms",
            max(feed_p95) < 100,
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
