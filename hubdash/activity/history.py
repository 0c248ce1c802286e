"""What the feed knows of repos' past, for other apps (the usage app's charts and its renames): read-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .models import Event


@dataclass(frozen=True)
class RepoEvent:
    when: datetime
    action: str  # the feed's action: push, settings, move, create, delete…
    summary: str  # "made private", "pushed to main"…
    actor: str


# The events worth marking on a repo's usage chart: what changed its content or who may see it.
MARKED_ACTIONS = ("push", "settings", "move", "create")


def repo_events(kind: str, repo_ids: Iterable[str], since: datetime, limit: int = 200) -> list[RepoEvent]:
    """The feed's events about a repo (under any of its names) since `since`, oldest first."""
    rows = (
        Event.objects.filter(repo_type=kind, repo_id__in=list(repo_ids), received_at__gte=since)
        .filter(action__in=MARKED_ACTIONS)
        .order_by("-received_at")
        .values_list("received_at", "action", "summary", "actor")[:limit]
    )
    return [RepoEvent(when, action, summary, actor) for when, action, summary, actor in reversed(rows)]


def moves(since: datetime) -> list[tuple[str, str, str]]:
    """(kind, old repo id, new repo id) of every repo the feed saw moved since `since`, oldest first."""
    found = []
    rows = Event.objects.filter(action="move", received_at__gte=since).order_by("id")
    for kind, repo_id, details in rows.values_list("repo_type", "repo_id", "details"):
        target = details.get("moved_to") if isinstance(details, dict) else None
        if isinstance(target, str) and "/" in target and repo_id:
            found.append((kind, repo_id, target))
    return found
