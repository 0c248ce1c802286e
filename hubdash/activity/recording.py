"""Writing events: `record` for what hubdash itself does, `store_delivery` for the webhook receiver."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hubdash.hub.repos import valid_repo_id

from .models import ACTIONS, Event
from .payloads import Parsed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# How long the same body counts as a retry of one delivery rather than a new change. A v3 body names
# the change (head sha, refs, ids); a legacy `{"update": …}` is the same bytes for every change to the
# repo, so for it only a quick repeat is a retry.
REPEAT_WINDOW = {"hub": timedelta(minutes=10), "legacy": timedelta(seconds=30)}


def record(
    *,
    action: str,
    summary: str,
    member: User | None = None,
    repo_type: str = "",
    repo_id: str = "",
    private: bool | None = None,
    details: Mapping[str, Any] | None = None,
) -> Event:
    """Record something hubdash did (the repo is optional: an event may concern a person or the team).

    `action` is one of ACTIONS (create, push, settings, move, delete, discussion, comment, update,
    team); `summary` says what happened in a few words ("created", "uploaded 3 files to main").
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown activity action {action!r}; one of {', '.join(ACTIONS)}")
    if repo_id and not valid_repo_id(repo_id):
        raise ValueError(f"not a repo id: {repo_id!r}")
    namespace = repo_id.split("/", 1)[0] if "/" in repo_id else ""
    return Event.objects.create(
        source="hubdash",
        action=action,
        summary=summary[:300],
        repo_type=repo_type,
        repo_id=repo_id,
        namespace=namespace,
        private=private,
        restricted=bool(repo_id) and private is not False,
        actor=member.get_username() if member is not None else "",
        member=member,
        details=dict(details or {}),
    )


def storable(value: Any) -> Any:
    """Text any database keeps: no NUL (PostgreSQL refuses it) and no lone surrogate (not UTF-8)."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode().replace("\x00", "")
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [storable(v) for v in value]
    return value


def body_key(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def store_delivery(parsed: Parsed, raw: bytes, headers: Mapping[str, str], verified_by: str) -> tuple[Event, bool]:
    """Store one delivery, or count it against the event it repeats: (event, stored as new).

    The unique `dedupe_key` decides, not a check before the insert: two workers receiving the same
    delivery at once both try to insert and the database lets one through. A body seen longer ago
    than the repeat window gives its key up (one conditional UPDATE, which only one worker can win)
    and is stored as a new change.
    """
    key = body_key(raw)
    window = REPEAT_WINDOW.get(parsed.source, REPEAT_WINDOW["hub"])
    fields: dict[str, Any] = {
        "source": parsed.source,
        "action": parsed.action,
        "summary": storable(parsed.summary[:300]),
        "repo_type": parsed.repo_type,
        "repo_id": parsed.repo_id,
        "namespace": parsed.namespace,
        "private": parsed.private,
        "restricted": parsed.private is not False,
        "actor": storable(parsed.actor[:150]),
        "details": storable(parsed.details),
        "raw_body": raw,
        "headers": storable(dict(headers)),
        "verified_by": storable(verified_by[:100]),
    }
    with transaction.atomic():
        now = timezone.now()
        for _ in range(2):
            try:
                with transaction.atomic():
                    return Event.objects.create(received_at=now, dedupe_key=key, **fields), True
            except IntegrityError:
                pass
            seen = Event.objects.filter(dedupe_key=key)
            if seen.filter(received_at__gte=now - window).update(duplicates=F("duplicates") + 1):
                return seen.get(), False
            # Seen before the window: that was another change with the same bytes. Free the key, store anew.
            seen.filter(received_at__lt=now - window).update(dedupe_key=None)
        raise IntegrityError("the delivery's key stayed taken")  # pragma: no cover - a concurrent retry won twice
