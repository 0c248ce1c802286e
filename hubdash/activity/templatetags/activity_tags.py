"""The feed's display helpers: `{% load activity_tags %}`."""

from __future__ import annotations

import json

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from hubdash.core.links import PK_SAMPLE, REPO_SAMPLES, link
from hubdash.core.logging import redact
from hubdash.core.markup import text
from hubdash.core.templatetags.icons import icon_sprite

from ..models import ACTIONS, Event

register = template.Library()


@register.simple_tag
def activity_icons() -> SafeString:
    """One hidden sprite of every event icon, drawn by rows with `<use href="#icon-outline-…">`."""
    return icon_sprite(*(f"outline:{icon}" for _, icon in ACTIONS.values()))


@register.filter
def pretty_json(value: object) -> str:
    # Redacted as shown too: events stored before their reasons were redacted may quote a token.
    return redact(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


@register.simple_tag
def event_line(event: Event) -> SafeString:
    """One event of the feed as a list item, built here rather than by an included template: a page
    draws fifty of them, and the include cost most of the page's time. Plain strings with one escape per
    value (`core.markup.text`, the same escaping as Django's), not format_html, which costs tens of
    microseconds a call."""
    repo = ""
    if event.repo_id:
        if event.links_to_repo:
            namespace, name = event.repo_id.split("/", 1)
            href = link(f"{event.repo_type}-repo", namespace, name, samples=REPO_SAMPLES)
            repo = f'<a class="event-repo" href="{text(href)}">{text(event.repo_id)}</a>'
        else:
            repo = f'<span class="event-repo">{text(event.repo_id)}</span>'
        if event.private:
            repo += ' <span class="badge private">private</span>'
        elif event.private is None and event.restricted and event.source != "hubdash":
            # Only a delivery has a visibility to tell; hubdash's own events (a deletion, a failed
            # creation) have none, and saying "unknown" there would suggest one was missing.
            repo += (
                ' <span class="badge" title="The delivery did not say whether the repo is private">'
                "visibility unknown</span>"
            )
    elif event.subject and event.subject != event.actor:
        repo = f'<span class="event-repo event-subject">{text(event.subject)}</span>'
    if isinstance(event.details, dict) and event.details.get("test") is True:
        repo += ' <span class="badge">test</span>'
    who = ""
    if event.member_id is not None and event.member is not None:
        who = f"<span>by <strong>{text(event.member.get_username())}</strong></span>"
    elif event.actor:
        who = f'<span>by <strong title="Hub user">{text(Truncator(event.actor).chars(32))}</strong></span>'
    kind = f"<span>{text(event.repo_type)}</span>" if event.repo_type else ""
    when = timezone.localtime(event.received_at)
    detail = link("activity-event", event.pk, samples=(PK_SAMPLE,))
    return mark_safe(  # noqa: S308 (every value is escaped by text())
        f'<li class="event-item" data-event="{event.pk}">'
        f'<span class="event-icon action-{text(event.action)}" title="{text(event.get_action_display())}">'
        f'<svg width="20" height="20" aria-hidden="true"><use href="#icon-outline-{text(event.icon)}"></use></svg>'
        "</span>"
        f'<p class="event-line">{repo} <span class="event-what">{text(event.summary)}</span></p>'
        f'<p class="event-meta">{who}{kind}<time datetime="{when.isoformat()}" title="{when:%Y-%m-%d %H:%M:%S} UTC">'
        f"{text(naturaltime(event.received_at))}</time>"
        f'<span class="event-source source-{text(event.source)}">{text(event.source_label)}</span>'
        f'<a href="{text(detail)}">Details<span class="visually-hidden"> of event {event.pk}</span></a></p></li>'
    )
