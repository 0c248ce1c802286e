"""Team changes recorded before 0002 named the person changed as the actor (`member`, `actor`) and their
maker only in `details.by`: the maker becomes the actor, the person changed the subject."""

from typing import Any

from django.conf import settings
from django.db import migrations


def _team_changes(apps: Any, schema_editor: Any) -> Any:
    event = apps.get_model("activity", "Event")
    # Only team changes carry `details.person`; the webhook set-up's own events name no subject.
    return event.objects.using(schema_editor.connection.alias).filter(
        source="hubdash", action="team", details__has_key="person"
    )


def maker_becomes_actor(apps: Any, schema_editor: Any) -> None:
    user = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    rows = list(_team_changes(apps, schema_editor).filter(subject=""))
    makers = {str(row.details.get("by") or "") for row in rows} - {""}
    # hubdash's people are django.contrib.auth users: names are `username` (historical models lack USERNAME_FIELD).
    ids = dict(
        user.objects.using(schema_editor.connection.alias).filter(username__in=makers).values_list("username", "pk")
    )
    for row in rows:
        person, maker = str(row.details["person"]), str(row.details.get("by") or "")
        by_maker = f" by {maker}"
        if maker and maker != person and row.summary.endswith(by_maker):
            row.summary = row.summary[: -len(by_maker)]  # the feed now says who acted beside the summary
        row.subject, row.subject_member_id = person, row.member_id
        row.actor, row.member_id = maker, ids.get(maker)
        row.save(update_fields=["summary", "subject", "subject_member", "actor", "member"])


def subject_becomes_actor(apps: Any, schema_editor: Any) -> None:
    for row in _team_changes(apps, schema_editor).exclude(subject=""):
        row.actor, row.member_id = row.subject, row.subject_member_id
        row.subject, row.subject_member_id = "", None
        row.save(update_fields=["subject", "subject_member", "actor", "member"])


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_team_change_subject")]

    operations = [migrations.RunPython(maker_becomes_actor, subject_becomes_actor)]
