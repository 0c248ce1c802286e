"""The registry of periodic jobs, their periods, and enqueueing a period's run once.

    @periodic("access.refresh", every="ACCESS_REFRESH_MINUTES", label="Refresh access requests", capability="access")
    def refresh(run: ScheduledRun) -> str: ...

Periods are aligned on the clock (multiples of `every` since the Unix epoch, in UTC: a daily job's period
starts at midnight UTC), so every scheduler, wherever and whenever it started, names the same period the
same way; the database's unique (job, period start) then lets one of them insert it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DONE, QUEUED, RUN_NOW, SCHEDULE, ScheduledRun

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

JobFunction = Callable[[ScheduledRun], str]
# A job's period: a timedelta; a callable giving one (read at each tick, so settings changed in tests or
# at run time apply); or the name of a setting holding a timedelta or a number of minutes.
Every = timedelta | Callable[[], timedelta] | str


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    every_spec: Every
    label: str
    capability: str | None  # whose token does it: the delegation capability it asks unattended_client for

    @property
    def every(self) -> timedelta:
        spec = self.every_spec
        if isinstance(spec, str):
            value = getattr(settings, spec)
            spec = value if isinstance(value, timedelta) else timedelta(minutes=float(value))
        elif not isinstance(spec, timedelta):
            spec = spec()
        if spec < timedelta(seconds=1):
            raise ValueError(f"job {self.name}: a period of at least a second, not {spec}")
        return spec

    def period_start(self, now: datetime) -> datetime:
        """The start of the period `now` falls in."""
        seconds = self.every.total_seconds()
        stamp = now.timestamp()
        return datetime.fromtimestamp(stamp - stamp % seconds, tz=UTC)


_registry: dict[str, Job] = {}


def periodic(
    name: str, every: Every, label: str = "", capability: str | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register `fn(run) -> outcome line` to run once per period of `every`."""

    def register(function: JobFunction) -> JobFunction:
        _registry[name] = Job(name, function, every, label or name, capability)
        return function

    return register


def unregister(name: str) -> None:
    _registry.pop(name, None)


def registered() -> list[Job]:
    return sorted(_registry.values(), key=lambda job: job.label.lower())


def job_named(name: str) -> Job | None:
    return _registry.get(name)


def _enqueue(run: ScheduledRun) -> None:
    from .tasks import run_period

    run_period.enqueue(run.pk)


def enqueue_period(job: Job, now: datetime | None = None) -> ScheduledRun | None:
    """Insert and enqueue the run of `job`'s current period; None if it was inserted already (by this or
    another scheduler). The row and its task are written in one transaction: a queued run always has a task."""
    start = job.period_start(now or timezone.now())
    if ScheduledRun.objects.filter(job=job.name, period_start=start, trigger=SCHEDULE).exists():
        return None  # the usual case at every tick but the first of a period: no failed insert to log
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, period_start=start, trigger=SCHEDULE)
            _enqueue(run)
    except IntegrityError:
        return None  # another scheduler inserted it between the check and the insert
    return run


def tick(now: datetime | None = None) -> list[ScheduledRun]:
    """Enqueue each registered job's current period, once: what the scheduler does every few seconds. Runs
    whose worker stopped mid-run are failed first (their next period runs as usual)."""
    from .tasks import sweep

    sweep(now)
    enqueued = []
    for job in registered():
        try:
            run = enqueue_period(job, now)
        except Exception:  # one job's bad period setting must not stop the others
            logger.exception("could not enqueue job %s", job.name)
            continue
        if run is not None:
            enqueued.append(run)
    return enqueued


def wait_before_asking_again(name: str, cooldown: timedelta) -> timedelta | None:
    """How long until a person may ask for another run of the job ("Refresh now"), when one finished less than
    `cooldown` ago: pressing again at once would spend the lent token's quota on what was just read."""
    last = ScheduledRun.objects.filter(job=name, state=DONE, finished_at__isnull=False).order_by("-finished_at").first()
    if last is None or last.finished_at is None:
        return None
    left = last.finished_at + cooldown - timezone.now()
    return left if left > timedelta(0) else None


def run_now(name: str, by: User | None = None) -> ScheduledRun:
    """Enqueue one run of the job at once ("Run now", "Refresh now"), unless one is already waiting to start
    or under way (its worker alive), which is then the answer: asking twice runs it once, never two at once."""
    from .tasks import going

    if name not in _registry:
        raise KeyError(f"no job named {name!r}")
    with transaction.atomic():
        under_way = going(name).order_by("-started_at").first()
        if under_way is not None:
            return under_way
        waiting = ScheduledRun.objects.filter(job=name, state=QUEUED).order_by("-created_at").first()
        if waiting is not None:
            return waiting
        run = ScheduledRun.objects.create(job=name, period_start=timezone.now(), trigger=RUN_NOW, requested_by=by)
        _enqueue(run)
    return run
