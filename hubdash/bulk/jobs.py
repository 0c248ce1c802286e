"""The bulk app's scheduled work (registered with the jobs app's `@periodic`): plans left undecided expire."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hubdash.jobs.schedule import periodic

from . import flow

if TYPE_CHECKING:
    from hubdash.jobs.models import ScheduledRun


@periodic("bulk.expire", every=timedelta(hours=1), label="Expire undecided bulk plans")
def expire(run: ScheduledRun) -> str:
    expired = flow.expire_due()
    return f"{expired} plan{'s' if expired != 1 else ''} expired" if expired else "No plan expired"
