"""Markup built in Python, for the long lists whose rows skip the template engine (repo lines, feed lines,
Team rows): one escape per value, the same as Django's autoescaping, and nothing else to remember."""

from __future__ import annotations

from html import escape


def text(value: object) -> str:
    """`value` as HTML text or attribute value: `& < > " '` escaped, as `{{ value }}` would be."""
    return escape(str(value))
