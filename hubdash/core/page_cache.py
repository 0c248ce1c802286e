"""Whole pages kept for the person who asked.

A warm listing is the same Hub answer drawn into the same markup as a moment ago: keeping the rendered
page saves its shell and form, most of such a page's CPU. The key holds everything the page shows (the
caller's parts: the person, what the shell says of them, the query). A kept page holds no CSRF token (it
is per browser, not per person) and no posting form: htmx sends the CSRF cookie's token (hubdash.js), and
without JavaScript its buttons open pages that ask, with the token. Pages with one-time messages to show
are neither served from the cache nor kept.

A cold listing draws new results into the same frame (shell, heading, form) as the person's last one:
frames are kept per process with marks where the results and the typed values go (`render_framed`).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

# Where the body goes in a frame. Given to templates as safe, it stays as it is, where every text from the
# Hub or a person is escaped: nothing they write can read as it.
BODY_MARK = SafeString("<page-body>")
FRAMES_MAX = 512
_frames: OrderedDict[str, tuple[str, str]] = OrderedDict()
_frames_lock = threading.Lock()


def page_key(request: HttpRequest, *parts: object) -> str | None:
    """The key of this page for `parts`, or None when it must be drawn for this answer only."""
    if len(messages.get_messages(request)):  # counts without marking them shown
        return None
    digest = hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]
    return f"page:{digest}"


def cached_page(request: HttpRequest, key: str | None) -> HttpResponse | None:
    html = cache.get(key) if key else None
    return _answer(request, html) if isinstance(html, str) else None


def _answer(request: HttpRequest, html: str, status: int = 200) -> HttpResponse:
    get_token(request)  # sets the CSRF cookie, whose token htmx sends (hubdash.js)
    return HttpResponse(html, status=status)


def render_framed(
    request: HttpRequest,
    frame_key: str | None,
    draw_frame: Callable[[], str],
    fills: Mapping[str, str],
    body: str,
    status: int,
    keep: tuple[str | None, int] = (None, 0),
) -> HttpResponse:
    """The page `draw_frame` renders, with `BODY_MARK` where `body` goes and marks that `fills` replaces
    (with already escaped values), the frame kept in this process under `frame_key` (None: draw it for
    this answer only). `keep`: the page's own key and lifetime, to keep the whole page as well."""
    frame = _frames.get(frame_key) if frame_key else None
    if frame is None:
        before, found, after = draw_frame().partition(BODY_MARK)
        if not found:
            raise ValueError("the frame has no place for the page's body")
        frame = (before, after)
        if frame_key:
            with _frames_lock:
                _frames[frame_key] = frame
                if len(_frames) > FRAMES_MAX:
                    _frames.popitem(last=False)
    before, after = frame
    if fills:  # in one pass: a value that happens to read like another mark stays as it was typed
        marks = re.compile("|".join(re.escape(mark) for mark in fills))
        before, after = (marks.sub(lambda m: fills[m.group()], piece) for piece in (before, after))
    html = before + body + after
    page, seconds = keep
    if page is not None and status == 200:
        cache.set(page, html, seconds)
    return _answer(request, html, status)
