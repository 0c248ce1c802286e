"""heroicons, memoised: `{% load icons %}` then the same tags as the heroicons package.

The package parses and re-serialises the SVG on every use; a listing shows a hundred-odd icons made
of the same few, and that was 40 % of its render time.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from django import template
from django.utils.safestring import SafeString, mark_safe
from heroicons.templatetags import heroicons as upstream

register = template.Library()
_STYLES = {
    "micro": (upstream.heroicon_micro, 16),
    "mini": (upstream.heroicon_mini, 20),
    "outline": (upstream.heroicon_outline, 24),
    "solid": (upstream.heroicon_solid, 24),
}


_reading = threading.Lock()


@lru_cache(maxsize=2048)
def _icon(style: str, name: str, size: int | None, attrs: tuple[tuple[str, object], ...]) -> SafeString:
    render, _ = _STYLES[style]
    # The package reads an icon from its zip on first use (28 ms): threads that ask at once read it once.
    with _reading:
        return mark_safe(render(name, size=size, **dict(attrs)))  # noqa: S308 - the package's own SVG markup


def _attrs(attrs: dict[str, object]) -> tuple[tuple[str, object], ...]:
    # Template strings arrive as SafeString; plain str keeps the cache key honest.
    return tuple(sorted((key, value + "" if isinstance(value, str) else value) for key, value in attrs.items()))


@register.simple_tag
def heroicon_micro(name: str, *, size: int | None = 16, **attrs: object) -> SafeString:
    return _icon("micro", str(name), size, _attrs(attrs))


@register.simple_tag
def heroicon_mini(name: str, *, size: int | None = 20, **attrs: object) -> SafeString:
    return _icon("mini", str(name), size, _attrs(attrs))


@register.simple_tag
def heroicon_outline(name: str, *, size: int | None = 24, **attrs: object) -> SafeString:
    return _icon("outline", str(name), size, _attrs(attrs))


@register.simple_tag
def heroicon_solid(name: str, *, size: int | None = 24, **attrs: object) -> SafeString:
    return _icon("solid", str(name), size, _attrs(attrs))


_SVG = re.compile(r"<svg([^>]*)>(.*)</svg>", re.DOTALL)
_PAINT = re.compile(r'\s(viewBox|fill|stroke|stroke-width)="([^"]*)"')


@lru_cache(maxsize=256)
def _symbol(style: str, name: str) -> str:
    match = _SVG.search(_icon(style, name, None, ()))
    if match is None:
        return ""
    paint = dict(_PAINT.findall(match.group(1)))
    view_box = paint.pop("viewBox", "0 0 24 24")
    group = "".join(f' {key}="{value}"' for key, value in paint.items())
    return f'<symbol id="icon-{style}-{name}" viewBox="{view_box}"><g{group}>{match.group(2).strip()}</g></symbol>'


@register.simple_tag
def icon_sprite(*icons: str) -> SafeString:
    """Icons as one hidden sprite ("micro:clock", "outline:cube"), so that repeated rows can draw them
    with a plain `<svg><use href="#icon-micro-clock"></use></svg>` instead of a tag call each."""
    symbols = "".join(_symbol(*str(icon).split(":", 1)) for icon in icons if ":" in str(icon))
    return mark_safe(f'<svg class="icon-sprite" aria-hidden="true" hidden>{symbols}</svg>')  # noqa: S308
