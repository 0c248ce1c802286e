"""Writing events: `record` for what hubdash itself does, `store_delivery` for the webhook receiver."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connections, router
from django.db.models import F
from django.utils import timezone

from hubdash.core.logging import redact
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
    subject: User | None = None,
    repo_type: str = "",
    repo_id: str = "",
    private: bool | None = None,
    details: Mapping[str, Any] | None = None,
) -> Event:
    """Record something hubdash did (the repo is optional: an event may concern a person or the team).

    `action` is one of ACTIONS (create, push, settings, move, delete, discussion, comment, update,
    team); `summary` says what happened in a few words ("created", "uploaded 3 files to main"). `member`
    is who did it, `subject` whom it concerned (a team change), and a Hub error quoted in
    `details["reason"]` is redacted as the logs are: team-visible events never hold a token the Hub echoed.
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
        subject=subject.get_username() if subject is not None else "",
        subject_member=subject,
        details=redacted_details(details or {}),
    )


def redacted_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """The details with the reason a failure gave put through the logs' redaction."""
    facts = dict(details)
    if isinstance(facts.get("reason"), str):
        facts["reason"] = redact(facts["reason"])
    return facts


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


# SQLite has one writer at a time and makes the others poll with growing sleeps (up to 100 ms each):
# threads of one process queue here instead, so only the other processes' writers ever poll.
_SQLITE_WRITER = threading.Lock()


def store_delivery(parsed: Parsed, raw: bytes, headers: Mapping[str, str], verified_by: str) -> tuple[Event, bool]:
    """Store one delivery, or count it against the event it repeats: (event, stored as new).

    The unique `dedupe_key` decides, not a check before the insert: a new body is one INSERT (its own
    short transaction, everything computed before it) that the database turns into nothing when the key
    is taken, so two workers receiving the same delivery at once store one row. A repeat within the
    window is counted (one conditional UPDATE); a body seen longer ago gives its key up (one conditional
    UPDATE, which only one worker can win) and is stored as a new change.
    """
    key = body_key(raw)
    window = REPEAT_WINDOW.get(parsed.source, REPEAT_WINDOW["hub"])
    now = timezone.now()
    event = Event(
        source=parsed.source,
        action=parsed.action,
        summary=storable(parsed.summary[:300]),
        repo_type=parsed.repo_type,
        repo_id=parsed.repo_id,
        namespace=parsed.namespace,
        private=parsed.private,
        restricted=parsed.private is not False,
        actor=storable(parsed.actor[:150]),
        details=storable(parsed.details),
        raw_body=raw,
        headers=storable(dict(headers)),
        verified_by=storable(verified_by[:100]),
        received_at=now,
        dedupe_key=key,
    )
    for _ in range(2):
        if _insert_unless_seen(event):
            return event, True
        seen = Event.objects.filter(dedupe_key=key)
        if seen.filter(received_at__gte=now - window).update(duplicates=F("duplicates") + 1):
            return seen.get(), False
        # Seen before the window: that was another change with the same bytes. Free the key, store anew.
        seen.filter(received_at__lt=now - window).update(dedupe_key=None)
    raise IntegrityError("the delivery's key stayed taken")  # pragma: no cover - a concurrent retry won twice


def _insert_unless_seen(event: Event) -> bool:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id (SQLite ≥ 3.35 and PostgreSQL alike).

    True with `event` saved (its id set), False when the key is already taken. The ORM has no single
    statement for this that also returns the id, so the values are prepared by the fields themselves.
    """
    using = router.db_for_write(Event)
    connection = connections[using]
    opts = Event._meta
    fields = [f for f in opts.local_concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(f.pre_save(event, True), connection) for f in fields]
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    # Every name comes from the model's own meta and every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING RETURNING {}".format(  # noqa: S608
        connection.ops.quote_name(opts.db_table),
        columns,
        ", ".join(["%s"] * len(fields)),
        connection.ops.quote_name("dedupe_key"),
        connection.ops.quote_name("id"),
    )
    with _SQLITE_WRITER if connection.vendor == "sqlite" else contextlib.nullcontext(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = row[0]
    event._state.adding, event._state.db = False, using
    return True
