"""Figures over time, read from hubdash's database only (never the Hub): per namespace, for the whole team,
per repo; the repos that grew most; who may see a private repo's figures.

A day with no snapshot is a gap (None), never an invented value; the first day after one carries the
downloads of the whole gap, marked (`gap_days`). A series starts at its first snapshot: days before watching
began are not gaps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Max, Min, Q, QuerySet, Sum

from hubdash.hub.rights import readable_namespaces

from .models import Snapshot, TrackedRepo, Watched

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP = 10


@dataclass(frozen=True)
class Point:
    day: date
    downloads: int | None  # gained since the previous snapshot (a gap's sum when gap_days > 0)
    gap_days: int  # days missed before this one (0: none)
    downloads_30d: int | None  # as the Hub gives it
    likes: int | None
    storage: int | None  # bytes
    # A repo's visibility that day: public, private, or protected as its namespace's repositories-settings list
    # said; "" when not known (a Space whose list the token could not read) or for a namespace's totals.
    visibility: str = ""


@dataclass
class Series:
    """One chart's figures: one Point per day from `start` to `end` (None: no snapshot that day)."""

    name: str
    start: date
    end: date
    points: list[Point | None] = field(default_factory=list)
    quota: int | None = None
    of_repo: bool = False  # one repo's figures: its visibility each day is shown too

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    @property
    def latest(self) -> Point | None:
        return next((p for p in reversed(self.points) if p is not None), None)

    @property
    def has_data(self) -> bool:
        return any(p is not None for p in self.points)

    def values(self, attribute: str) -> list[int | None]:
        return [getattr(p, attribute) if p is not None else None for p in self.points]


def visible_repos(user: User | AnonymousUser) -> Q:
    """The repos whose own figures this person may see: public ones, and private ones they may read."""
    return Q(private=False) | Q(namespace__in=readable_namespaces(user))


def may_see(user: User | AnonymousUser, repo: TrackedRepo) -> bool:
    return not repo.private or repo.namespace in readable_namespaces(user)


def last_day() -> date | None:
    last: date | None = Snapshot.objects.aggregate(last=Max("day"))["last"]
    return last


def window(days: int, end: date | None = None) -> tuple[date, date] | None:
    """The period's first and last day, ending on the latest snapshot; None before the first."""
    end = end or last_day()
    if end is None:
        return None
    return end - timedelta(days=days - 1), end


def _fill(name: str, start: date, end: date, rows: Iterable[dict[str, Any]]) -> Series:
    by_day = {row["day"]: row for row in rows}
    start = max(start, min(by_day, default=start))  # from the first snapshot: no "gap" before watching began
    series = Series(name, start, end)
    for day in series.days:
        row = by_day.get(day)
        series.points.append(
            None
            if row is None
            else Point(
                day=day,
                downloads=row["gained"],
                gap_days=int(row["missed"] or 0),
                downloads_30d=row["d30"],
                likes=row["likes"],
                storage=row["storage"],
                visibility=row.get("visibility") or "",
            )
        )
    return series


SUMS = {
    "gained": Sum("downloads_gained"),
    "missed": Max("days_missed"),
    "d30": Sum("downloads_30d"),
    "likes": Sum("likes"),
    "storage": Sum("used_storage"),
}


def namespace_series(start: date, end: date) -> tuple[list[Series], Series]:
    """Each watched namespace's totals a day, and the whole team's: one query."""
    watched = list(Watched.objects.all())
    names = [w.namespace for w in watched]
    rows: list[dict[str, Any]] = list(
        Snapshot.objects.filter(namespace__in=names, day__gte=start, day__lte=end)
        .values("namespace", "day")
        .annotate(**SUMS)
        .order_by("namespace", "day")  # type: ignore[arg-type]
    )
    per: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    team: dict[date, dict[str, Any]] = {}
    for row in rows:
        per[str(row["namespace"])].append(row)
        total = team.setdefault(row["day"], {"day": row["day"], "gained": None, "missed": 0, "d30": None,
                                             "likes": None, "storage": None})  # fmt: skip
        for key in ("gained", "d30", "likes", "storage"):
            if row[key] is not None:
                total[key] = (total[key] or 0) + row[key]
        total["missed"] = max(int(total["missed"] or 0), int(row["missed"] or 0))
    series = []
    for w in watched:
        one = _fill(w.namespace, start, end, per[w.namespace])
        one.quota = w.quota_bytes
        series.append(one)
    quotas = [w.quota_bytes for w in watched]
    whole = _fill("Whole team", start, end, team.values())
    whole.quota = sum(q for q in quotas if q) if quotas and all(quotas) else None
    return series, whole


