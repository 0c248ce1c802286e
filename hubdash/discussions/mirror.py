"""Rows of the discussions mirror from the Hub's answers.

    record_details(repo_type, repo_id, details)

`details` is what the Hub says of one discussion or pull request: a `huggingface_hub.DiscussionWithDetails`
(what `HfApi.get_discussion_details` returns, as the review page has it after an action), or the raw JSON
dict of `GET /api/{type}s/{repo}/discussions/{num}` (what `hubdash.hub.discussions.details` reads for the
mirror, without the diff). Either way the row of that item is created or brought up to date; nothing here
calls the Hub.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from .models import TITLE_MAX, Discussion, DiscussionRepo


def _when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def _raw(details: object) -> Mapping[str, Any]:
    """The Hub's JSON of the details, from either form `record_details` takes."""
    if isinstance(details, Mapping):
        return details
    events = [getattr(event, "_event", {}) for event in getattr(details, "events", [])]
    return {
        "num": details.num,  # type: ignore[attr-defined]
        "title": details.title,  # type: ignore[attr-defined]
        "status": details.status,  # type: ignore[attr-defined]
        "isPullRequest": details.is_pull_request,  # type: ignore[attr-defined]
        "createdAt": details.created_at,  # type: ignore[attr-defined]
        "author": {"name": details.author},  # type: ignore[attr-defined]
        "events": events,
        "changes": {"base": getattr(details, "target_branch", None) or ""},
    }


def _name(author: object) -> str:
    if isinstance(author, Mapping) and isinstance(author.get("name"), str):
        return str(author["name"])[:96]
    if isinstance(author, str) and author:
        return author[:96]
    return "deleted"


def _is_member(author: object, namespace: str) -> bool:
    if not isinstance(author, Mapping):
        return False
    return bool(author.get("isOwner") or author.get("isOrgMember") or author.get("name") == namespace)


def search_text(title: str, author: str, repo_id: str, num: int) -> str:
    """What the inbox's text filter matches: title, author, repo and number, in lower case."""
    return "\n".join([title, author, repo_id, f"#{num}"]).lower()


def row_values(repo_id: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The mirror's columns of one item from its details JSON."""
    namespace = repo_id.partition("/")[0]
    author = _name(raw.get("author"))
    events = [e for e in raw.get("events") or [] if isinstance(e, Mapping)]
    member_names = {namespace}
    author_is_member = author == namespace
    for event in events:
        who = event.get("author")
        if _is_member(who, namespace):
            member_names.add(_name(who))
            author_is_member = author_is_member or _name(who) == author
    created = _when(raw.get("createdAt")) or timezone.now()
    times = [t for t in (_when(e.get("createdAt")) for e in events) if t is not None]
    comments = [e for e in events if e.get("type") == "comment"]
    # The Hub lists events in the order they happened; two may share a timestamp, so order decides who wrote last.
    last_author = max((i for i, e in enumerate(comments) if _name(e.get("author")) == author), default=None)
    last_member = max((i for i, e in enumerate(comments) if _name(e.get("author")) in member_names), default=None)
    status = str(raw.get("status") or "open")
    waiting = (
        not author_is_member
        and status in ("open", "draft")
        and (last_member is None or (last_author is not None and last_author > last_member))
    )
    changes = raw.get("changes") if isinstance(raw.get("changes"), Mapping) else {}
    assert isinstance(changes, Mapping)
    title = str(raw.get("title") or "")[:TITLE_MAX]
    num = int(raw["num"])
    values = {
        "is_pull_request": bool(raw.get("isPullRequest")),
        "title": title,
        "status": status,
        "author": author,
        "author_is_member": author_is_member,
        "created_at": created,
        "last_activity_at": max([created, *times]),
        "num_comments": len(comments),
        "waiting_on_us": waiting,
        "target_branch": str(changes.get("base") or "")[:200],
        "search_text": search_text(title, author, repo_id, num),
    }
    if "pinned" in raw:  # the client's details drop it: a row keeps what the raw details last said
        values["pinned"] = bool(raw["pinned"])
    return values


def record_details(repo_type: str, repo_id: str, details: object) -> Discussion:
    """Create or update the row of one item from its details (a `DiscussionWithDetails` or the raw dict, see
    the module's docstring); returns the row. The repo's visibility comes from the repos the mirror read
    (an unknown repo's items count as private until a list says otherwise)."""
    raw = _raw(details)
    values = row_values(repo_id, raw)
    now = timezone.now()
    repo = DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=repo_id).only("private").first()
    values.update(namespace=repo_id.partition("/")[0], details_at=now, private=repo.private if repo else True)
    row, _ = Discussion.objects.update_or_create(
        repo_type=repo_type, repo_id=repo_id, num=int(raw["num"]), defaults=values
    )
    return row
