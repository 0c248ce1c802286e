"""Charts drawn on the server as SVG with pygal, inlined in the page: no script, no style element, no external
resource, no link (only the elements and attributes pygal draws for them are kept: TAGS and ATTRIBUTES;
static/css/usage.css styles their classes, light and dark), so the charts keep to the site's CSP and read
without JavaScript. Each chart has a table of the same figures beside it (the template's), and the SVG is one
image with a name for screen readers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pygal
from django.utils.html import escape
from markupsafe import Markup

# What pygal draws for these charts, and nothing else: any other element (a <script>, a <style>, an <a>, a
# <foreignObject>, an <image>, <use>...) goes with its content, and any other attribute goes (every on… event
# handler, every href and xlink:href, style: the CSP refuses inline styles too). Checked against the tree,
# so a name or title that reached it in any form cannot bring an element or attribute in.
TAGS = frozenset({"svg", "g", "defs", "path", "rect", "circle", "line", "polyline", "text", "tspan", "title", "desc"})
ATTRIBUTES = frozenset(
    {"class", "id", "d", "x", "y", "cx", "cy", "r", "width", "height", "transform", "viewBox", "points", "x1",
     "y1", "x2", "y2", "text-anchor", "role", "aria-label", "focusable"}
)  # fmt: skip
DRAWING = f"pygal-{pygal.__version__}-4"  # in the cache key of drawn charts: a new drawing is drawn anew
MARK = "▲"


def _local(name: object) -> str:
    return name.rsplit("}", 1)[-1] if isinstance(name, str) else ""


def _strip(root: Any) -> Any:
    """pygal's xml filter: keep only the elements and attributes of the allow-lists (no script, no style, no
    link, no event handler), and mark the events' days on the x axis."""
    for parent in list(root.iter()):
        for name in list(parent.attrib):
            if _local(name) not in ATTRIBUTES:
                parent.attrib.pop(name)
        if parent.get("id") == "":
            parent.attrib.pop("id")
        if (parent.text or "").startswith(MARK):  # an event's day on the x axis: drawn apart (usage.css)
            parent.set("class", f"{parent.get('class') or ''} event".strip())
        for child in list(parent):
            if not isinstance(child.tag, str):
                continue  # a comment
            if _local(child.tag) not in TAGS or "tooltip-overlay" in (child.get("class") or ""):
                parent.remove(child)
    if _local(root.tag) != "svg":
        raise ValueError("pygal drew something other than an SVG")
    return root


def human_bytes(value: float | None) -> str:
    if value is None:
        return ""
    size = float(value)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def human_count(value: float | None) -> str:
    if value is None:
        return ""
    number = float(value)
    if abs(number) >= 1_000_000:
        return f"{number / 1_000_000:.1f}M"
    if abs(number) >= 10_000:
        return f"{number / 1000:.0f}k"
    return f"{number:,.0f}"


def count_ticks(values: Sequence[float]) -> list[int]:
    """Whole-number ticks from 0 (or the lowest value, if negative) past the highest, at most about 6, each
    distinct: steps of 1, 2 or 5 times a power of ten."""
    if not values:  # nothing drawn yet: a plain 0 to 1 rather than pygal's 0 0 0 1 1 1
        return [0, 1]
    low, high = min(0, math.floor(min(values))), max(1, math.ceil(max(values)))
    rough = (high - low) / 5
    step = 1
    if rough > 1:
        magnitude = 10 ** math.floor(math.log10(rough))
        step = next(int(f * magnitude) for f in (1, 2, 5, 10) if f * magnitude >= rough)
    first = (low // step) * step
    return list(range(first, high + step, step))


def line_chart(
    title: str,
    days: Sequence[date],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    unit: str = "count",
    marks: Sequence[date] = (),
    dots: bool = False,
    no_data: str = "No snapshot yet",
) -> Markup:
    """An inline SVG line chart over `days`: a None is a gap in the line. `marks` are days named on the axis
    (the feed's events): their labels are the axis's major ones, ▲-marked."""
    every = max(1, len(days) // 4)
    marked = set(marks)
    labels = [f"{MARK} {d:%b %-d}" if d in marked else f"{d:%b %-d}" for d in days]
    majors = [label for n, label in enumerate(labels) if n % every == 0 or days[n] in marked]
    chart = pygal.Line(
        title=None,
        width=400,
        height=230,
        explicit_size=False,
        disable_xml_declaration=True,
        js=[],
        css=[],
        no_prefix=True,
        allow_interruptions=True,
        show_dots=dots or len(days) <= 31,
        dots_size=2.5,
        show_legend=len(lines) > 1,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        x_labels=labels,
        x_labels_major=majors,
        show_minor_x_labels=False,
        truncate_label=-1,
        truncate_legend=-1,
        x_label_rotation=0,
        margin=6,
        margin_right=40,  # the last day's label (an event's ▲ too) is centred on the right edge
        spacing=8,
        print_values=False,
        include_x_axis=True,
        max_scale=6,
        value_formatter=human_bytes if unit == "bytes" else human_count,
        no_data_text=no_data,
    )
    if unit == "count":  # whole numbers on the axis, each once (not 0 0 0 1 1 1 for a small range)
        chart.config.y_labels = count_ticks([v for _, values in lines for v in values if v is not None])
    chart.add_xml_filter(_strip)
    for name, values in lines:
        chart.add(name, list(values))
    svg = chart.render(is_unicode=True)
    words = f"{title}: a line chart; the same figures are in the table below it"
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(words)}" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - pygal escapes the labels; the names given are escaped by it too
