"""Scheduled-job fixtures: jobs registered for one test, and the job queue run in this process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from hubdash.jobs import schedule
from hubdash.jobs.models import ScheduledRun
from tests.uploads import jobs


@pytest.fixture
def register() -> Iterator[Callable[..., Callable[[ScheduledRun], str]]]:
    """`register(name, fn, every=timedelta(minutes=5), **kw)`: a periodic job for this test only.

    The apps' own jobs (access.refresh…) are set aside meanwhile, so that a tick enqueues only the test's."""
    names: list[str] = []
    apps_jobs = schedule.registered()
    for job in apps_jobs:
        schedule.unregister(job.name)

    def add(name: str, function: Callable[[ScheduledRun], str], every: object = timedelta(minutes=5), **kw: object):
        names.append(name)
        return schedule.periodic(name, every=every, **kw)(function)  # type: ignore[arg-type]

    yield add
    for name in names:
        schedule.unregister(name)
    for job in apps_jobs:
        schedule.periodic(job.name, every=job.every_spec, label=job.label, capability=job.capability)(job.function)


@pytest.fixture
def run_jobs() -> Callable[[], None]:
    return jobs.run_jobs
