"""Charts drawn on the server as SVG with pygal, inlined in the page: no script, no style element, no external
resource (pygal's own <style> and <script> are taken out; static/css/usage.css styles its classes, light and
dark), so the charts keep to the site's CSP and read without JavaScript. Each chart has a table of the same
figures beside it (the template's), and the SVG is one image with a name for screen readers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import pygal
from markupsafe import Markup

STRIPPED = ("style", "script")
DRAWING = f"pygal-{pygal.__version__}-3"  # in the cache key of drawn charts: a new drawing is drawn anew
MARK = "▲"


def _strip(root: Any) -> Any:
    """pygal's xml filter: drop every <style> and <script>, and make the SVG one named image."""
    for parent in list(root.iter()):
        parent.attrib.pop("style", None)  # an inline style attribute is refused by the CSP too
        if parent.get("id") == "":
            parent.attrib.pop("id")
        if (parent.text or "").startswith(MARK):  # an event's day on the x axis: drawn apart (usage.css)
            parent.set("class", f"{parent.get('class') or ''} event".strip())
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag.rsplit("}", 1)[-1] in STRIPPED or "tooltip-overlay" in (child.get("class") or ""):
                parent.remove(child)
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
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(words)}" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - pygal escapes the labels; the names given are escaped by it too


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
