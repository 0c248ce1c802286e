"""The daily usage snapshot, registered with the jobs app (its scheduler enqueues one run per UTC day)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hubdash.jobs.schedule import periodic, run_now

from . import drawing, snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hubdash.jobs.models import ScheduledRun

JOB = "usage.snapshot"


@periodic(JOB, every=timedelta(days=1), label="Usage snapshots", capability=snapshot.CAPABILITY)
def take_snapshot(run: ScheduledRun) -> str:
    """Today's snapshot of every watched namespace; the outcome line says what was taken and what failed."""
    line = snapshot.take().line()
    drawing.warm()  # the page's charts of the new figures, drawn now rather than for the first person to look
    return line[:300]


def take_one_now(by: User | None = None) -> ScheduledRun:
    """ "Take one now": one run at once (asking while one waits to start runs it once)."""
    return run_now(JOB, by)
