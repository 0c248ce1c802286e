"""The feed's display helpers: `{% load activity_tags %}`."""

from __future__ import annotations

import json

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from hubdash.core.links import PK_SAMPLE, REPO_SAMPLES, link
from hubdash.core.templatetags.icons import icon_sprite

from ..models import ACTIONS, Event

register = template.Library()


@register.simple_tag
def activity_icons() -> SafeString:
    """One hidden sprite of every event icon, drawn by rows with `<use href="#icon-outline-…">`."""
    return icon_sprite(*(f"outline:{icon}" for _, icon in ACTIONS.values()))


@register.filter
def pretty_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@register.simple_tag
def event_line(event: Event) -> SafeString:
    """One event of the feed as a list item, built here rather than by an included template: a page
    draws fifty of them, and the include cost most of the page's time."""
    repo = SafeString("")
    if event.repo_id:
        if event.links_to_repo:
            namespace, name = event.repo_id.split("/", 1)
            href = link(f"{event.repo_type}-repo", namespace, name, samples=REPO_SAMPLES)
            repo = format_html('<a class="event-repo" href="{}">{}</a>', href, event.repo_id)
        else:
            repo = format_html('<span class="event-repo">{}</span>', event.repo_id)
        if event.private:
            repo += SafeString(' <span class="badge private">private</span>')
        elif event.private is None and event.restricted:
            repo += SafeString(
                ' <span class="badge" title="The legacy webhook does not say whether the repo is private">'
                "visibility unknown</span>"
            )
    who = SafeString("")
    if event.member_id is not None and event.member is not None:
        who = format_html("<span>by <strong>{}</strong></span>", event.member.get_username())
    elif event.actor:
        who = format_html('<span>by <strong title="Hub user">{}</strong></span>', Truncator(event.actor).chars(32))
    when = timezone.localtime(event.received_at)
    return format_html(
        '<li class="event-item" data-event="{pk}">'
        '<span class="event-icon action-{action}" title="{action_label}">'
        '<svg width="20" height="20" aria-hidden="true"><use href="#icon-outline-{icon}"></use></svg></span>'
        '<p class="event-line">{repo} <span class="event-what">{summary}</span></p>'
        '<p class="event-meta">{who}{kind}<time datetime="{iso}" title="{exact} UTC">{relative}</time>'
        '<span class="event-source source-{source}">{source_label}</span>'
        '<a href="{detail}">Details<span class="visually-hidden"> of event {pk}</span></a></p></li>',
        pk=event.pk,
        action=event.action,
        action_label=event.get_action_display(),
        icon=event.icon,
        repo=repo,
        summary=event.summary,
        who=who,
        kind=format_html("<span>{}</span>", event.repo_type) if event.repo_type else "",
        iso=when.isoformat(),
        exact=when.strftime("%Y-%m-%d %H:%M:%S"),
        relative=naturaltime(event.received_at),
        source=event.source,
        source_label=event.source_label,
        detail=link("activity-event", event.pk, samples=(PK_SAMPLE,)),
    )
