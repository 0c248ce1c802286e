"""Each period of a scheduled job is enqueued and run once; "Run now" runs one more; a failure is retried
at the next period."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import close_old_connections
from django_tasks_db.models import DBTaskResult

from hubdash.jobs import schedule
from hubdash.jobs.models import DONE, FAILED, QUEUED, RUN_NOW, SCHEDULE, ScheduledRun
from hubdash.jobs.tasks import run_period

T0 = datetime(2026, 12, 7, 10, 2, 30, tzinfo=UTC)


def test_a_period_starts_on_the_clock_whenever_the_scheduler_looks(register):
    register("probe.clock", lambda run: "ok", every=timedelta(minutes=5))
    job = schedule.job_named("probe.clock")
    assert job.period_start(T0) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert job.period_start(T0 + timedelta(minutes=2, seconds=29)) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert job.period_start(T0 + timedelta(minutes=3)) == datetime(2026, 12, 7, 10, 5, tzinfo=UTC)
    daily = register("probe.daily", lambda run: "ok", every=timedelta(days=1))
    assert daily  # registered
    assert schedule.job_named("probe.daily").period_start(T0) == datetime(2026, 12, 7, tzinfo=UTC)


def test_a_period_setting_names_minutes_and_is_read_at_each_tick(register, settings):
    settings.PROBE_REFRESH_MINUTES = 5
    register("probe.setting", lambda run: "ok", every="PROBE_REFRESH_MINUTES")
    job = schedule.job_named("probe.setting")
    assert job.every == timedelta(minutes=5)
    settings.PROBE_REFRESH_MINUTES = 10
    assert job.every == timedelta(minutes=10)
    assert job.period_start(T0) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_ticking_the_same_period_enqueue_it_once(register, run_jobs):
    ran = []
    register("probe.once", lambda run: ran.append(run.period_start) or "ran")
    first = schedule.tick(T0)
    second = schedule.tick(T0 + timedelta(seconds=20))  # the other scheduler, later in the same period
    assert [run.job for run in first] == ["probe.once"] and second == []
    assert ScheduledRun.objects.filter(job="probe.once").count() == 1
    assert DBTaskResult.objects.count() == 1
    run_jobs()
    assert ran == [datetime(2026, 12, 7, 10, 0, tzinfo=UTC)]
    run = ScheduledRun.objects.get(job="probe.once")
    assert (run.state, run.outcome, run.trigger) == (DONE, "ran", SCHEDULE)
    assert run.started_at is not None and run.finished_at is not None
    schedule.tick(T0 + timedelta(minutes=3))  # the next period
    assert ScheduledRun.objects.filter(job="probe.once").count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.backend
def test_schedulers_racing_on_one_period_insert_one_row(register):
    register("probe.race", lambda run: "ran")
    barrier = threading.Barrier(4)
    results: list[object] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            results.append(schedule.enqueue_period(schedule.job_named("probe.race"), T0))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len([run for run in results if run is not None]) == 1
    assert ScheduledRun.objects.filter(job="probe.race").count() == 1
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_is_claimed_once_however_many_workers_are_handed_it(register):
    calls = []
    register("probe.claim", lambda run: calls.append(run.pk) or "ran")
    (run,) = schedule.tick(T0)
    assert run_period.call(run.pk) == DONE
    assert run_period.call(run.pk) == "not queued"
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_run_now_runs_once_more_beside_the_period_and_twice_asked_is_once(register, run_jobs, alice):
    ran = []
    register("probe.now", lambda run: ran.append(run.trigger) or f"ran ({run.trigger})")
    schedule.tick(T0)
    run_jobs()
    first = schedule.run_now("probe.now", by=alice)
    again = schedule.run_now("probe.now", by=alice)
    assert first.pk == again.pk and first.state == QUEUED
    run_jobs()
    assert ran == [SCHEDULE, RUN_NOW]
    now_run = ScheduledRun.objects.get(pk=first.pk)
    assert (now_run.trigger, now_run.requested_by, now_run.state) == (RUN_NOW, alice, DONE)
    # The period's row is still the period's: the schedule does not enqueue it again.
    assert schedule.tick(T0 + timedelta(seconds=30)) == []
    with pytest.raises(KeyError):
        schedule.run_now("probe.nothing")


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_records_failed_without_secrets_and_the_next_period_runs_again(register, run_jobs, caplog):
    attempts = []

    def flaky(run):
        attempts.append(run.period_start)
        if len(attempts) == 1:
            raise RuntimeError("boom with hf_secretsecretsecret123 inside")
        return "fine now"

    register("probe.flaky", flaky)
    schedule.tick(T0)
    run_jobs()
    failed = ScheduledRun.objects.get(job="probe.flaky")
    assert failed.state == FAILED
    assert "internal error" in failed.outcome and "hf_secret" not in failed.outcome
    assert "job probe.flaky" in caplog.text
    schedule.tick(T0 + timedelta(minutes=5))
    run_jobs()
    latest = ScheduledRun.objects.filter(job="probe.flaky").latest("period_start")
    assert (latest.state, latest.outcome) == (DONE, "fine now")
    assert len(attempts) == 2


@pytest.mark.django_db(transaction=True)
def test_a_hub_error_is_said_in_plain_words_with_any_echoed_token_redacted(register, run_jobs):
    from hubdash import hub

    def refused(run):
        raise hub.NoAccess("Your token may not do this: hf_abcdefghijklmnop is read-only")

    register("probe.refused", refused)
    schedule.tick(T0)
    run_jobs()
    run = ScheduledRun.objects.get(job="probe.refused")
    assert run.state == FAILED
    assert run.outcome.startswith("failed: Your token may not do this")
    assert "hf_abcdefghijklmnop" not in run.outcome


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_stopped_is_failed_by_the_next_tick_and_the_next_period_runs(
    register, run_jobs, monkeypatch
):
    from hubdash.jobs import tasks

    monkeypatch.setattr(tasks, "HEARTBEAT_S", 0.1)
    beats = []

    def slow(run):
        import time

        time.sleep(0.5)
        beats.append(ScheduledRun.objects.get(pk=run.pk).heartbeat_at > run.started_at)
        return "slow but alive"

    register("probe.slow", slow)
    now = datetime.now(tz=UTC)
    schedule.tick(now)
    run_jobs()
    assert beats == [True]  # a live run beats, and is left alone
    assert ScheduledRun.objects.get(job="probe.slow").state == DONE
    # A worker killed mid-run leaves its row running; four missed beats later the scheduler fails it.
    killed = ScheduledRun.objects.create(
        job="probe.slow", period_start=now - timedelta(days=1), trigger=SCHEDULE, state="running",
        started_at=now - timedelta(seconds=5), heartbeat_at=now - timedelta(seconds=1),
    )  # fmt: skip
    schedule.tick(now)
    killed.refresh_from_db()
    assert (killed.state, killed.outcome) == (FAILED, tasks.STOPPED)


@pytest.mark.django_db(transaction=True)
def test_run_now_while_a_run_is_going_returns_it_and_a_second_run_never_runs_beside_it(register, run_jobs, alice):
    ran = []
    register("probe.busy", lambda run: ran.append(run.pk) or "ran")
    now = datetime.now(tz=UTC)
    going = ScheduledRun.objects.create(
        job="probe.busy", period_start=now, trigger=SCHEDULE, state="running",
        started_at=now - timedelta(seconds=30), heartbeat_at=now,
    )  # fmt: skip
    assert schedule.run_now("probe.busy", by=alice).pk == going.pk  # "Refresh now" during the run: that run
    # a run queued meanwhile (by the schedule, or before the check) is claimed, and skipped, said
    queued = ScheduledRun.objects.create(job="probe.busy", period_start=now, trigger=RUN_NOW)
    run_period.call(queued.pk)
    queued.refresh_from_db()
    assert (queued.state, queued.outcome) == (DONE, "skipped: the previous run is still going")
    assert ran == []
    # once the run has ended, "Run now" queues a new one, which runs
    ScheduledRun.objects.filter(pk=going.pk).update(state=DONE)
    again = schedule.run_now("probe.busy", by=alice)
    assert again.pk not in (going.pk, queued.pk)
    run_jobs()
    assert ran == [again.pk]
