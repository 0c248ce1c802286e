"""Benchmark a bulk plan of 1,000 repos against hubsim adding 100 ms per Hub call.

    python -m tests.bench.bulk [--repos 1000] [--latency 0.1] [--measure-limited]

Prints, for a visibility change (make private) of every repo of one namespace:
- planning: its time and Hub calls (one listing call answers the selection's "now"), with no rate limit;
- applying: its time and Hub calls (each repo read again, then changed), with no rate limit;
- at a free account's quota, 1,000 calls per 300 s: the duration the plan page projects, and, with
  `--measure-limited`, the measured one (about 10 minutes for 1,000 repos: not measured by default);
- the issue's pacing check at full size (the suite runs it scaled down, tests/bulk/test_run.py): hubsim's
  quota at 100 API calls per 10-second window, the plan's share at 100 %, a 300-repo visibility plan: its 429s
  (none expected), its busiest window (at most 100) and its duration against ceil(C / 100) + 1 windows, C being
  the calls the preview stated (about a minute; `--no-pacing-check` leaves it out).

hubsim runs in this process (a thread); hubdash's planning and its run (the job's own function, as the
worker calls it) run in this process too, on a scratch SQLite database.
"""

from __future__ import annotations

import argparse
import os
import time

from tests.scratch import scratch_dir

TOKEN = "hf_bench_bulk_write_0123456789abcdef"
PACED_TOKEN = "hf_bench_bulk_paced_0123456789abcdef"
PACED_REPOS, PACED_QUOTA, PACED_WINDOW = 300, 100, 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--measure-limited", action="store_true")
    parser.add_argument("--no-pacing-check", action="store_true")
    args = parser.parse_args()

    from tests.hubsim import HubSim

    with HubSim() as sim:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="hubdash.settings",
            HUBDASH_VAR_DIR=scratch_dir("hubdash-bench-bulk-"),
            HF_ENDPOINT=sim.url,
            HF_HUB_DISABLE_XET="1",
        )
        import django

        django.setup()
        from django.contrib.auth.models import User
        from django.core.management import call_command

        from hubdash import hub
        from hubdash.bulk import flow, planning, runs
        from hubdash.bulk.models import Plan
        from hubdash.hub import ratelimit

        call_command("migrate", verbosity=0)
        sim.add_user("bench", orgs={"benchorg": "admin", "benchlimited": "admin"}, tokens={TOKEN: "write"})
        for namespace in ("benchorg", "benchlimited") if args.measure_limited else ("benchorg",):
            for i in range(args.repos):
                sim.add_repo(f"{namespace}/model-{i:04d}", private=False)
        sim.add_user("pacer", orgs={"benchpaced": "admin"}, tokens={PACED_TOKEN: "write"})
        for i in range(0 if args.no_pacing_check else PACED_REPOS):
            sim.add_repo(f"benchpaced/model-{i:04d}", private=False)
        user = User.objects.create_superuser("bench", "bench@example.com", "bench-password-123")
        hub.connect_token(user, TOKEN)
        sim.control("POST", "ratelimit", {})
        sim.control("POST", "switches", {"latency_s": args.latency})

        def calls() -> int:
            return len([r for r in sim.control("GET", "requests") if r["path"].startswith("/api/")])  # type: ignore[union-attr]

        def plan_all(namespace: str = "benchorg", maker: User = user) -> tuple[Plan, float, int]:
            sim.control("DELETE", "requests")
            started = time.perf_counter()
            client = hub.client_for(maker)
            picked, more, listing_calls = planning.match_all(client, "model", {"author": namespace})
            plan = planning.make_plan(
                maker, client, picked, "visibility", "private", source="bench", more_matched=more,
                calls_so_far=listing_calls,
            )  # fmt: skip
            return plan, time.perf_counter() - started, calls()

        def apply(plan: Plan, maker: User = user) -> tuple[float, int]:
            sim.control("DELETE", "requests")
            flow.confirm(plan, maker)
            started = time.perf_counter()
            runs.run_plan.call(plan.pk)
            took = time.perf_counter() - started
            plan.refresh_from_db()
            assert plan.state == "done", plan.outcome
            return took, calls()

        plan, plan_s, plan_calls = plan_all()
        print(f"bulk plan of {len(plan.items.all())} repos, hubsim adding {args.latency * 1000:.0f} ms per call")
        print(f"  plan (no rate limit):  {plan_s:7.1f} s, {plan_calls} Hub calls (the preview states {plan.calls})")
        apply_s, apply_calls = apply(plan)
        print(f"  apply (no rate limit): {apply_s:7.1f} s, {apply_calls} Hub calls; {runs.summary_line(plan)}")
        per_call = apply_s / max(1, apply_calls)
        budget = ratelimit.Budget(remaining=1000, reset_in=300, quota=1000, window=300, seen_at=time.time())
        share = planning.share_percent()
        projected = planning.estimate_seconds(plan.calls, per_call, budget)
        print(
            f"  at 1,000 calls per 300 s (the plan's share {share} %): projected {projected:7.1f} s "
            f"({projected / 60:.1f} min) for {plan.calls} calls"
        )
        if not args.no_pacing_check:
            pacing_check(sim, plan_all, apply)
        if not args.measure_limited:
            print("  measured at that quota: not measured (pass --measure-limited; it takes the projected time)")
            return
        sim.control("POST", "ratelimit", {"quotas": {"api": 1000}, "window_s": 300})
        plan, plan_s, plan_calls = plan_all("benchlimited")  # the same plan on as many other repos
        limited_s, limited_calls = apply(plan)
        refused = [r for r in sim.control("GET", "requests") if r["status"] == 429]  # type: ignore[union-attr]
        print(f"  measured at that quota: {limited_s:7.1f} s, {limited_calls} Hub calls, {len(refused)} answered 429")


