"""The run: a worker killed mid-run leaves the plan stopped with what was done recorded, and starting it again
does the rest, each repo once; and pacing by hubsim's real RateLimit headers."""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from hubdash.bulk import jobs as bulk_jobs
from hubdash.bulk import runs
from hubdash.bulk.models import Plan, PlanItem
from tests.bulk.test_plans import made, outcomes

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process going away (nothing of the run's own code catches it)."""


def make_repos(bulk, count: int, namespace: str = "acme", prefix: str = "bulk") -> list[str]:
    ids = [f"{namespace}/{prefix}-{i:03d}" for i in range(count)]
    for repo_id in ids:
        bulk.hub.add_repo(repo_id, private=False)
    return ids


def test_a_run_killed_midway_is_stopped_and_started_again_does_each_repo_once(bulk, work, monkeypatch):
    ids = make_repos(bulk, 6)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    changed: list[str] = []

    def kill_after_the_third(item: PlanItem) -> None:
        changed.append(item.repo_id)
        if len(changed) == 3:
            raise Killed  # after the Hub took the third change, before hubdash wrote it down

    monkeypatch.setattr(runs, "after_change_hook", kill_after_the_third)
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    bulk.forget_calls()
    with pytest.raises(Killed):
        work()
    monkeypatch.setattr(runs, "after_change_hook", None)
    plan.refresh_from_db()
    assert plan.state == "running"
    got = outcomes(plan)
    assert [got[r][0] for r in ids] == ["done", "done", "claimed", "pending", "pending", "pending"]
    # the page sees the worker silent and shows the plan stopped, with what was done, writing nothing;
    # the bulk periodic sweep writes it
    Plan.objects.filter(pk=plan.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=runs.STALE_S + 1))
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "Start again (does the rest)" in page
    assert "2 done</strong>" in page
    plan.refresh_from_db()
    assert plan.state == "running"
    assert bulk_jobs.stop_stale(None) == "1 run stopped (worker gone)"  # type: ignore[arg-type]
    plan.refresh_from_db()
    assert plan.state == "stopped"
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/start/").status_code == 302
    work()
    plan.refresh_from_db()
    assert plan.state == "done"
    assert plan.outcome == "6 done, 0 refused, 0 skipped, 0 not tried"
    puts = Counter(w["path"] for w in bulk.writes() if w["method"] == "PUT")
    assert puts == {f"/api/models/{r}/settings": 1 for r in ids}  # each repo changed once, the third too
    assert outcomes(plan)[ids[2]][1] == "Done (found done when the run started again)."
    assert all(bulk.state(r)["private"] for r in ids)
    # starting a finished plan again does nothing
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/start/").status_code == 409


def test_the_person_can_stop_a_run_and_start_it_again(bulk, work):
    ids = make_repos(bulk, 3)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/stop/").status_code == 302
    work()  # the queued job finds its plan stopped: it does nothing
    assert not any(bulk.state(r)["private"] for r in ids)
    assert bulk.bob.post(f"/bulk/plans/{plan.pk}/start/").status_code == 404
    bulk.alice.post(f"/bulk/plans/{plan.pk}/start/")
    work()
    assert all(bulk.state(r)["private"] for r in ids)


