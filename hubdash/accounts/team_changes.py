"""Team changes on record: one activity event per change, saying who made it and whom it concerned.

The writer stays in accounts: signing up, changing one's password and the first admin's set-up are team
changes too, and accounts may not import team. The Team page reads them (hubdash.team.team_changes).

The event's member (and actor) is who made the change, its subject the person it is about: the feed reads
"bob: deactivated · by alice", `?actor=alice` finds what alice did and `?subject=bob` what was done to bob,
and the Team page finds each person's changes through the subject.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User

from hubdash.activity import record

if TYPE_CHECKING:
    from hubdash.activity.models import Event


def record_team_change(*, person: User, by: User | None, summary: str, change: str, **details: Any) -> Event:
    """Record a change to `person` made by `by` (None: hubdash itself, or someone signed out)."""
    by_name = by.get_username() if by is not None else ""
    return record(
        action="team",
        summary=summary,
        member=by,
        subject=person,
        details={"change": change, "person": person.get_username(), "by": by_name, **details},
    )
