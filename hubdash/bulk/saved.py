"""Saved views: reading a saved listing query as the Hub's list endpoints take it, scanning what the Hub
lists for it (at most ASCENDING_LIMIT repos, the listings' own limit for ordering) and applying the filters
hubdash adds (visibility, gating, last modified, name prefix); who may see, rename and delete a view.

The query is read here rather than by the listing's own form: bulk imports nothing of repos (the listing
refers to bulk's URLs by name).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import QueryDict

from hubdash.core.permissions import is_admin
from hubdash.hub import HubClient
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import KINDS, Kind, RepoSummary

from .models_saved import SavedView, SavedViewOpening

SCAN_LIMIT = hub_repos.ASCENDING_LIMIT
PAGE_SIZES = (10, 20, 30, 50, 100)
DEFAULTS = {"sort": "trending", "direction": "desc", "limit": "30"}
MAX_FILTERS = 12
# The listing's own parameters: anything else in a URL is left out of a saved view.
PARAMS = ("search", "author", "filter", "sort", "direction", "limit", "full", "config")


class BadQuery(ValueError):
    """A query string no listing would take; the message says which part."""


def canonical_query(kind: Kind, raw: str) -> str:
    """The listing's parameters of `raw`, checked, without the cursor, the empty ones and the defaults (as
    the listing canonicalises its own address)."""
    params = QueryDict(raw[:4000].removeprefix("?"))
    kept: list[tuple[str, str]] = []
    for key in PARAMS:
        for value in params.getlist(key):
            value = value.strip()
            if value and DEFAULTS.get(key) != value and (key, value) not in kept:
                kept.append((key, value))
    canonical = QueryDict(mutable=True)
    for key, value in kept:
        canonical.appendlist(key, value)
    list_query(kind, canonical.urlencode())  # raises BadQuery
    return canonical.urlencode()


def list_query(kind: Kind, query: str) -> hub_repos.ListQuery:
    """The Hub's list query for a saved query string."""
    params = QueryDict(query)
    search = " ".join(params.get("search", "").split())
    if len(search) > 200:
        raise BadQuery("The search is at most 200 characters.")
    author = params.get("author", "").strip()
    if author and ("/" in author or not hub_repos.valid_repo_id(author)):
        raise BadQuery("An author is a Hub user or organisation name, such as “acme”.")
    tags = tuple(dict.fromkeys(tag.strip() for tag in params.getlist("filter") if tag.strip()))
    if len(tags) > MAX_FILTERS or any(len(tag) > 200 or not tag.isprintable() for tag in tags):
        raise BadQuery(f"At most {MAX_FILTERS} tag filters, each at most 200 printable characters.")
    sort = params.get("sort") or "trending"
    if sort not in hub_repos.SORT_KEYS or (kind == "space" and sort == "downloads"):
        raise BadQuery("That sort order is not one the listing offers.")
    direction = params.get("direction") or "desc"
    if direction not in ("asc", "desc"):
        raise BadQuery("The direction is ascending or descending.")
    limit = params.get("limit") or "30"
    if not limit.isdigit() or int(limit) not in PAGE_SIZES:
        raise BadQuery("The page size is one of 10, 20, 30, 50 or 100.")
    return hub_repos.ListQuery(
        kind=kind,
        search=search,
        author=author,
        filters=tags,
        sort=sort,
        ascending=direction == "asc",
        limit=int(limit),
        full=bool(params.get("full")),
        config=bool(params.get("config")) and kind == "model",
    )


def describe(view: SavedView) -> list[str]:
    """The view's query and filters in words, for its page and the nav."""
    try:
        query = list_query(view.kind, view.query)  # type: ignore[arg-type]
    except BadQuery:
        return ["a query no longer valid"]
    words = []
    if query.search:
        words.append(f"search “{query.search}”")
    if query.author:
        words.append(f"by {query.author}")
    words += [f"tag {tag}" for tag in query.filters]
    words.append(f"{dict(SORT_WORDS).get(query.sort, query.sort)}{', ascending' if query.ascending else ''}")
    if view.visibility:
        words.append(view.visibility)
    if view.gating:
        words.append(dict(GATING_WORDS).get(view.gating, view.gating))
    if view.modified_after:
        words.append(f"modified after {view.modified_after.isoformat()}")
    if view.modified_before:
        words.append(f"modified before {view.modified_before.isoformat()}")
    if view.name_prefix:
        words.append(f"names starting “{view.name_prefix}”")
    return words