def repo_series(repo: TrackedRepo, start: date | None = None, end: date | None = None) -> Series:
    """One repo's figures a day, since hubdash began watching it (or `start`)."""
    rows = Snapshot.objects.filter(repo=repo)
    first, last = start or repo.first_day, end or repo.last_day
    picked = rows.filter(day__gte=first, day__lte=last).values(
        "day", "downloads_30d", "downloads_gained", "days_missed", "likes", "used_storage", "visibility"
    )
    renamed: list[dict[str, Any]] = [
        {"day": r["day"], "gained": r["downloads_gained"], "missed": r["days_missed"], "d30": r["downloads_30d"],
         "likes": r["likes"], "storage": r["used_storage"], "visibility": r["visibility"]}
        for r in picked
    ]  # fmt: skip
    one = _fill(repo.repo_id, first, last, renamed)
    one.of_repo = True
    return one


def last_visibility(repos: Iterable[TrackedRepo]) -> dict[int, str]:
    """Each repo's visibility in its latest snapshot (public, private, protected; "" when not known): one query."""
    ids = [repo.pk for repo in repos]
    if not ids:
        return {}
    found: dict[int, str] = {}
    rows = Snapshot.objects.filter(repo_id__in=ids).order_by("repo_id", "day").values_list("repo_id", "visibility")
    for repo_id, visibility in rows:
        found[repo_id] = visibility
    return found


@dataclass(frozen=True)
class Grower:
    repo: TrackedRepo
    amount: int
    visibility: str = ""  # as its latest snapshot said


def growers(user: User | AnonymousUser, start: date, end: date) -> tuple[list[Grower], list[Grower]]:
    """The repos this person may see that grew most from `start` to `end`: (by storage added, by downloads
    gained). Storage added is the last snapshot's storage less the repo's first in the period: that first one is
    the baseline, not growth, so a repo needs two snapshots in the period to have grown."""
    names = list(Watched.objects.values_list("namespace", flat=True))
    repos: QuerySet[TrackedRepo] = TrackedRepo.objects.filter(visible_repos(user), namespace__in=names)
    in_period = Snapshot.objects.filter(repo__in=repos, day__gte=start, day__lte=end)
    # Downloads: the days after the first of the period (the first's gain is from before it).
    gained = (
        in_period.filter(day__gt=start, downloads_gained__gt=0)
        .values("repo")
        .annotate(total=Sum("downloads_gained"))
        .order_by("-total")[:TOP]
    )
    by_downloads = [(row["repo"], int(row["total"])) for row in gained]
    # Each repo's first snapshot in the period is its baseline (a repo first seen after `start` included).
    first_days = dict(in_period.values("repo").annotate(first=Min("day")).values_list("repo", "first"))
    lasts = dict(in_period.filter(day=end).values_list("repo", "used_storage"))
    baseline_days = {day for repo, day in first_days.items() if repo in lasts and day < end}
    firsts = {
        repo: storage
        for repo, day, storage in in_period.filter(day__in=baseline_days).values_list("repo", "day", "used_storage")
        if first_days.get(repo) == day
    }
    added = sorted(
        ((repo, (now or 0) - (firsts[repo] or 0)) for repo, now in lasts.items() if repo in firsts),
        key=lambda pair: -pair[1],
    )
    by_storage = [(repo, amount) for repo, amount in added if amount > 0][:TOP]
    wanted = {repo for repo, _ in by_storage} | {repo for repo, _ in by_downloads}
    found = TrackedRepo.objects.in_bulk(wanted)
    seen: dict[Any, str] = last_visibility(found.values())
    return (
        [Grower(found[r], a, seen.get(r, "")) for r, a in by_storage if r in found],
        [Grower(found[r], a, seen.get(r, "")) for r, a in by_downloads if r in found],
    )


def last_facts(kind: str, repo_id: str) -> dict[str, Any]:
    """What the repo's last snapshot said (registered with hubdash.core.guardrails: a change the Hub reported
    is judged without a Hub call where this is enough): its downloads (the Hub's 30-day figure), gating and
    visibility."""
    last = (
        Snapshot.objects.filter(repo__kind=kind, repo__repo_id=repo_id)
        .order_by("-day")
        .values("downloads_30d", "gated", "private")
        .first()
    )
    if last is None:
        return {}
    return {"downloads": last["downloads_30d"], "gated": last["gated"] or "off", "private": last["private"]}
