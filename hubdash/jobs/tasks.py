"""The one django-tasks task every scheduled job runs through (`manage.py db_worker` runs it)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django_tasks import task

from hubdash.core.heartbeat import heartbeat
from hubdash.core.logging import redact
from hubdash.hub import HubError

from .delegation import Paused
from .models import DONE, FAILED, PAUSED, QUEUED, RUNNING, ScheduledRun
from .schedule import job_named

logger = logging.getLogger(__name__)

INTERNAL = "failed: an internal error (logged); it runs again next period"
STOPPED = "failed: its worker stopped during the run; it runs again next period"
# A running job says so this often (its own thread and connection); four missed beats and the scheduler's sweep
# takes its worker for gone and the run for failed (the database queue has no lease of its own).
HEARTBEAT_S = 10.0
STILL_GOING = "skipped: the previous run is still going"


@task()
def run_period(run_id: int) -> str:
    """Run one queued run of a registered job; it ends done, paused or failed, never running.

    Claimed with one UPDATE … WHERE state = queued: of two workers handed the same run, one runs it.
    """
    now = timezone.now()
    claimed = ScheduledRun.objects.filter(pk=run_id, state=QUEUED).update(
        state=RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return "not queued"
    run = ScheduledRun.objects.get(pk=run_id)
    job = job_named(run.job)
    if job is None:
        return _finish(run, FAILED, f"failed: no job named {run.job} in this worker (an app removed?)")
    earlier = Q(started_at__lt=now) | Q(started_at=now, pk__lt=run.pk)  # of two claimed at once, one goes on
    if going(run.job).exclude(pk=run.pk).filter(earlier).exists():
        return _finish(run, DONE, STILL_GOING)  # never two runs of one job at once
    try:
        with heartbeat(ScheduledRun.objects.filter(pk=run.pk, state=RUNNING), HEARTBEAT_S, name=f"job-run-{run.pk}"):
            outcome = job.function(run)
    except Paused as paused:
        return _finish(run, PAUSED, f"paused: {paused.reason}")
    except HubError as err:
        logger.warning("job %s (run %s) failed: %s", run.job, run.pk, err.message)
        return _finish(run, FAILED, f"failed: {err.message}")
    except Exception:
        logger.exception("job %s (run %s) failed", run.job, run.pk)
        return _finish(run, FAILED, INTERNAL)
    return _finish(run, DONE, str(outcome or "done"))


def _finish(run: ScheduledRun, state: str, outcome: str) -> str:
    # What a Hub error quoted may hold a token the Hub echoed: redacted as the logs are.
    run.state, run.outcome, run.finished_at = state, redact(outcome)[:300], timezone.now()
    run.detail = redact(run.detail)
    run.save(update_fields=["state", "outcome", "finished_at", "detail"])
    return state


def going(job: str, now: datetime | None = None) -> QuerySet[ScheduledRun]:
    """The job's runs under way, their worker alive (a heartbeat within the sweep's allowance)."""
    fresh = (now or timezone.now()) - timedelta(seconds=4 * HEARTBEAT_S)
    return ScheduledRun.objects.filter(job=job, state=RUNNING, heartbeat_at__gte=fresh)


def sweep(now: datetime | None = None) -> int:
    """Fail the runs whose worker stopped mid-run (four missed beats); returns how many."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=4 * HEARTBEAT_S)
    return ScheduledRun.objects.filter(state=RUNNING, heartbeat_at__lt=stale).update(
        state=FAILED, outcome=STOPPED, finished_at=now
    )
