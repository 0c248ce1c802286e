"""Markdown from the Hub (cards, discussion comments) rendered, then sanitised, for an element marked `hx-disable`.

Anyone on the Hub writes it. markdown-it renders it (raw HTML allowed, as the Hub does), nh3 keeps only
harmless tags and attributes (no scripts, event handlers, `hx-*`, forms, frames or `javascript:` links), and
the template wraps the result in `hx-disable` so that htmx ignores any attribute that slipped through.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin

import nh3
from markdown_it import MarkdownIt

_LANGUAGE = re.compile(r"language-[\w+#-]{1,40}")
_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").enable("strikethrough")

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "code": {"class"},
    "ol": {"start"},
}


def render_markdown(markdown: str, base_url: str, demote: int = 1) -> str:
    """Safe HTML for markdown from the Hub. Relative links and images point below `base_url` on the Hub;
    headings go `demote` levels down, below the page's own headings."""
    html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + demote, 6)}", _markdown.render(markdown))

    def absolute(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "class":
            # Only a code block's language: any other class could borrow hubdash's own layout (a fixed panel...).
            languages = [c for c in value.split() if _LANGUAGE.fullmatch(c)]
            return " ".join(languages) or None
        if attribute in ("href", "src"):
            value = value.strip()
            if value.startswith("#"):
                return value
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value):
                value = urljoin(base_url, quote(value, safe="/#?=&%:"))
            return value if value.lower().startswith(("https://", "http://", "mailto:")) else None
        return value

    return nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "form", "template", "svg", "math"},
        attributes=_ATTRIBUTES,
        attribute_filter=absolute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
    )