def pacing_check(sim, plan_all, apply) -> None:  # type: ignore[no-untyped-def]
    """The issue's check at full size: 100 calls per 10 s, the plan's share 100 %, 300 repos, no added latency."""
    import math

    from django.conf import settings
    from django.contrib.auth.models import User

    from hubdash import hub

    settings.BULK_QUOTA_SHARE = 100
    sim.control("POST", "switches", {"latency_s": 0})
    maker = User.objects.create_superuser("pacer", "pacer@example.com", "bench-password-123")
    hub.connect_token(maker, PACED_TOKEN)
    sim.control("POST", "ratelimit", {"quotas": {"api": PACED_QUOTA}, "window_s": PACED_WINDOW})
    time.sleep(PACED_WINDOW - time.time() % PACED_WINDOW + 0.05)  # planning's calls start a fresh window
    plan, _, _ = plan_all("benchpaced", maker)
    took, made = apply(plan, maker)
    log = [r for r in sim.control("GET", "requests") if r["path"].startswith("/api/")]
    per_window: dict[int, int] = {}
    for r in log:
        per_window[int(r["time"] // PACED_WINDOW)] = per_window.get(int(r["time"] // PACED_WINDOW), 0) + 1
    refused = sum(1 for r in log if r["status"] == 429)
    busiest = max(per_window.values())
    bound = (math.ceil(plan.calls / PACED_QUOTA) + 1) * PACED_WINDOW
    print(
        f"  pacing check, {PACED_REPOS} repos at {PACED_QUOTA} calls per {PACED_WINDOW} s: {made} Hub calls "
        f"(the preview stated {plan.calls}) in {took:.1f} s (bound {bound} s), busiest window {busiest}, "
        f"{refused} answered 429"
    )
    sim.control("POST", "ratelimit", {})
    if refused or busiest > PACED_QUOTA or took > bound:
        raise SystemExit("bulk pacing check failed: see the line above")


if __name__ == "__main__":
    main()
