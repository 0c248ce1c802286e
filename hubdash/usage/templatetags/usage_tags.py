"""Filters of the usage pages' templates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date
from typing import Any

from django import template

from hubdash.usage.charts import human_bytes

register = template.Library()
DASH = "\u2013"  # an en dash: no figure


@register.filter
def count_or_dash(value: int | None) -> str:
    return DASH if value is None else f"{value:,}"


@register.filter
def bytes_or_dash(value: int | None) -> str:
    return DASH if value is None else human_bytes(value)


@register.filter
def percent_of(value: int | None, whole: int | None) -> str:
    if value is None or not whole:
        return DASH
    share = 100 * value / whole
    if 0 < share < 1:
        return "<1 %"
    if share >= 1000:  # far over: a multiple reads better than "179813 %" (and hints at a quota typed too small)
        return f"{value / whole:,.0f} times the quota"
    return f"{share:.0f} %"


@register.filter
def zip_points(days: Iterable[date], points: Iterable[Any]) -> list[tuple[date, Any]]:
    return list(zip(days, points, strict=True))


@register.filter
def repo_name(repo_id: str) -> str:
    return repo_id.split("/", 1)[-1]


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def by_day(events: Iterable[Any]) -> dict[date, list[Any]]:
    found: dict[date, list[Any]] = {}
    for event in events:
        found.setdefault(event.when.astimezone(UTC).date(), []).append(event)
    return found


@register.filter
def get_day(mapping: Mapping[date, list[Any]], day: date) -> list[Any]:
    return mapping.get(day, [])


VISIBILITY_WORDS = {"public": "public", "private": "private", "protected": "protected"}


@register.filter
def visibility_words(value: str | None) -> str:
    """A snapshot's visibility in words; "" (a Space whose namespace's settings list was not readable) is said so."""
    return VISIBILITY_WORDS.get(value or "", "public or protected (not known)")
