"""Repo cards: the README's markdown without its YAML header, rendered and sanitised as all markdown from the
Hub is (hubdash.core.markdown), for an element marked `hx-disable`."""

from __future__ import annotations

import re

from hubdash.core.markdown import render_markdown

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*(?:\n|\Z)", re.DOTALL)


def strip_front_matter(markdown: str) -> str:
    """The card's YAML header is shown as a table of metadata, not as text."""
    return _FRONT_MATTER.sub("", markdown, count=1)


def render_card(markdown: str, base_url: str) -> str:
    """Safe HTML for a card. Relative links and images point at the repo's files on the Hub (`base_url`).
    One heading level down: the page's own <h1> is the repo's name, the card's title sits below it."""
    return render_markdown(strip_front_matter(markdown), base_url, demote=1)
