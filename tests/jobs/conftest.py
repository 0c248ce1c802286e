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
    """`register(name, fn, every=timedelta(minutes=5), **kw)`: a periodic job for this test only."""
    names: list[str] = []

    def add(name: str, function: Callable[[ScheduledRun], str], every: object = timedelta(minutes=5), **kw: object):
        names.append(name)
        return schedule.periodic(name, every=every, **kw)(function)  # type: ignore[arg-type]

    yield add
    for name in names:
        schedule.unregister(name)


@pytest.fixture
def run_jobs() -> Callable[[], None]:
    return jobs.run_jobs