SORT_WORDS = (("trending", "trending"), ("likes", "most likes"), ("downloads", "most downloads"),
              ("created", "recently created"), ("updated", "recently updated"))  # fmt: skip
GATING_WORDS = (("gated", "gated"), ("ungated", "not gated"), ("auto", "gated, automatic"),
                ("manual", "gated, manual"))  # fmt: skip


@dataclass(frozen=True)
class Scan:
    """What a view matched among the repos the Hub listed for its query."""

    repos: tuple[RepoSummary, ...]
    scanned: int
    more: bool  # the Hub lists more than SCAN_LIMIT repos for the query: some may match unseen
    limit: int  # the view's page size


def scan(client: HubClient, view: SavedView) -> Scan:
    """The Hub's listing for the view's query (one call, up to SCAN_LIMIT repos, with private, gated and
    lastModified), narrowed by the view's own filters. Raises a HubError."""
    kind: Kind = view.kind  # type: ignore[assignment]
    asked = list_query(kind, view.query)
    # The rows show the listing's usual fields (full details and config are not asked for a scan).
    query = replace(asked, limit=SCAN_LIMIT, full=False, config=False)
    listing = hub_repos.within_budget(lambda: hub_repos.list_repos(client, query), hub_repos.PAGE_BUDGET_S)
    matched = tuple(repo for repo in listing.repos if matches(view, repo))
    return Scan(matched, len(listing.repos), listing.next_cursor is not None, asked.limit)


def matches(view: SavedView, repo: RepoSummary) -> bool:
    if view.visibility and (view.visibility == "private") != repo.private:
        return False
    if view.gating:
        gated = repo.gated or None
        wanted = {"gated": gated is not None, "ungated": gated is None}.get(view.gating, gated == view.gating)
        if not wanted:
            return False
    if view.modified_after or view.modified_before:
        if repo.last_modified is None:
            return False
        day = repo.last_modified.astimezone(UTC).date()  # dates are days in UTC, as the Hub's timestamps
        if view.modified_after and day <= view.modified_after:
            return False
        if view.modified_before and day >= view.modified_before:
            return False
    return not view.name_prefix or repo.name.lower().startswith(view.name_prefix.lower())


def remember(view: SavedView, viewer: User, found: Scan) -> SavedViewOpening:
    opening, _ = SavedViewOpening.objects.update_or_create(
        view=view, viewer=viewer, defaults={"count": len(found.repos), "more": found.more}
    )
    return opening


# -- who may do what --------------------------------------------------------------------------------


def visible_to(user: User) -> QuerySet[SavedView]:
    """The team's views and the person's own."""
    return SavedView.objects.filter(Q(team=True) | Q(owner=user)).order_by(Lower("name"), "id")


def may_edit(user: User, view: SavedView) -> bool:
    """Its owner; for a team view, an admin too."""
    return view.owner_id == user.pk or (view.team and is_admin(user))


def with_openings(user: User, views: Iterable[SavedView]) -> list[tuple[SavedView, SavedViewOpening | None]]:
    """Each view with what this person saw when they last opened it (one query)."""
    views = list(views)
    seen = {o.view_id: o for o in SavedViewOpening.objects.filter(viewer=user, view__in=[v.pk for v in views])}
    return [(view, seen.get(view.pk)) for view in views]


__all__ = [
    "KINDS",
    "SCAN_LIMIT",
    "BadQuery",
    "Scan",
    "canonical_query",
    "describe",
    "list_query",
    "matches",
    "may_edit",
    "remember",
    "scan",
    "visible_to",
    "with_openings",
]
