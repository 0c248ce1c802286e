"""Benchmark the discussions inbox (issue 24) as production serves it, and the Hub calls that keep it current.

    python -m tests.bench.discussions [--repos 200] [--per-repo 10] [--requests 50] [--warmup 5] [--changed 20]

hubsim's demo world plus one organisation, benchtalk, with 200 models (one in ten private) and 10 open items on
each: 2,000 discussions and pull requests by outsiders, a member's answer on one in three, "tokenizer" in one
title in ten. A hubdash admin whose write token manages benchtalk watches it and lends the token. hubsim's rate
limit is off. Prints:

- the first fill (the scheduled job's work, in a process of its own as the worker runs it): its Hub calls
  (hubsim's log) and time;
- the inbox page, unfiltered and with a text filter: p50 and p95 over 50 sequential requests after 5 warm-up
  requests, through nginx (deploy/nginx/ as shipped) in front of gunicorn (target p95 under 300 ms), and the Hub
  calls made inside those requests (target 0, from hubsim's log); the nav's count too;
- a pull request whose diff is two 5 MB text files of one-character lines (5.2 million lines): its page's first
  view (the Hub's diff read and parsed) and p50 over 10 views after it (what was read is kept), through nginx;
- an hourly refresh after `--changed` items changed on the Hub (comments, closes), without webhooks (the
  namespace uncovered: a list call per repo, details for what changed) and with webhooks (the namespace covered:
  the job makes no call; each delivery of those changes makes one details call for its item).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import Counter
from pathlib import Path
from statistics import median

from huggingface_hub import HfApi

from tests.bench import summary
from tests.bench.browse import HubLog
from tests.bench.pages import free_port, wait_for
from tests.bench.served import (
    BEHIND_PROXY,
    WorkerShares,
    behind_nginx,
    manage,
    p95,
    said,
    shell,
    sign_in,
    stop,
    timed_pages,
)
from tests.demo import gunicorn, start_hubsim
from tests.scratch import scratch_dir

ROOT = Path(__file__).resolve().parents[2]
ORG = "benchtalk"
PERSON, PASSWORD, TOKEN = "talker", "bench-discussions-pw-4711", "hf_bench_talk_write"
TEXT_FILTER = "tokenizer"
P95_TARGET_MS = 300.0
NOWHERE = "http://127.0.0.1:9/webhooks/hub"  # hubsim's deliveries are read back from its log, not sent

SETUP = """
from django.contrib.auth.models import User
from hubdash.discussions.models import WatchedNamespace
if not User.objects.filter(username={person!r}).exists():
    User.objects.create_superuser({person!r}, {person!r} + "@example.com", {password!r})
WatchedNamespace.objects.get_or_create(namespace={org!r})
print('null')
"""
LEND = """
from django.contrib.auth.models import User
from hubdash.jobs.delegation import take_on
take_on(User.objects.get(username={person!r}), "discussions", {org!r})
print('null')
"""
JOB = """
import json, time
from hubdash.discussions.jobs import refresh_all
began = time.perf_counter()
outcome = refresh_all(None)
print(json.dumps({"seconds": time.perf_counter() - began, "outcome": outcome}))
"""
DELIVER = """
import json, sys, time
from hubdash.activity.payloads import parse
from hubdash.discussions import hooks
payloads = json.loads(sys.stdin.read())
from types import SimpleNamespace
read, task = [], hooks.read_item
hooks.read_item = SimpleNamespace(enqueue=lambda *args: read.append(args))  # the worker's part, run below
began = time.perf_counter()
for payload in payloads:
    hooks.on_delivery(None, parsed=parse(payload))
for args in read:
    task.call(*args)
