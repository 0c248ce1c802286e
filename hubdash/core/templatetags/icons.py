"""heroicons, memoised: `{% load icons %}` then the same tags as the heroicons package.

The package parses and re-serialises the SVG on every use; a listing shows a hundred-odd icons made
of the same few, and that was 40 % of its render time.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from xml.etree import ElementTree

from django import template
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
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
        svg = render(name, size=size, **dict(attrs))
    assert isinstance(svg, SafeString)  # the package's own markup, which it marks safe
    return svg


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


_PAINT = ("fill", "stroke", "stroke-width")


@lru_cache(maxsize=256)
def _symbol(style: str, name: str) -> SafeString:
    """The icon as a `<symbol>`: its shapes, painted as the icon paints them."""
    svg = ElementTree.fromstring(_icon(style, name, None, ()))  # noqa: S314 (the package's own SVG, parsed as it does)
    paint = {key: value for key, value in svg.attrib.items() if key in _PAINT}
    shapes = format_html_join("", "<{}{}></{}>", ((shape.tag, flatatt(shape.attrib), shape.tag) for shape in svg))
    return format_html(
        '<symbol id="icon-{}-{}" viewBox="{}"><g{}>{}</g></symbol>',
        style,
        name,
        svg.attrib.get("viewBox", "0 0 24 24"),
        flatatt(paint),
        shapes,
    )


@register.simple_tag
def icon_sprite(*icons: str) -> SafeString:
    """Icons as one hidden sprite ("micro:clock", "outline:cube"), so that repeated rows can draw them
    with a plain `<svg><use href="#icon-micro-clock"></use></svg>` instead of a tag call each."""
    symbols = [(_symbol(*str(icon).split(":", 1)),) for icon in icons if ":" in str(icon)]
    return format_html(
        '<svg class="icon-sprite" aria-hidden="true" hidden>{}</svg>', format_html_join("", "{}", symbols)
    )
