"""The /usage/ page's charts and tables, drawn once per version of the figures and period and kept in the cache
(the same for everyone: namespace totals); the daily job draws them right after its snapshot, so nobody waits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.urls import reverse
from markupsafe import Markup

from . import charts, series
from .models import Snapshot, Watched


@dataclass
class Block:
    """One namespace's (or the team's, or a repo's) charts, the table of their figures and its CSV."""

    key: str
    title: str
    series: series.Series
    csv_url: str
    charts: list[tuple[str, Markup]] = field(default_factory=list)


def charts_of(one: series.Series, marks: Sequence[date] = ()) -> list[tuple[str, Markup]]:
    days = one.days
    daily = [p.downloads if p is not None and not p.gap_days else None for p in one.points]
    after_gap = [p.downloads if p is not None and p.gap_days else None for p in one.points]
    downloads = [("Downloads a day", daily)]
    if any(v is not None for v in after_gap):
        downloads.append(("Sum over a gap (first day after it)", after_gap))
    storage: list[tuple[str, list[int | None]]] = [("Used storage", one.values("storage"))]
    if one.quota:  # drawn on the days with a snapshot only
        storage.append(("Quota", [one.quota if p is not None else None for p in one.points]))
    snapshots = sum(p is not None for p in one.points)
    no_downloads = (
        "One snapshot so far: daily downloads show from the second day"
        if snapshots == 1
        else "No daily downloads yet"
        if snapshots
        else "No snapshot yet"
    )
    return [
        (
            "Downloads a day",
            charts.line_chart(f"{one.name}: downloads a day", days, downloads, marks=marks, no_data=no_downloads),
        ),
        ("Likes", charts.line_chart(f"{one.name}: likes", days, [("Likes", one.values("likes"))], marks=marks)),
        ("Used storage", charts.line_chart(f"{one.name}: used storage", days, storage, "bytes", marks=marks)),
    ]


CACHE_SECONDS = 6 * 3600  # the figures change with a snapshot, which changes the version in the key anyway


def version() -> str:
    """What the page's figures depend on: the newest snapshot row and the watched namespaces with their quotas.
    Cheap (the primary key's index and a small table); a snapshot, a setting changed or retention changes it."""
    # Two queries: SQLite reads a lone MAX or MIN off the index, not both at once (that scans the table).
    newest = (Snapshot.objects.aggregate(newest=Max("pk")), Snapshot.objects.aggregate(oldest=Min("pk")))
    watched = list(Watched.objects.order_by("namespace").values_list("namespace", "quota_bytes"))
    digest = hashlib.sha256(repr((newest, watched)).encode()).hexdigest()[:24]
    return digest


def blocks_html(days: int, start: date, end: date, current: str | None = None) -> str:
    """The team's and each watched namespace's charts and tables for the period, from the cache or drawn."""
    key = f"usage:blocks:{charts.DRAWING}:{current or version()}:{days}"
    html = cache.get(key)
    if html is None:
        per, team = series.namespace_series(start, end)
        query = f"?days={days}"
        blocks = [Block("team", "Whole team", team, reverse("usage-csv-team") + query)]
        blocks += [Block(f"ns-{s.name}", s.name, s, reverse("usage-csv", args=[s.name]) + query) for s in per]
        for block in blocks:
            block.charts = charts_of(block.series)
        html = render_to_string("usage/_blocks.html", {"blocks": blocks})
        cache.set(key, html, CACHE_SECONDS)
    return str(html)


def warm() -> None:
    """Draw every period's charts now (after a snapshot), so the first person to look does not wait."""
    current = version()
    for days in series.PERIODS:
        span = series.window(days)
        if span is not None:
            blocks_html(days, *span, current)
