"""The charts' SVG keeps only what pygal draws for them: whatever reaches the drawing (a repo name, a title, a
node pygal adds), no script, link, event handler or foreign content survives into the page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from hubdash.usage import charts

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
HOSTILE = '"><a href="javascript:alert(1)" onload="alert(2)"><script>alert(3)</script>'


def _everything(svg: str) -> tuple[set[str], set[str]]:
    root = ET.fromstring(svg)  # noqa: S314 - the test's own chart
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    attributes = {name.rsplit("}", 1)[-1] for el in root.iter() for name in el.attrib}
    return tags, attributes


def test_the_filter_drops_links_handlers_and_foreign_elements_whatever_the_tree_holds():
    root = ET.fromstring(  # noqa: S314 - the test's own markup
        f'<svg xmlns="{SVG}" xmlns:xlink="{XLINK}" onload="alert(1)" viewBox="0 0 1 1">'
        f'<g class="x" onclick="alert(2)" style="fill:red"><a href="javascript:alert(3)"><text>t</text></a>'
        f'<use xlink:href="#x"/><image xlink:href="https://evil.example/x.png"/>'
        f'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
        f'<animate attributeName="href" to="javascript:alert(4)"/>'
        f'<text x="1" y="2" onmouseover="alert(5)">kept</text></g></svg>'
    )
    svg = ET.tostring(charts._strip(root), encoding="unicode")
    tags, attributes = _everything(svg)
    assert tags == {"svg", "g", "text"}
    assert attributes == {"viewBox", "class", "x", "y"}
    assert "kept" in svg and "javascript" not in svg and "evil" not in svg and "alert" not in svg


def test_a_hostile_repo_name_and_title_stay_text_in_the_drawn_chart():
    days = [date(2026, 11, 1) + timedelta(days=n) for n in range(10)]
    svg = str(charts.line_chart(HOSTILE, days, [(HOSTILE, [1.0] * 10), ("b", [2.0] * 10)], marks=[days[2]]))
    tags, attributes = _everything(svg)
    assert tags <= charts.TAGS
    assert attributes <= charts.ATTRIBUTES | {"xmlns"}
    assert not any(name.startswith("on") or "href" in name for name in attributes)
    assert "<script" not in svg and "<a " not in svg
    assert 'aria-label="&quot;&gt;&lt;a href=&quot;javascript:alert(1)&quot;' in svg
