"""The Team page's reading of team changes (written by hubdash.accounts.team_changes.record_team_change)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from hubdash.activity.models import Event

RECENT_PER_PERSON = 3


def recent_changes(*, per_person: int = RECENT_PER_PERSON) -> dict[int, list[Event]]:
    """Everyone's latest team changes, by the person they concerned, in one query whatever the team's size."""
    from hubdash.activity.models import Event  # read here, not on import: team loads before activity

    # Written out rather than built with Window(): compiling the ORM's form of it (a QUALIFY emulation) took
    # some 2 ms a Team page, thirty times what running it takes. Plain SQL that SQLite (3.25+) and PostgreSQL
    # both run; raw() still converts each column as the ORM would.
    table = connection.ops.quote_name(Event._meta.db_table)  # a name from the model's meta; values are bound
    columns = "id, subject_member_id, actor, subject, summary, received_at"
    nth = "ROW_NUMBER() OVER (PARTITION BY subject_member_id ORDER BY id DESC) AS nth"
    team = f"SELECT {columns}, {nth} FROM {table} WHERE action = %s AND source = %s AND subject_member_id IS NOT NULL"  # noqa: S608
    sql = f"SELECT {columns} FROM ({team}) latest WHERE nth <= %s ORDER BY subject_member_id, id DESC"  # noqa: S608
    latest = Event.objects.raw(sql, ["team", "hubdash", per_person])
    changes: dict[int, list[Event]] = defaultdict(list)
    for event in latest:
        assert event.subject_member_id is not None
        changes[event.subject_member_id].append(event)
    return dict(changes)
