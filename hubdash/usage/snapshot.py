"""Taking a day's snapshot: one row per repo of each watched namespace for one UTC date.

Per namespace, with the token of the person who took it on: the list endpoints with `expand=` (one Hub call
per page of results, never one per repo) and the repositories-settings list where that token may read it. A
namespace that fails (paused, the Hub refusing) is said and the others go on; what was taken stays. A run
inserts only its own day's missing rows: the past is never rewritten, and a second run the same day fills in
only what the first could not take.

Each row keeps the downloads gained since the repo's previous snapshot (the difference of all-time downloads)
and how many days were missed in between (a gap's sum is then marked, never spread over invented days).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hubdash import hub
from hubdash.activity import history
from hubdash.hub import usage as hub_usage
from hubdash.jobs.delegation import Paused, unattended_client

from .models import Snapshot, TrackedRepo, Watched

logger = logging.getLogger(__name__)

CAPABILITY = "usage"
BATCH = 500


@dataclass
class Outcome:
    day: date
    taken: dict[str, int] = field(default_factory=dict)  # namespace -> repos snapshotted
    failed: dict[str, str] = field(default_factory=dict)  # namespace -> why
    removed: int = 0  # rows past the retention period

    def line(self) -> str:
        parts = [f"{ns}: {n} repo{'s' if n != 1 else ''}" for ns, n in self.taken.items()]
        parts += [f"{ns}: {why}" for ns, why in self.failed.items()]
        if self.removed:
            parts.append(f"{self.removed} snapshot{'s' if self.removed != 1 else ''} past retention removed")
        head = f"{self.day.isoformat()}: "
        return (head + "; ".join(parts)) if parts else head + "no namespace is watched"


def take(day: date | None = None) -> Outcome:
    """Snapshot every watched namespace for `day` (today's UTC date by default)."""
    day = day or timezone.now().date()
    outcome = Outcome(day)
    for watched in Watched.objects.all():
        namespace = watched.namespace
        problem = ""
        try:
            _, client = unattended_client(CAPABILITY, namespace)
            outcome.taken[namespace] = take_namespace(client, namespace, day)
        except Paused as paused:
            problem = f"paused ({paused.reason})"
        except hub.HubError as err:
            problem = f"failed ({err.message})"
        except Exception:
            logger.exception("usage snapshot of %s failed", namespace)
            problem = "failed (an internal error, logged)"
        if problem:
            outcome.failed[namespace] = problem
        watched.last_problem, watched.last_run_at = problem[:300], timezone.now()
        watched.save(update_fields=["last_problem", "last_run_at"])
    outcome.removed = remove_old(day)
    return outcome


def remove_old(day: date) -> int:
    keep_from = day - timedelta(days=settings.HUBDASH_USAGE_RETENTION_DAYS)
    removed, _ = Snapshot.objects.filter(day__lt=keep_from).delete()
    return removed


def take_namespace(client: hub.HubClient, namespace: str, day: date) -> int:
    """Snapshot one namespace for `day`; returns the number of repos listed. Raises a HubError when its
    repos cannot be listed (nothing is written for it then)."""
    listed = hub_usage.namespace_usage(client, namespace)
    try:
        settings_list = hub_usage.repositories_settings(client, namespace) or []
    except hub.HubError as err:  # the figures are there; visibility including protected is not this time
        logger.warning("repositories settings of %s unreadable: %s", namespace, err.message)
        settings_list = []
    visibility = {(s.kind, s.repo_id): s for s in settings_list}
    with transaction.atomic():
        repos = _follow(namespace, listed, day)
        _insert(namespace, listed, repos, visibility, day)
    return len(listed)


def _follow(namespace: str, listed: list[hub_usage.RepoUsage], day: date) -> dict[tuple[str, str], TrackedRepo]:
    """The TrackedRepo of every listed repo, by (kind, repo id): found by the Hub's id, by name, or through a
    move the feed saw; made if new. Repos of the namespace no longer listed are marked deleted."""
    names = [(u.kind, u.repo_id) for u in listed]
    hub_ids = [u.hub_id for u in listed if u.hub_id]
    known = {(r.kind, r.repo_id): r for r in TrackedRepo.objects.filter(namespace=namespace)}
    by_hub_id: dict[str, TrackedRepo] = {}
    for start in range(0, len(hub_ids), BATCH):
        for holder in TrackedRepo.objects.filter(hub_id__in=hub_ids[start : start + BATCH]):
            by_hub_id[holder.hub_id] = holder
    missing = [(k, r) for k, r in names if (k, r) not in known]
    if missing:  # moved in from another namespace under this name? known elsewhere by this name?
        for start in range(0, len(missing), BATCH):
            ids = [r for _, r in missing[start : start + BATCH]]
            for named in TrackedRepo.objects.filter(repo_id__in=ids):
                known.setdefault((named.kind, named.repo_id), named)
    moved_from: dict[tuple[str, str], str] = {}
    if any((u.kind, u.repo_id) not in known and (not u.hub_id or u.hub_id not in by_hub_id) for u in listed):
        since = timezone.now() - timedelta(days=settings.HUBDASH_USAGE_RETENTION_DAYS)
        for kind, old, new in history.moves(since):
            moved_from[(kind, new)] = moved_from.get((kind, old), old)
    found: dict[tuple[str, str], TrackedRepo] = {}
    fresh: list[TrackedRepo] = []
    for usage in listed:
        key = (usage.kind, usage.repo_id)
        repo: TrackedRepo | None = by_hub_id.get(usage.hub_id) if usage.hub_id else None
        if repo is None:
            repo = known.get(key)
        if repo is None and key in moved_from:
            repo = TrackedRepo.objects.filter(kind=usage.kind, repo_id=moved_from[key]).first()
        if repo is None:
            repo = TrackedRepo(kind=usage.kind, repo_id=usage.repo_id, namespace=namespace, first_day=day, last_day=day)
        elif repo.repo_id != usage.repo_id:
            _rename(repo, usage.repo_id, namespace)
        changed = (repo.pk is None or repo.last_day != day or repo.deleted_on is not None
                   or repo.private != bool(usage.private) or repo.hub_id != (usage.hub_id or repo.hub_id)
                   or repo.namespace != namespace)  # fmt: skip
        repo.namespace, repo.private, repo.deleted_on = namespace, bool(usage.private), None
        repo.hub_id = usage.hub_id or repo.hub_id
        repo.last_day = max(repo.last_day, day)
        if repo.pk is None:
            fresh.append(repo)  # inserted together below
        elif changed:
            repo.save()
        found[key] = repo
    TrackedRepo.objects.bulk_create(fresh, batch_size=BATCH)  # their primary keys come back (SQLite, PostgreSQL)
    kinds = {u.kind for u in listed} | {"model", "dataset", "space"}
    seen = {r.pk for r in found.values()}
    gone = [r.pk for r in TrackedRepo.objects.filter(namespace=namespace, kind__in=kinds, deleted_on=None)
            if r.pk not in seen]  # fmt: skip
    for start in range(0, len(gone), BATCH):
        TrackedRepo.objects.filter(pk__in=gone[start : start + BATCH]).update(deleted_on=day)
    return found


def _rename(repo: TrackedRepo, new_id: str, namespace: str) -> None:
    """`repo` is now called `new_id`: its history follows. A stale row holding that name (a repo deleted
    before another took its name) gives the name up."""
    holder = TrackedRepo.objects.filter(kind=repo.kind, repo_id=new_id).exclude(pk=repo.pk).first()
    if holder is not None:
        holder.repo_id = f"{new_id}#{holder.pk}"  # keeps its own history under a name no repo can have
        holder.deleted_on = holder.deleted_on or holder.last_day
        holder.save(update_fields=["repo_id", "deleted_on"])
    repo.former_ids = [*repo.former_ids, repo.repo_id][-20:]
    repo.repo_id = new_id
    repo.namespace = namespace


def _insert(
    namespace: str,
    listed: list[hub_usage.RepoUsage],
    repos: dict[tuple[str, str], TrackedRepo],
    visibility: dict[tuple[str, str], hub_usage.RepoSetting],
    day: date,
) -> None:
    """The day's rows of the listed repos that have none yet, each with its downloads gained since the repo's
    previous snapshot and the days missed in between."""
    pks = [r.pk for r in repos.values()]
    have: set[int] = set()
    previous: dict[int, tuple[date, int | None]] = {}
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        have.update(Snapshot.objects.filter(repo_id__in=chunk, day=day).values_list("repo_id", flat=True))
        # Each repo's latest snapshot before `day`: the day, then that day's row (most share one day).
        lasts = (
            Snapshot.objects.filter(repo_id__in=chunk, day__lt=day)
            .values("repo_id")
            .annotate(last=Max("day"))
            .values_list("repo_id", "last")
        )
        by_day: dict[date, list[int]] = {}
        for repo_id, last in lasts:
            by_day.setdefault(last, []).append(repo_id)
        for when, ids in by_day.items():
            rows = Snapshot.objects.filter(repo_id__in=ids, day=when).values_list("repo_id", "downloads_all_time")
            for repo_id, all_time in rows:
                previous[repo_id] = (when, all_time)
    new_rows = []
    for usage in listed:
        repo = repos[(usage.kind, usage.repo_id)]
        if repo.pk in have:
            continue
        gained: int | None = None
        missed: int | None = None
        before = previous.get(repo.pk)
        if before is not None:
            missed = (day - before[0]).days - 1
            if usage.downloads_all_time is not None and before[1] is not None:
                gained = max(usage.downloads_all_time - before[1], 0)
        setting = visibility.get((usage.kind, usage.repo_id))
        storage = usage.used_storage if usage.used_storage is not None else (setting.storage if setting else None)
        new_rows.append(
            Snapshot(
                repo=repo,
                namespace=namespace,
                day=day,
                downloads_30d=usage.downloads_30d,
                downloads_all_time=usage.downloads_all_time,
                downloads_gained=gained,
                days_missed=missed,
                likes=usage.likes,
                used_storage=storage,
                private=usage.private,
                gated=usage.gated or "",
                visibility=_visibility(usage, setting),
                last_modified=usage.last_modified,
            )
        )
    Snapshot.objects.bulk_create(new_rows, batch_size=BATCH, ignore_conflicts=True)


def _visibility(usage: hub_usage.RepoUsage, setting: hub_usage.RepoSetting | None) -> str:
    """public, private or protected as the repositories-settings list says; without it, what the listing tells
    (a Space it reads as public may be protected: not known, "")."""
    if setting is not None and setting.visibility:
        return setting.visibility
    if usage.private:
        return "private"
    return "" if usage.kind == "space" else "public"