@pytest.mark.long
def test_a_40_repo_plan_is_paced_by_the_hubs_ratelimit_headers(bulk, work, settings):
    """hubsim's quota at 20 calls per 2-second window (real time), the plan's share 100 %: no 429, never
    more than 20 calls in one of hubsim's windows, done within ceil(C / 20) + 1 windows (80 calls: 4 windows
    of work, 10 s at most)."""
    settings.BULK_QUOTA_SHARE = 100
    window, quota, repos = 2, 20, 40
    make_repos(bulk, repos, namespace="datalab", prefix="paced")
    bulk.hub.control("POST", "ratelimit", {"quotas": {"api": quota}, "window_s": window})
    # wait for a fresh window, so that planning's calls do not crowd the run's first one
    time.sleep(window - time.time() % window + 0.05)
    response = bulk.alice.post(
        "/bulk/plan/",
        {"kind": "model", "action": "visibility:private", "scope": "all", "author": "datalab", "search": "paced"},
    )
    plan = made(response)
    calls = plan.calls
    assert calls == 2 * repos
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert 'id="plan-share">' in page and "unknown" not in page.split('id="plan-share">')[1][:80]
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    bulk.forget_calls()
    started = time.time()
    work()
    took = time.time() - started
    plan.refresh_from_db()
    assert plan.state == "done", plan.outcome
    assert plan.outcome == f"{repos} done, 0 refused, 0 skipped, 0 not tried"
    log = [r for r in bulk.hub.requests() if r["path"].startswith("/api/")]
    assert [r for r in log if r["status"] == 429] == []
    per_window = Counter(int(r["time"] // window) for r in log)
    assert max(per_window.values()) <= quota
    assert len(log) >= calls
    assert took <= (math.ceil(calls / quota) + 1) * window, took
    print(f"paced: {len(log)} calls in {took:.1f} s, busiest window {max(per_window.values())}")


def test_a_429_without_warning_is_waited_out_and_the_repo_done_not_failed(bulk, work):
    ids = make_repos(bulk, 2)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    bulk.hub.fault(method="PUT", path=f"/api/models/{ids[0]}/settings", status=429, retry_after=1, times=1)
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    bulk.forget_calls()
    started = time.monotonic()
    work()
    plan.refresh_from_db()
    assert plan.outcome == "2 done, 0 refused, 0 skipped, 0 not tried"
    assert time.monotonic() - started >= 1  # it waited as the Hub said
    statuses = [w["status"] for w in bulk.writes() if w["path"] == f"/api/models/{ids[0]}/settings"]
    assert statuses == [429, 200]
    assert all(bulk.state(r)["private"] for r in ids)


def test_a_hub_refusal_is_kept_with_the_hubs_reason_and_no_secret(bulk, work):
    from tests.personas import ALICE_TOKEN

    ids = make_repos(bulk, 2)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    bulk.hub.fault(
        method="PUT", path=f"/api/models/{ids[0]}/settings", status=403, times=1,
        body=f'{{"error": "Forbidden for token {ALICE_TOKEN}"}}',
    )  # fmt: skip
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    plan.refresh_from_db()
    assert plan.outcome == "1 done, 1 refused, 0 skipped, 0 not tried"
    state, reason = outcomes(plan)[ids[0]]
    assert state == "refused"
    assert ALICE_TOKEN not in reason
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert ALICE_TOKEN not in page
    assert bulk.state(ids[0])["private"] is False and bulk.state(ids[1])["private"] is True


def test_a_queued_plan_whose_maker_was_deactivated_stops_without_using_their_token(bulk, work):
    ids = make_repos(bulk, 2)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/").status_code == 302
    plan.maker.is_active = False  # deactivated in Django's admin or a shell: the stored token stays
    plan.maker.save()
    bulk.forget_calls()
    work()
    plan.refresh_from_db()
    assert plan.state == "stopped"
    assert "its maker was deactivated" in plan.outcome
    assert bulk.hub.requests() == []  # not even a read with their token
    assert not any(bulk.state(r)["private"] for r in ids)


@pytest.mark.long
def test_a_run_started_without_cached_figures_still_leaves_the_person_their_share(bulk, work, settings):
    """No rate-limit figures in the cache when the run starts (a cleared cache, another worker): the run
    works the person's share out from the Hub's first figures and never takes more than its half."""
    from django.core.cache import cache

    settings.BULK_QUOTA_SHARE = 50
    window, quota = 6, 20  # 16 calls would fit in one window: the share keeps the run to 10 of them
    ids = make_repos(bulk, 8, namespace="datalab", prefix="share")
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    # whoami counted apart (as the Hub does), so that the run's own whoami brings no "api" figures either
    bulk.hub.control("POST", "ratelimit", {"quotas": {"api": quota, "whoami": 100}, "window_s": window})
    cache.clear()  # no figures cached when the run starts
    time.sleep(window - time.time() % window + 0.05)
    bulk.forget_calls()
    work()
    plan.refresh_from_db()
    assert plan.outcome == "8 done, 0 refused, 0 skipped, 0 not tried"
    log = [r for r in bulk.hub.requests() if r["path"].startswith("/api/") and "whoami" not in r["path"]]
    assert [r for r in log if r["status"] == 429] == []
    per_window = Counter(int(r["time"] // window) for r in log)
    assert max(per_window.values()) <= quota // 2, per_window  # the other half stays the person's


def test_start_again_on_a_plan_whose_worker_went_silent_does_the_rest_before_the_sweep(bulk, work):
    ids = make_repos(bulk, 2)
    plan = made(bulk.plan("visibility:private", [f"{r}|0|" for r in ids]))
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    long_ago = timezone.now() - timedelta(seconds=runs.STALE_S + 1)
    Plan.objects.filter(pk=plan.pk).update(state="running", heartbeat_at=long_ago)  # its worker died at once
    assert "Start again (does the rest)" in bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/start/").status_code == 302
    work()
    plan.refresh_from_db()
    assert plan.outcome == "2 done, 0 refused, 0 skipped, 0 not tried"
