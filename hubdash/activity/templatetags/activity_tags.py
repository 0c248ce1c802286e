"""The feed's display helpers: `{% load activity_tags %}`."""

from __future__ import annotations

import json

from django import template
from django.utils.safestring import SafeString

from hubdash.core.templatetags.icons import icon_sprite

from ..models import ACTIONS

register = template.Library()


@register.simple_tag
def activity_icons() -> SafeString:
    """One hidden sprite of every event icon, drawn by rows with `<use href="#icon-outline-…">`."""
    return icon_sprite(*(f"outline:{icon}" for _, icon in ACTIONS.values()))


@register.filter
def pretty_json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
