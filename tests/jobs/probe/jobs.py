"""A job of HUBDASH_PROBE_PERIOD_SECONDS that writes one line per run (its period, its process) to
HUBDASH_PROBE_LOG: found by the jobs app's autodiscovery like any app's `jobs.py`."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from hubdash.jobs.models import ScheduledRun
from hubdash.jobs.schedule import periodic


def period() -> timedelta:
    return timedelta(seconds=float(os.environ.get("HUBDASH_PROBE_PERIOD_SECONDS", "60")))


@periodic("probe.processes", every=period, label="Probe of the processes test")
def probe(run: ScheduledRun) -> str:
    with open(os.environ["HUBDASH_PROBE_LOG"], "a") as log:
        log.write(f"{run.period_start.isoformat()} {os.getpid()}\n")
    time.sleep(0.3)  # long enough for a second worker to try the same run, were it handed it
    return f"ran in {os.getpid()}"
