"""The listings' trend column: each row's downloads a day over its last 30 snapshots, from hubdash's database
(registered with hubdash.core.row_figures, drawn by the listing's own template as an inline SVG line)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.db.models import Max, Q

from .models import Snapshot
from .series import last_day

SNAPSHOTS = 30


def downloads_trend(keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[int | None]]:
    """(kind, repo id) -> downloads gained on each of the last 30 days (None: no snapshot, or a gap's sum),
    for the rows hubdash has at least two snapshots of. One query for all rows. The rows are those the person's
    own token listed, so a private repo's trend goes only to people who see the repo itself."""
    end = last_day()
    if end is None:
        return {}
    start = end - timedelta(days=SNAPSHOTS - 1)
    wanted = Q()
    for kind, repo_id in keys:
        wanted |= Q(repo__kind=kind, repo__repo_id=repo_id)
    rows = (
        Snapshot.objects.filter(wanted, day__gte=start)
        .values_list("repo__kind", "repo__repo_id", "day", "downloads_gained", "days_missed")
        .order_by()
    )
    series: dict[tuple[str, str], list[int | None]] = {}
    for kind, repo_id, day, gained, missed in rows:
        line = series.setdefault((kind, repo_id), [None] * SNAPSHOTS)
        line[(day - start).days] = gained if not missed else None
    return {key: line for key, line in series.items() if sum(v is not None for v in line) >= 2}


def version() -> object:
    """The newest snapshot row: a snapshot taken (or retention) changes the trends."""
    return Snapshot.objects.aggregate(newest=Max("pk"))["newest"]
