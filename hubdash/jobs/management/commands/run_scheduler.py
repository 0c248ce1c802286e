"""`manage.py run_scheduler`: the Procfile's `scheduler`, enqueueing each period of each registered job once.

APScheduler keeps the beat (one tick every HUBDASH_SCHEDULER_TICK_SECONDS, missed ticks coalesced, never two
at once); each tick computes every job's current period from the clock and inserts its row, which the
database's unique (job, period start) lets only one scheduler do. So any number of schedulers may run, on
any machines, and one that restarts neither skips the current period nor repeats it.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hubdash.jobs import schedule

logger = logging.getLogger("hubdash.jobs.scheduler")


def tick() -> None:
    close_old_connections()  # a long-lived process: connections older than CONN_MAX_AGE or broken are replaced
    try:
        for run in schedule.tick():
            logger.info("enqueued %s for the period from %s", run.job, run.period_start.isoformat())
    except Exception:  # the database away for a moment: the next tick tries again
        logger.exception("the scheduler's tick failed")
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = "Enqueue each period of each scheduled job once (run beside the job workers; several may run)."

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = schedule.registered()
        every = settings.SCHEDULER_TICK_SECONDS
        # One thread for the ticks: they run one at a time anyway, and so hold one database connection.
        scheduler = BlockingScheduler(timezone="UTC", executors={"default": ThreadPoolExecutor(1)})
        scheduler.add_job(
            tick, IntervalTrigger(seconds=every), id="tick", coalesce=True, max_instances=1, misfire_grace_time=None
        )

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        names = ", ".join(f"{job.name} (every {job.every})" for job in jobs) or "none"
        self.stdout.write(f"Scheduler: a tick every {every:g} s; jobs: {names}", ending="\n")
        self.stdout.flush()
        tick()  # the current periods at once, not a tick later
        scheduler.start()
