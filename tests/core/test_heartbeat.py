"""hubdash.core.heartbeat: a long job's rows say it is alive while its block runs (even while it sleeps), and
stop saying so when it ends or is stopped; a row whose heartbeat went stale is taken for a lost worker (a bulk
plan is shown and swept stopped, then started again does the rest; a scheduled run is failed), a fresh one is
left running."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from hubdash.bulk import flow, runs
from hubdash.bulk.models import PENDING, QUEUED, RUNNING, STOPPED, Plan, PlanItem
from hubdash.core.heartbeat import heartbeat
from hubdash.jobs import tasks
from hubdash.jobs.models import FAILED, SCHEDULE, ScheduledRun

LONG_AGO = timedelta(hours=1)


def beaten_since(model, pk: int, since, deadline_s: float = 10.0) -> bool:
    """Whether the row's heartbeat moves past `since` (looked at until a generous deadline: no timed assert)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if model.objects.get(pk=pk).heartbeat_at > since:
            return True
        time.sleep(0.01)
    return False


def job_run(state: str = "running", age: timedelta = LONG_AGO) -> ScheduledRun:
    now = timezone.now()
    return ScheduledRun.objects.create(
        job="probe.beat", period_start=now - age, trigger=SCHEDULE, state=state,
        started_at=now - age, heartbeat_at=now - age,
    )  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_block_beats_while_it_sleeps_and_stops_beating_when_it_ends():
    alive, dead, other = job_run(), job_run(), job_run(state="done")
    with heartbeat(ScheduledRun.objects.filter(pk=alive.pk, state="running"), every=0.02, name="probe"):
        assert beaten_since(ScheduledRun, alive.pk, alive.heartbeat_at)  # the block only sleeps: its thread beats
        assert tasks.sweep() == 1  # the silent one is taken for a lost worker; the beating one is left running
        assert ScheduledRun.objects.get(pk=dead.pk).state == FAILED
        assert ScheduledRun.objects.get(pk=alive.pk).state == "running"
        assert [r.pk for r in tasks.going("probe.beat")] == [alive.pk]
    last = ScheduledRun.objects.get(pk=alive.pk).heartbeat_at
    time.sleep(0.1)
    assert ScheduledRun.objects.get(pk=alive.pk).heartbeat_at == last  # the block ended: no more beats
    assert ScheduledRun.objects.get(pk=other.pk).heartbeat_at == other.heartbeat_at  # not in the rows: untouched


@pytest.mark.django_db(transaction=True)
def test_a_row_stopped_meanwhile_beats_no_more():
    run = job_run()
    with heartbeat(ScheduledRun.objects.filter(pk=run.pk, state="running"), every=0.02, name="probe"):
        assert beaten_since(ScheduledRun, run.pk, run.heartbeat_at)
        ScheduledRun.objects.filter(pk=run.pk).update(state="done", heartbeat_at=run.heartbeat_at)
        time.sleep(0.1)
        assert ScheduledRun.objects.get(pk=run.pk).heartbeat_at == run.heartbeat_at


@pytest.mark.django_db(transaction=True)
def test_a_beat_the_database_refuses_is_tried_again_at_the_next(caplog):
    run = job_run()

    class Busy:
        """The rows, refusing their first update as a locked database would."""

        refused = 0

        def update(self, **fields):
            if not Busy.refused:
                Busy.refused += 1
                raise RuntimeError("database is locked")
            return ScheduledRun.objects.filter(pk=run.pk).update(**fields)

    with heartbeat(Busy(), every=0.02, name="busy-probe"):  # type: ignore[arg-type]
        assert beaten_since(ScheduledRun, run.pk, run.heartbeat_at)
    assert Busy.refused == 1 and "busy-probe: heartbeat not written" in caplog.text


@pytest.mark.django_db
def test_a_plan_with_a_stale_heartbeat_is_stopped_and_started_again_a_fresh_one_is_not(alice):
    now = timezone.now()
    stale = Plan.objects.create(maker=alice, change="visibility", target="private", state=RUNNING,
                                heartbeat_at=now - timedelta(seconds=runs.STALE_S + 1))  # fmt: skip
    fresh = Plan.objects.create(maker=alice, change="visibility", target="private", state=RUNNING,
                                heartbeat_at=now - timedelta(seconds=runs.STALE_S - 5))  # fmt: skip
    for plan in (stale, fresh):
        PlanItem.objects.create(plan=plan, position=0, kind="model", repo_id="alice/m", state=PENDING)
    assert runs.is_stale(stale, now) and not runs.is_stale(fresh, now)
    # pages show the silent one stopped (computed, nothing written), the live one running
    shown = flow.shown(Plan.objects.get(pk=stale.pk), now)
    assert (shown.state, shown.outcome) == (STOPPED, runs.WORKER_GONE)
    assert flow.shown(Plan.objects.get(pk=fresh.pk), now).state == RUNNING
    assert Plan.objects.get(pk=stale.pk).state == RUNNING
    # the sweep stops the silent one only; started again, it is queued to do the rest
    assert runs.stop_stale(now=now) == 1
    assert Plan.objects.get(pk=stale.pk).state == STOPPED and Plan.objects.get(pk=fresh.pk).state == RUNNING
    assert runs.start(Plan.objects.get(pk=stale.pk)) is True
    assert Plan.objects.get(pk=stale.pk).state == QUEUED
    assert runs.start(Plan.objects.get(pk=fresh.pk)) is False  # a live run is not started twice
