"""Reading one watched namespace's discussions from the Hub into the mirror: the first fill and the refresh.

- The **first fill** lists the namespace's repos (one call per kind and page), then each repo's open and draft
  items (one list call per page of 50), then each item's details without the diff (one call each).
- The **refresh** (hourly, for namespaces no discussion delivery came from in `COVERED_DAYS`) makes the same
  list calls, then reads the details only of items that are new, whose comment count or status changed, or
  that left the open list (closed, merged or deleted since).

Every call waits its turn with the jobs app's Pacer (the token's quota spread over its window, a reserve left
for the person's own pages); a rate limit waits for the window to reset and goes on. Lists never use the
client's paginator, which sleeps through rate limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hubdash import hub
from hubdash.hub import discussions as hub_discussions
from hubdash.hub import ratelimit
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import KINDS, Kind
from hubdash.jobs.pacing import Pacer

from . import mirror
from .models import OPEN_STATUSES, Discussion, DiscussionRepo, WatchedNamespace

COVERED_DAYS = 7  # a namespace a discussion delivery came from within this many days is kept by webhooks
LIST_LIMIT = 1000
RESERVE = 20  # calls of the token's window left for the person's own pages
MAX_WAITS = 5  # a call the Hub answers 429 this many times in a row (each after its window) gives up
T = TypeVar("T")


def sleep(seconds: float) -> None:
    """The pacer's sleep (tests replace it)."""
    time.sleep(seconds)


