"""Benchmark usage snapshots and the /usage/ page (in one process, SQLite in a scratch folder).

    python -m tests.bench.usage [--repos 5000] [--namespaces 5] [--latency 0.1] [--page-repos 1000]

Prints: the time and Hub calls of one snapshot of `--repos` repos over `--namespaces` namespaces with hubsim
adding `--latency` seconds to every call (rate limit off); then /usage/ p50 and p95 over 50 sequential requests
after 5 warm-ups, team-wide, for 90 days and for 2 years of daily snapshots of `--page-repos` repos (rows
inserted directly with bulk_create), the Hub calls made inside those requests (0 expected) and the database's
size for that history.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta

from tests.scratch import scratch_dir

VAR = scratch_dir("hubdash-bench-usage-")
os.environ["HUBDASH_VAR_DIR"] = VAR
os.environ.setdefault("HUBDASH_ENV", "development")
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_TOKEN", None)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from tests.hubsim import HubSim  # noqa: E402

TOKEN = "hf_bench_admin_0123456789abcdef"


def snapshot_bench(hub: HubSim, repos: int, namespaces: int, latency: float) -> None:
    from django.contrib.auth.models import User

    from hubdash import hub as door
    from hubdash.jobs.delegation import take_on
    from hubdash.usage import snapshot
    from hubdash.usage.models import Snapshot, Watched

    names = [f"org{n}" for n in range(namespaces)]
    hub.add_user("benchadmin", orgs={name: "admin" for name in names}, tokens={TOKEN: "write"})
    per = repos // namespaces
    started = time.perf_counter()
    for name in names:
        for n in range(per):
            kind = ("model", "dataset", "space")[n % 3]
            hub.add_repo(f"{name}/repo-{n}", type=kind, downloadsAllTime=1000 + n, likes=n % 50)
    print(f"hubsim seeded with {per * namespaces} repos in {time.perf_counter() - started:.1f} s")
    admin = User.objects.create_superuser("benchadmin", "b@example.com", "bench-password-123")
    door.connect_token(admin, TOKEN)
    for name in names:
        Watched.objects.create(namespace=name)
        take_on(admin, "usage", name)
    hub.control("POST", "ratelimit", {})
    hub.control("POST", "switches", {"latency_s": latency})
    hub.control("DELETE", "requests")
    started = time.perf_counter()
    outcome = snapshot.take(date(2026, 11, 1))
    elapsed = time.perf_counter() - started
    calls = [r for r in hub.requests() if r["path"].startswith("/api/")]
    hub.control("POST", "switches", {"latency_s": 0})
    print(f"snapshot of {Snapshot.objects.count()} repos over {namespaces} namespaces, {latency * 1000:.0f} ms a call: "
          f"{elapsed:.1f} s, {len(calls)} Hub calls ({outcome.line()[:120]}…)")  # fmt: skip
    kinds: dict[str, int] = {}
    for call in calls:
        kinds[call["path"].split("/")[2]] = kinds.get(call["path"].split("/")[2], 0) + 1
    print(f"  calls by endpoint: {kinds}")


def fill_history(repos: int, days: int, end: date) -> None:
    """`days` daily snapshots of `repos` repos over 5 namespaces, inserted directly."""
    from hubdash.usage.models import Snapshot, TrackedRepo, Watched

    Snapshot.objects.all().delete()
    TrackedRepo.objects.all().delete()
    Watched.objects.all().delete()
    names = [f"team{n}" for n in range(5)]
    Watched.objects.bulk_create([Watched(namespace=n, quota_bytes=10**12) for n in names])
    start = end - timedelta(days=days - 1)
    tracked = TrackedRepo.objects.bulk_create(
        [
            TrackedRepo(kind="model", repo_id=f"{names[n % 5]}/model-{n}", namespace=names[n % 5],
                        private=n % 4 == 0, first_day=start, last_day=end)
            for n in range(repos)
        ]
    )  # fmt: skip
    batch: list[Snapshot] = []
    for d in range(days):
        day = start + timedelta(days=d)
        for n, repo in enumerate(tracked):
            all_time = 1000 + d * (n % 97)
            batch.append(
                Snapshot(repo=repo, namespace=repo.namespace, day=day, downloads_30d=30 * (n % 97),
                         downloads_all_time=all_time, downloads_gained=(n % 97) if d else None,
                         days_missed=0 if d else None, likes=n % 50 + d // 30, used_storage=10**6 * (1 + n) + d * n,
                         private=repo.private, visibility="private" if repo.private else "public")
            )  # fmt: skip
            if len(batch) >= 20000:
                Snapshot.objects.bulk_create(batch, batch_size=2000)
                batch = []
    Snapshot.objects.bulk_create(batch, batch_size=2000)


def page_bench(hub: HubSim, label: str) -> None:
    from django.contrib.auth.models import User

    client = Client()
    client.force_login(User.objects.get(username="benchadmin"), backend="hubdash.hub.auth.ModelBackend")
    cache.clear()
    started = time.perf_counter()
    assert client.get("/usage/").status_code == 200  # the first view after a snapshot draws the charts
    cold = (time.perf_counter() - started) * 1000
    for _ in range(4):
        assert client.get("/usage/").status_code == 200
    hub.control("DELETE", "requests")
    times = []
    for _ in range(50):
        started = time.perf_counter()
        response = client.get("/usage/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    calls = [r for r in hub.requests() if r["path"].startswith("/api/")]
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    size = os.path.getsize(settings.DATABASES["default"]["NAME"]) / 1e6
    print(f"/usage/ {label}: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, {len(calls)} Hub calls "
          f"(first view after a snapshot, charts drawn: {cold:.0f} ms); database {size:.0f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=5000)
    parser.add_argument("--namespaces", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--page-repos", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", "--noinput", "-v", "0")
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    print(f"(a shared, loaded machine: {os.cpu_count()} cores; figures are indicative)", file=sys.stderr)
    with HubSim() as hub:
        settings.HF_ENDPOINT = hub.url
        snapshot_bench(hub, args.repos, args.namespaces, args.latency)
        end = date(2026, 11, 30)
        for days, label in ((90, "90 days"), (730, "2 years")):
            started = time.perf_counter()
            fill_history(args.page_repos, days, end)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
            print(f"  ({days} days x {args.page_repos} repos inserted in {time.perf_counter() - started:.0f} s)")
            page_bench(hub, f"team-wide, {label} of daily snapshots of {args.page_repos} repos")


if __name__ == "__main__":
    main()
