"""Whole pages kept for the person who asked, their CSRF token filled in at each answer.

A warm listing is the same Hub answer drawn into the same markup as a moment ago: keeping the rendered
page saves its shell and form, most of such a page's CPU. The key holds everything the page shows (the
caller's parts: the person, what the shell says of them, the query); the CSRF token is per browser, not
per person, so pages are kept with a mark in its place and each answer gets its own. Pages with one-time
messages to show are neither served from the cache nor kept.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

# Letters and dashes only: escaping leaves it as it is, in a form field and in the hx-headers JSON alike.
CSRF_MARK = "csrf-token-to-fill-in"


def page_key(request: HttpRequest, *parts: object) -> str | None:
    """The key of this page for `parts`, or None when it must be drawn for this answer only."""
    if len(messages.get_messages(request)):  # counts without marking them shown
        return None
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"page:{digest}"


def cached_page(request: HttpRequest, key: str | None) -> HttpResponse | None:
    html = cache.get(key) if key else None
    return _answer(request, html) if isinstance(html, str) else None


def render_and_keep(
    request: HttpRequest, key: str | None, template: str, context: dict[str, Any], status: int, seconds: int
) -> HttpResponse:
    """Render the page with the mark for its CSRF token, keep it when it is a success, answer it filled in."""
    html = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request)
    if key is not None and status == 200:
        cache.set(key, html, seconds)
    return _answer(request, html, status)


def _answer(request: HttpRequest, html: str, status: int = 200) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_MARK, get_token(request)), status=status)
