"""The Team table's rows: `{% load team_rows %}{% team_rows rows can_manage %}`.

Built here rather than by a template, as the feed's lines are (activity_tags): a team of fifty drew
fifty rows of some forty template nodes each, most of the page's time. Plain strings and one escape per
value, not format_html (which costs tens of microseconds a call): every value from the database goes
through `core.markup.text`, the same escaping as Django's.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from hubdash.core.markup import text
from hubdash.core.templatetags.ui import initials

if TYPE_CHECKING:
    from hubdash.activity.models import Event

register = template.Library()
MUTED_DASH = '<span class="muted">—</span>'


@register.simple_tag
def team_rows(rows: list[dict[str, Any]], can_manage: bool) -> SafeString:
    """All the rows, one a line, in one tag (a tag per row cost a tenth of a millisecond per ten people)."""
    return mark_safe("".join(f"{_row(row, can_manage)}\n  " for row in rows))  # noqa: S308 (escaped by _row)


def _row(row: dict[str, Any], can_manage: bool) -> str:
    person, token = row["person"], row["token"]
    badges = ('<span class="badge">you</span>' if row["you"] else "") + (
        "" if person.is_active else '<span class="badge">deactivated</span>'
    )
    if token is None:
        state_html = '<span class="badge">none</span>'
    elif token.rejected_at:
        state_html = '<span class="badge bad">rejected</span>'
    else:
        state_html = (
            '<span class="cell-row"><span class="badge good">valid</span>'
            f'<span class="muted small">{text(token.role)}, '
            f"verified {text(naturaltime(token.verified_at))}</span></span>"
        )
    changes = "".join(
        f'<li class="small"><span>{text(event.summary)}{_by(event)}</span> {_time(event.received_at, "muted")}</li>'
        for event in row["changes"]
    )
    # One list, so that on a phone the changes stay together in the cell's value column.
    changes = f'<ul class="plain change-list">{changes}</ul>' if changes else ""
    last_seen = _time(row["last_seen"]) if row["last_seen"] else '<span class="muted">never</span>'
    inactive = "" if person.is_active else ' class="inactive"'
    # Every value below is escaped by text().
    return (
        f'<tr id="person-{person.pk}"{inactive}>'
        '<td data-label="Person"><span class="cell-row"><span class="avatar sm" aria-hidden="true">'
        f'<span>{text(initials(person.username))}</span></span><span class="cell-main">{text(person.username)}</span>'
        f"{badges}</span></td>"
        f'<td data-label="Role"><span class="badge{" accent" if row["role"] == "admin" else ""}">{text(row["role"])}'
        "</span></td>"
        f'<td data-label="On the Hub">{text(token.hub_username) if token else MUTED_DASH}</td>'
        f'<td data-label="Token">{state_html}</td>'
        f'<td data-label="Last active">{last_seen}</td>'
        f'<td data-label="Recent changes" class="changes">{changes or MUTED_DASH}</td>'
        f"{_manage_cell(row) if can_manage else ''}</tr>"
    )


def _by(event: Event) -> str:
    """Who made a change to someone else (a change people make to themselves needs no name)."""
    return f" by {text(event.actor)}" if event.actor and event.actor != event.subject else ""


def _time(moment: datetime, css_class: str = "") -> str:
    css = f' class="{css_class}"' if css_class else ""
    return f'<time{css} datetime="{timezone.localtime(moment).isoformat()}">{text(naturaltime(moment))}</time>'


def _manage_cell(row: dict[str, Any]) -> str:
    """What an admin may do to someone else: each a link to a confirmation page (nothing on a stray click)."""
    person, links = row["person"], row["links"]
    actions: list[tuple[str, str, str]] = []
    if not row["you"]:
        actions.append(("", links["role"], "Set role…"))
        if person.is_active:
            actions.append(("", links["reset"], "Reset link…"))
        if row["token"]:
            actions.append(("", links["token"], "Remove token…"))
        if person.is_active:
            actions.append((" danger", links["active"], "Deactivate…"))
        else:
            actions.append(("", links["active"], "Reactivate…"))
    buttons = " ".join(f'<a class="button{css} small" href="{text(href)}">{label}</a>' for css, href, label in actions)
    return f'<td class="manage"><span class="cell-row">{buttons}</span></td>'