def pacer_for(client: hub.HubClient) -> Pacer:
    try:
        budget = ratelimit.latest(client)
    except Exception:  # no figures is no reason to stop: the pacer lets calls go, a 429 waits
        budget = None
    reserve = min(RESERVE, budget.quota // 10) if budget is not None and budget.quota else RESERVE
    return Pacer(client, reserve=reserve, sleep=lambda seconds: sleep(seconds))


def retrying(pacer: Pacer, make: Callable[[], T]) -> T:
    """`make()`, and on a rate limit the window waited out and the same call made again (a 429 means the Hub
    did nothing). Raises the RateLimited after MAX_WAITS waits in a row."""
    for attempt in range(MAX_WAITS + 1):
        try:
            return make()
        except hub.RateLimited as err:
            if attempt == MAX_WAITS:
                raise
            pacer.after_429(err)
    raise AssertionError("unreachable")


def is_covered(watched: WatchedNamespace, now: datetime | None = None) -> bool:
    """Whether webhooks keep this namespace current: a discussion delivery came from it lately."""
    if watched.last_delivery_at is None:
        return False
    return watched.last_delivery_at >= (now or timezone.now()) - timedelta(days=COVERED_DAYS)


@dataclass
class Tally:
    """What one namespace's read did, for its outcome line."""

    repos: int = 0
    listed: int = 0  # open and draft items the lists showed
    details: int = 0  # details read
    failed: int = 0  # repos whose read failed: why is on each repo's row (`last_error`), for its readers

    def line(self, first: bool) -> str:
        """The namespace's outcome line, shown to every member (the inbox, the jobs page): counts only, never a
        repo's name, which may be private."""
        words = f"{'first fill' if first else 'refresh'}: {self.repos} repo{'s' if self.repos != 1 else ''}, "
        words += f"{self.listed} open item{'s' if self.listed != 1 else ''}, {self.details} read in detail"
        if self.failed:
            words += f"; {self.failed} repo{'s' if self.failed != 1 else ''} could not be read"
        return words[:300]


def namespace_repos(client: hub.HubClient, namespace: str, pacer: Pacer) -> dict[tuple[str, str], bool]:
    """(kind, repo id) -> private, of every repo of `namespace` the token sees: one call per kind and page."""
    found: dict[tuple[str, str], bool] = {}
    for kind in KINDS:
        query = hub_repos.ListQuery(kind, author=namespace, limit=LIST_LIMIT)
        cursor: str | None = None
        while True:
            pacer.before_call()
            listing = retrying(pacer, lambda: hub_repos.list_repos(client, query, cursor, keep=False))  # noqa: B023
            for repo in listing.repos:
                if repo.namespace == namespace:
                    found[(kind, repo.id)] = repo.private
            cursor = listing.next_cursor
            if not cursor:
                break
    return found


def _details(client: hub.HubClient, repo: DiscussionRepo, num: int, pacer: Pacer) -> bool:
    """Read one item's details into its row; False (and the row removed) when the Hub no longer has it."""
    kind = cast("Kind", repo.repo_type)
    try:
        raw = retrying(pacer, lambda: hub_discussions.details(client, kind, repo.repo_id, num, pacer.before_call))
    except hub.NotFound:
        Discussion.objects.filter(repo_type=repo.repo_type, repo_id=repo.repo_id, num=num).delete()
        return False
    mirror.record_details(repo.repo_type, repo.repo_id, raw)
    return True


def read_repo(client: hub.HubClient, repo: DiscussionRepo, pacer: Pacer, everything: bool, tally: Tally) -> None:
    """List one repo's open and draft items, then read the details of those that need it (all of them with
    `everything`, the first fill). Raises what the list raises, leaving the rows as they were."""
    kind = cast("Kind", repo.repo_type)
    listed = retrying(pacer, lambda: hub_discussions.list_open(client, kind, repo.repo_id, pacer.before_call))
    now = timezone.now()
    rows = {
        row.num: row
        for row in Discussion.objects.filter(repo_type=repo.repo_type, repo_id=repo.repo_id).only(
            "num", "status", "num_comments", "details_at"
        )
    }
    tally.listed += len(listed)
    seen: set[int] = set()
    for item in listed:
        seen.add(item.num)
        row = rows.get(item.num)
        stale = (
            everything
            or row is None
            or row.details_at is None
            or row.status != item.status
            or row.num_comments != item.num_comments
        )
        if stale:
            tally.details += 1
            _details(client, repo, item.num, pacer)
    # Open in the mirror but gone from the open list: closed, merged or deleted since; its details say which.
    for num, row in rows.items():
        if num not in seen and row.status in OPEN_STATUSES:
            tally.details += 1
            _details(client, repo, num, pacer)
    with transaction.atomic():
        Discussion.objects.filter(repo_type=repo.repo_type, repo_id=repo.repo_id, num__in=seen).update(listed_at=now)
        repo.listed_at, repo.last_error, repo.gone = now, "", False
        repo.save(update_fields=["listed_at", "last_error", "gone"])


def read_namespace(namespace: str, client: hub.HubClient, everything: bool | None = None) -> str:
    """Bring the mirror of `namespace` up to date with the Hub; returns the outcome line. `everything`: read
    every item's details (the first fill); by default when the namespace was never filled. Raises a HubError
    only when the namespace's repos cannot be listed (nothing changed then); a repo whose read fails keeps
    its rows and says why (`last_error`)."""
    watched, _ = WatchedNamespace.objects.get_or_create(namespace=namespace)
    first = watched.filled_at is None if everything is None else everything
    watched.attempted_at = timezone.now()
    pacer = pacer_for(client)
    try:
        found = namespace_repos(client, namespace, pacer)
    except hub.HubError as err:
        watched.outcome = f"could not list the repos: {err.message}"[:300]
        watched.save(update_fields=["attempted_at", "outcome"])
        raise
    tally = Tally(repos=len(found))
    for repo in DiscussionRepo.objects.filter(namespace=namespace, gone=False):
        if (repo.repo_type, repo.repo_id) not in found:
            repo.gone = True
            repo.save(update_fields=["gone"])
    for listed_kind in KINDS:  # rows of repos gone, and any left under a name the repo no longer has (a rename)
        kept = [repo_id for (found_kind, repo_id) in found if found_kind == listed_kind]
        Discussion.objects.filter(namespace=namespace, repo_type=listed_kind).exclude(repo_id__in=kept).delete()
    for (kind, repo_id), private in found.items():
        repo, _ = DiscussionRepo.objects.update_or_create(
            repo_type=kind, repo_id=repo_id, defaults={"namespace": namespace, "private": private}
        )
        Discussion.objects.filter(repo_type=kind, repo_id=repo_id).exclude(private=private).update(private=private)
        try:
            read_repo(client, repo, pacer, first, tally)
        except hub.HubError as err:  # said on that repo's line; the others go on
            tally.failed += 1
            repo.last_error, repo.last_error_at = err.message[:300], timezone.now()
            repo.save(update_fields=["last_error", "last_error_at"])
    outcome = tally.line(first)
    if pacer.slept >= 1:
        outcome = f"{outcome}; paced by the Hub's quota ({round(pacer.slept)} s of waiting)"[:300]
    if not tally.failed:
        watched.refreshed_at = watched.attempted_at
        if first:
            watched.filled_at = watched.attempted_at
    watched.outcome = outcome
    watched.save(update_fields=["attempted_at", "refreshed_at", "filled_at", "outcome"])
    return outcome


def unlisted(namespace: str) -> QuerySet[DiscussionRepo]:
    """A covered namespace's repos whose open items were never listed, or must be again: a delivery about an
    item new since the last read could not read it (it has no row to mark), or the repo's last list failed."""
    return DiscussionRepo.objects.filter(namespace=namespace, gone=False, listed_at=None)


def has_stale(namespace: str) -> bool:
    """Whether a covered namespace holds what deliveries could not bring (`read_stale` reads it)."""
    return unlisted(namespace).exists() or Discussion.objects.filter(namespace=namespace, details_at=None).exists()


def read_stale(namespace: str, client: hub.HubClient) -> int:
    """Read again what deliveries could not bring in a covered namespace (no token fit to use, the Hub busy or
    refusing): the list of each repo marked `unlisted` (details of what it brings that is new or changed),
    then the details of each item marked so, paced. Returns how many items were read in detail."""
    pacer = pacer_for(client)
    tally = Tally()
    for repo in unlisted(namespace):
        try:
            read_repo(client, repo, pacer, everything=False, tally=tally)
        except hub.HubError as err:  # said on the repo's tab; the next run tries again
            repo.last_error, repo.last_error_at = err.message[:300], timezone.now()
            repo.save(update_fields=["last_error", "last_error_at"])
    read = tally.details
    stale = Discussion.objects.filter(namespace=namespace, details_at=None).values_list("repo_type", "repo_id", "num")
    for repo_type, repo_id, num in stale:
        known = DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=repo_id).first()
        item_repo = known or DiscussionRepo(repo_type=repo_type, repo_id=repo_id, namespace=namespace)
        _details(client, item_repo, num, pacer)
        read += 1
    return read
