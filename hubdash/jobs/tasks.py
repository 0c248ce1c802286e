"""The one django-tasks task every scheduled job runs through (`manage.py db_worker` runs it)."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from hubdash.core.logging import redact
from hubdash.hub import HubError

from .delegation import Paused
from .models import DONE, FAILED, PAUSED, QUEUED, RUNNING, ScheduledRun
from .schedule import job_named

logger = logging.getLogger(__name__)

INTERNAL = "failed: an internal error (logged); it runs again next period"


@task()
def run_period(run_id: int) -> str:
    """Run one queued run of a registered job; it ends done, paused or failed, never running.

    Claimed with one UPDATE … WHERE state = queued: of two workers handed the same run, one runs it.
    """
    claimed = ScheduledRun.objects.filter(pk=run_id, state=QUEUED).update(state=RUNNING, started_at=timezone.now())
    if not claimed:
        return "not queued"
    run = ScheduledRun.objects.get(pk=run_id)
    job = job_named(run.job)
    if job is None:
        return _finish(run, FAILED, f"failed: no job named {run.job} in this worker (an app removed?)")
    try:
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
