"""The feed's display helpers: `{% load activity_tags %}`."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString
from markupsafe import Markup

from hubdash.core.logging import redact
from hubdash.core.templatetags.icons import icon_sprite
from hubdash.lists import render_list

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
def event_lines(events: Iterable[Event]) -> Markup:
    """The events as the feed's list items (templates/jinja2/activity/events.html)."""
    return render_list("activity/events.html", "lines", events)


@register.simple_tag
def event_item(event: Event) -> Markup:
    """One event as the feed draws it."""
    return render_list("activity/events.html", "line", event)