print(json.dumps({"seconds": time.perf_counter() - began, "deliveries": len(payloads), "reads": len(read)}))
"""


def seed(hub: HubLog, repos: int, per_repo: int) -> list[tuple[str, int]]:
    """benchtalk's models and their open items (by outsiders, a member's answer on one in three); returns
    (repo, num) of every item."""
    hub.control("POST", "users", {"name": PERSON, "fullname": "Bench Talker", "orgs": {ORG: "admin"},
                                  "tokens": {TOKEN: "write"}})  # fmt: skip
    for n in range(20):
        hub.control("POST", "users", {"name": f"outsider-{n:02d}"})
    items = []
    n = 0
    for r in range(repos):
        repo_id = f"{ORG}/model-{r:03d}"
        hub.control("POST", "repos", {"id": repo_id, "type": "model", "private": r % 10 == 0, "createdBy": PERSON})
        for i in range(per_repo):
            day, hour = 1 + n % 28, n % 24
            title = f"Question {n} about the {'tokenizer' if n % 10 == 0 else 'weights'} of model {r}"
            body = {"id": repo_id, "type": "model", "user": f"outsider-{n % 20:02d}", "title": title,
                    "description": "Details follow.", "pullRequest": i % 4 == 0,
                    "date": f"2026-11-{day:02d}T{hour:02d}:00:00Z"}  # fmt: skip
            num = int(hub.control("POST", "discussions", body)["num"])  # type: ignore[index]
            if n % 3 == 0:
                hub.control("POST", f"discussions/model/{repo_id}/{num}", {"user": PERSON, "comment": "Thanks!",
                            "date": f"2026-11-{day:02d}T{hour:02d}:30:00Z"})  # fmt: skip
            items.append((repo_id, num))
            n += 1
    return items


def change(hub: HubLog, items: list[tuple[str, int]], changed: int) -> None:
    """Some items change on the Hub: comments by their authors and members, and closes."""
    step = max(1, len(items) // changed)
    for k, (repo_id, num) in enumerate(items[::step][:changed]):
        act = {"status": "closed"} if k % 4 == 3 else {"comment": "Any news on this?"}
        hub.control("POST", f"discussions/model/{repo_id}/{num}", {"user": PERSON, **act})


HUGE_LINES = 5 * 1024 * 1024 // 2  # one character and a newline each: 5 MB a file


def huge_pull_request(hub_url: str) -> tuple[str, int]:
    """A pull request adding two 5 MB text files of one-character lines; (repo, number)."""
    from huggingface_hub import CommitOperationAdd

    repo = f"{ORG}/model-001"
    operations = [
        CommitOperationAdd(name, (f"{ch}\n" * HUGE_LINES).encode()) for name, ch in (("a.txt", "a"), ("b.txt", "b"))
    ]
    info = HfApi(endpoint=hub_url, token=TOKEN).create_commit(
        repo, operations, commit_message="Two huge files", create_pr=True
    )
    return repo, int(info.pr_num or 0)


def api_calls(hub: HubLog) -> Counter[str]:
    entries = hub.control("GET", "requests")
    assert isinstance(entries, list)
    calls: Counter[str] = Counter()
    for entry in entries:
        path = entry["path"]
        if not path.startswith("/api/") or path == "/api/agent-harnesses":
            continue  # huggingface_hub's agent registry, once per process: not hubdash's call
        if path.startswith("/api/whoami"):
            calls["whoami"] += 1
        elif path in ("/api/models", "/api/datasets", "/api/spaces"):
            calls["repo list"] += 1
        elif path.endswith("/discussions"):
            calls["discussion list"] += 1
        elif "/discussions/" in path:
            calls["details"] += 1
        else:
            calls[f"{entry['method']} {path}"] += 1
    return calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument("--per-repo", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page, one after the other")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--changed", type=int, default=20, help="items changed on the Hub before the refresh")
    args = parser.parse_args()
    total = args.repos * args.per_repo

    hub_port, web_port = free_port(), free_port()
    hubsim, _ = start_hubsim(hub_port)
    hub_url = f"http://127.0.0.1:{hub_port}"
    hub = HubLog(hub_url)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        HF_ENDPOINT=hub_url,
        HUBDASH_VAR_DIR=scratch_dir("hubdash-bench-discussions-"),
        HUBDASH_BIND=f"127.0.0.1:{web_port}",
        HUBDASH_DEBUG="false",
        HUBDASH_LOG_LEVEL="WARNING",
        HF_HUB_DISABLE_XET="1",
        **BEHIND_PROXY,
    )
    server = proxy = None
    try:
        print(f"discussions bench: {summary.load_average()}", flush=True)
        hub.control("POST", "ratelimit", {})  # hubdash's speed and call counts are measured, not a quota
        began = time.perf_counter()
        items = seed(hub, args.repos, args.per_repo)
        print(f"  seeded {len(items):,} items in {time.perf_counter() - began:.0f} s", flush=True)
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "migrate", "--noinput", "-v", "0")
        shell(env, SETUP.format(person=PERSON, password=PASSWORD, org=ORG))
        manage(env, "connect_token", PERSON, stdin=TOKEN + "\n")
        shell(env, LEND.format(person=PERSON, org=ORG))

        # -- the first fill -------------------------------------------------------------------------------
        print(f"\n{total:,} open items over {args.repos} models of {ORG}; rate limit off; SQLite.", flush=True)
        hub.clear()
        result = shell(env, JOB)
        assert isinstance(result, dict)
        calls = api_calls(hub)
        print(f"  first fill: {result['seconds']:.1f} s, Hub calls {said(calls)}; {result['outcome']}", flush=True)
        summary.record(
            "discussions",
            f"first fill, {total:,} items on {args.repos} repos",
            f"{result['seconds']:.1f} s, {sum(calls.values())} Hub calls",
        )

        # -- the inbox page -------------------------------------------------------------------------------
        server = gunicorn(dict(env, GUNICORN_CMD_ARGS="--access-logfile /dev/null"))
        wait_for(f"http://127.0.0.1:{web_port}/healthz")
        proxy, base = behind_nginx(env["HUBDASH_VAR_DIR"], web_port)
        session = sign_in(base, PERSON, PASSWORD)
        workers = WorkerShares(server.pid)
        print(
            f"\nThe inbox through nginx (deploy/nginx/ as shipped) and gunicorn (hubdash/gunicorn.conf.py): "
            f"{args.requests} sequential requests after {args.warmup} warm-up ones:",
            flush=True,
        )
        for label, path in [
            ("inbox, first page unfiltered", "/discussions/"),
            (f"inbox, text filter “{TEXT_FILTER}”", f"/discussions/?q={TEXT_FILTER}"),
            ("nav count (one per page)", "/discussions/count/"),
        ]:
            for _ in range(args.warmup):
                session.get(base + path, timeout=60).raise_for_status()
            hub.clear()
            workers.start()
            took = timed_pages(session, base + path, args.requests)
            calls = api_calls(hub)
            fast, slowest = median(took), p95(took)
            print(
                f"  {label:34s} p50 {fast:6.1f} ms  p95 {slowest:6.1f} ms  max {max(took):6.1f} ms  "
                f"Hub calls inside {said(calls)}  {workers.text()}",
                flush=True,
            )
            if path.endswith("/count/"):
                summary.record("discussions", label, f"p50 {fast:.1f} ms, p95 {slowest:.1f} ms")
                continue
            summary.record(
                "discussions", f"{label}: p95 of {args.requests}", f"p50 {fast:.1f} ms, p95 {slowest:.1f} ms",
                f"p95 < {P95_TARGET_MS:.0f} ms", slowest < P95_TARGET_MS,
            )  # fmt: skip
            summary.record("discussions", f"{label}: Hub calls inside", said(calls), "0", sum(calls.values()) == 0)
        page = session.get(base + "/discussions/", timeout=60).text
        assert f"{ORG}/</span>model-" in page, "the inbox does not show benchtalk's items"
        assert f"{total:,} items" in page or f"{total} items" in page, "the inbox does not count every item"

        # -- a pull request page with a huge diff -------------------------------------------------------------
        repo, num = huge_pull_request(hub_url)
        began = time.perf_counter()
        HfApi(endpoint=hub_url, token=TOKEN).get_discussion_details(repo, num)
        hub_ms = (time.perf_counter() - began) * 1000
        url = f"{base}/models/{repo}/discussions/{num}/"
        began = time.perf_counter()
        first = session.get(url, timeout=300)
        first_ms = (time.perf_counter() - began) * 1000
        first.raise_for_status()
        assert 'data-testid="diff-cut"' in first.text, "the page does not say the diff is cut"
        took = timed_pages(session, url, 10)
        print(
            f"\nA pull request adding two 5 MB files of one-character lines ({2 * HUGE_LINES:,} lines): the Hub's "
            f"answer alone {hub_ms:.0f} ms; the page's first view {first_ms:.0f} ms, then p50 {median(took):.0f} ms, "
            f"max {max(took):.0f} ms over 10 views",
            flush=True,
        )
        summary.record(
            "discussions", "pull request page, two 5 MB files in its diff",
            f"first view {first_ms:.0f} ms (the Hub {hub_ms:.0f} ms), then p50 {median(took):.0f} ms",
        )  # fmt: skip

        # -- an hourly refresh, without and with webhooks -------------------------------------------------
        HfApi(endpoint=hub_url, token=TOKEN).create_webhook(
            url=NOWHERE, watched=[{"type": "org", "name": ORG}], domains=["repo", "discussion"], secret="bench-secret"
        )
        hub.control("POST", "webhook-policy", {"attempts": 1, "backoff_s": 0.01, "timeout_s": 0.2})
        print(f"\nAn hourly refresh after {args.changed} items changed on the Hub:", flush=True)
        change(hub, items, args.changed)
        hub.control("GET", "deliveries?wait=1")
        deliveries = [d["payload"] for d in hub.control("GET", "deliveries")]  # type: ignore[union-attr]
        hub.clear()
        result = shell(env, JOB)
        assert isinstance(result, dict)
        calls = api_calls(hub)
        print(f"  without webhooks (uncovered): {result['seconds']:.1f} s, Hub calls {said(calls)}", flush=True)
        summary.record(
            "discussions", f"hourly refresh, {args.changed} changed, no webhooks", f"{sum(calls.values())} Hub calls",
            f"≤ {3 + args.repos + args.changed + 1}", sum(calls.values()) <= 3 + args.repos + args.changed + 1,
        )  # fmt: skip

        change(hub, items[1:], args.changed)  # the next hour's changes, delivered this time
        hub.control("GET", "deliveries?wait=1")
        all_deliveries = [d["payload"] for d in hub.control("GET", "deliveries")]  # type: ignore[union-attr]
        deliveries = all_deliveries[len(deliveries) :]
        hub.clear()
        handled = shell(env, DELIVER, stdin=json.dumps(deliveries))
        assert isinstance(handled, dict)
        per_delivery = api_calls(hub)
        hub.clear()
        result = shell(env, JOB)
        assert isinstance(result, dict)
        by_job = api_calls(hub)
        print(
            f"  with webhooks (covered): {handled['deliveries']} deliveries, Hub calls {said(per_delivery)}; "
            f"the hourly job then: Hub calls {said(by_job)}; {result['outcome']}",
            flush=True,
        )
        summary.record(
            "discussions", f"hourly refresh, {args.changed} changed, webhooks",
            f"{sum(per_delivery.values())} calls for {handled['deliveries']} deliveries, "
            f"{sum(by_job.values())} by the job",
            "≤ 1 a delivery, 0 by the job",
            sum(per_delivery.values()) <= handled["deliveries"] and sum(by_job.values()) == 0,
        )  # fmt: skip
        print(f"\n{summary.load_average()} at the end")
    finally:
        stop(proxy)
        stop(server)
        stop(hubsim)


if __name__ == "__main__":
    main()
