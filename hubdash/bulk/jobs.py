"""The bulk app's scheduled work (registered with the jobs app's `@periodic`): plans left undecided expire, and
running plans whose worker went silent are stopped (pages only show these states; the jobs write them)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hubdash.jobs.schedule import periodic

from . import flow, runs

if TYPE_CHECKING:
    from hubdash.jobs.models import ScheduledRun


@periodic("bulk.expire", every=timedelta(hours=1), label="Expire undecided bulk plans")
def expire(run: ScheduledRun) -> str:
    expired = flow.expire_due()
    return f"{expired} plan{'s' if expired != 1 else ''} expired" if expired else "No plan expired"


@periodic("bulk.stale", every=timedelta(minutes=1), label="Stop bulk runs whose worker stopped")
def stop_stale(run: ScheduledRun) -> str:
    stopped = runs.stop_stale()
    return f"{stopped} run{'s' if stopped != 1 else ''} stopped (worker gone)" if stopped else "No run lost its worker"
