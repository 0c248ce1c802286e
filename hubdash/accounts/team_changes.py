"""Team changes on record: one activity event per change, about a person, saying who made it.

The event's member is the person the change is about (so the feed reads "bob deactivated by alice" and the
Team page finds each person's changes through the member index); `details.by` names who made it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from hubdash.activity import record

if TYPE_CHECKING:
    from hubdash.activity.models import Event

RECENT_PER_PERSON = 3


def record_team_change(*, person: User, by: User | None, summary: str, change: str, **details: Any) -> Event:
    """Record a change to `person` made by `by` (None: hubdash itself, or someone signed out)."""
    by_name = by.get_username() if by is not None else ""
    if by is not None and by.pk != person.pk and by_name not in summary:
        summary = f"{summary} by {by_name}"
    return record(
        action="team",
        summary=summary,
        member=person,
        details={"change": change, "person": person.get_username(), "by": by_name, **details},
    )


def recent_changes(people: list[User], per_person: int = RECENT_PER_PERSON) -> dict[int, list[Event]]:
    """Each person's latest team changes, in one query whatever the size of the team."""
    from hubdash.activity.models import Event  # read here, not on import: accounts loads before activity

    if not people:
        return {}
    latest = (
        Event.objects.filter(action="team", source="hubdash", member_id__in=[person.pk for person in people])
        .annotate(nth=Window(RowNumber(), partition_by=[F("member_id")], order_by=F("id").desc()))
        .filter(nth__lte=per_person)
        .only("id", "summary", "received_at", "member_id")
        .order_by("member_id", "-id")
    )
    changes: dict[int, list[Event]] = defaultdict(list)
    for event in latest:
        assert event.member_id is not None
        changes[event.member_id].append(event)
    return dict(changes)
