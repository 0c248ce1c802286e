"""Small display helpers shared by every template: `{% load ui %}`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

register = template.Library()

_UNITS = ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k"))
KIND_ICONS = {"model": "cube", "dataset": "circle-stack", "space": "rocket-launch"}


@register.simple_tag
def current(path: str, prefix: str, exact: bool = False) -> SafeString:
    """` aria-current="page"` when the page at `path` lives under `prefix` ("/" matches only the home page)."""
    here = path == prefix if exact or prefix == "/" else path.startswith(prefix)
    return format_html(' aria-current="{}"', "page") if here else SafeString("")


@register.simple_tag
def main_nav(path: str, admin: bool = False) -> SafeString:
    """The main navigation with the page's section marked (and admins' own entries for an admin); drawn once
    per section per process (every page shows it twice: wide and in the phone menu)."""
    parts = path.split("/")
    first = parts[1] if len(parts) > 2 else ""
    if first == "tags" and len(parts) > 3:  # /tags/models/: the Models section's vocabulary
        return _nav_for(f"/{parts[2]}/", admin)
    section = f"/{first}/" if first else "/"
    return _nav_for(_SECTION_OF.get(section, section), admin)


# Pages that belong to a section without living under its address.
_SECTION_OF = {"/webhooks/": "/activity/", "/metrics/": "/spaces/", "/guardrails/": "/team/"}


@lru_cache(maxsize=64)
def _nav_for(section: str, admin: bool) -> SafeString:
    return render_to_string("_main_nav.html", {"section": section, "admin": admin})


@register.simple_tag
def asset(path: str) -> str:
    """`{% static %}`, remembered: the manifest's hashed names do not change while a process lives."""
    return _asset_url(path)


@lru_cache(maxsize=64)
def _asset_url(path: str) -> str:
    return static(path)


@register.filter
def compact(number: int | float | None) -> str:
    """1234 → 1.2k, 1234567 → 1.2M, as the Hub shows downloads and likes."""
    if number is None:
        return "—"
    value = float(number)
    for size, unit in _UNITS:
        if abs(value) >= size * 0.9995:  # 999,999 reads 1M, not 1000k
            scaled = value / size
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + unit
    return f"{value:.0f}"


@register.filter
def initials(name: str | None) -> str:
    """Up to two letters for an avatar without a picture: "Alice Martin" → "AM", "alice" → "A"."""
    words = [word for word in (name or "").replace("-", " ").replace("_", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.filter
def kind_icon(kind: str) -> str:
    """The icon of a repo kind (model, dataset, Space)."""
    return KIND_ICONS.get(kind, "cube")


@register.filter
def plain(value: Any) -> str:
    """Card metadata and config values as people read them: lists joined, objects as compact JSON."""
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return text if len(text) <= 300 else text[:299] + "…"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None or value == "" else str(value)


@register.filter
def ago(when: datetime | None) -> str:
    """How long ago, in words: "just now" under a minute (not "0 minutes ago"), else "3 hours ago"."""
    if when is None:
        return ""
    if timezone.now() - when < timedelta(minutes=1):
        return "just now"
    return f"{timesince(when)} ago"
