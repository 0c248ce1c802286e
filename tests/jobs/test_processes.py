"""Two schedulers and two workers, four real processes as the Procfile starts them, on one database
(PostgreSQL in CI's backend run): each period of a short-period job is run exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from hubdash.jobs.models import DONE, ScheduledRun
from hubdash.jobs.tasks import STILL_GOING
from hubdash.run import procfile_line
from tests.uploads.test_worker import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]
ROOT = Path(__file__).resolve().parents[2]
PERIOD_S = 1.5
RUN_FOR_S = 9


def wait_for(check: Callable[[], bool], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "gave up waiting"
        time.sleep(0.1)


@pytest.mark.long
def test_two_schedulers_and_two_workers_run_each_period_once(tmp_path):
    log = tmp_path / "runs.log"
    log.touch()
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="tests.jobs.probe_settings",
        HUBDASH_PROBE_LOG=str(log),
        HUBDASH_PROBE_PERIOD_SECONDS=str(PERIOD_S),
        HUBDASH_SCHEDULER_TICK_SECONDS="0.1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    processes: list[subprocess.Popen] = []

    def start(name: str) -> subprocess.Popen:
        process = subprocess.Popen(
            ["/bin/sh", "-c", procfile_line(name)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=(tmp_path / f"{name}-{len(processes)}.out").open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    try:
        workers = [start("worker"), start("worker")]
        schedulers = [start("scheduler"), start("scheduler")]
        wait_for(lambda: ScheduledRun.objects.filter(state=DONE).exists())  # all four up (Django takes seconds)
        time.sleep(RUN_FOR_S)
        for scheduler in schedulers:  # SIGTERM: as `make run` stops them
            os.killpg(scheduler.pid, signal.SIGTERM)
        for scheduler in schedulers:
            assert scheduler.wait(timeout=20) == 0
        wait_for(lambda: not ScheduledRun.objects.exclude(state=DONE).exists())
        assert all(worker.poll() is None for worker in workers)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    outputs = {path.name: path.read_text() for path in tmp_path.glob("*.out")}
    for name, output in outputs.items():
        if name.startswith("scheduler"):
            assert "probe.processes (every" in output, output  # among the apps' own jobs
    runs = list(ScheduledRun.objects.filter(job="probe.processes").order_by("period_start"))
    lines = log.read_text().split()
    periods = Counter(lines[0::2])
    pids = set(lines[1::2])
    # About RUN_FOR_S / PERIOD_S periods (a scheduler starved of CPU for a period may miss one: a gap, never a
    # second run), every one enqueued once and run once.
    assert len(runs) >= RUN_FOR_S / PERIOD_S - 2, [run.period_start for run in runs]
    assert [count for count in periods.values() if count != 1] == []
    # A period whose run was claimed while the previous one still ran (a worker behind) is skipped, said:
    # never two runs of the job at once.
    ran = [run for run in runs if run.outcome != STILL_GOING]
    assert sorted(periods) == [run.period_start.isoformat() for run in ran]
    assert all(run.state == DONE and run.outcome.startswith("ran in ") for run in ran)
    assert all(run.state == DONE for run in runs)
    assert all(run.period_start.timestamp() % PERIOD_S == 0 for run in runs)  # periods on the clock
    print(f"{len(runs)} periods, run by {len(pids)} worker process(es)")
