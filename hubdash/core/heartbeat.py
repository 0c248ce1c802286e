"""A long job says it is alive: `with heartbeat(rows, every=10.0):` sets the rows' heartbeat field to now every
`every` seconds while the block runs, from its own thread and database connection (so that a job waiting on
the Hub, or sleeping, still beats). A page or a sweep takes a row whose heartbeat went stale for a lost worker.

    with heartbeat(ScheduledRun.objects.filter(pk=run.pk, state=RUNNING), every=HEARTBEAT_S):
        outcome = job.function(run)

The queryset says which rows beat (filter on the state too: a row stopped meanwhile beats no more).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import close_old_connections, connection
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextmanager
def heartbeat(
    rows: QuerySet[Any], every: float, field: str = "heartbeat_at", name: str = "heartbeat"
) -> Iterator[None]:
    """Update `rows`' `field` to now every `every` seconds while the block runs (its own thread)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    close_old_connections()
                    rows.update(**{field: timezone.now()})
                except Exception:  # a busy database: the next beat tries again; staleness allows several misses
                    logger.warning("%s: heartbeat not written", name, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
