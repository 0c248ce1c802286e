"""The feed (`/activity/`): a filtered page, "load more" below it, live updates above it; and each event."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region, hub_error_page

from .feed import newer, page, visible_events
from .forms import FeedForm
from .models import ACTIONS

# One URL answers with the page, the feed region, the next rows or the new ones, depending on these.
FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
POLL_SECONDS = 5


def _wants_fragment(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
def feed(request: AuthedRequest) -> HttpResponse:
    form = FeedForm(request.GET)
    context: dict[str, Any] = {"form": form, "events": [], "poll_seconds": POLL_SECONDS, "icons": _icons()}
    if not form.is_valid():
        context.update(top=None, next_before=None)
        template = "activity/feed.html#body" if _wants_fragment(request) else "activity/feed.html"
        return render(request, template, context, status=400)
    try:
        events = form.filter(visible_events(request.user))
    except hub.HubError as err:
        # Which organisations' events are theirs is not known now: the feed shows what surely is (public
        # events, their own namespace's) and says that their organisations' private events are left out.
        events = form.filter(visible_events(request.user, sure_only=True))
        context["left_out"] = error_region(request, err)
    after = form.cleaned_data["after"]
    if after is not None:
        # The live update: answers fast, and empty (204, nothing swapped) when nothing is new.
        fresh = newer(events, after)
        if not fresh:
            return HttpResponse(status=204)
        context.update(fresh=fresh, top=fresh[0].pk)
        return render(request, "activity/feed.html#poll", context)
    before = form.cleaned_data["before"]
    rows, next_before = page(events, before)
    context.update(events=rows, next_before=next_before, paged=bool(before))
    if _wants_fragment(request) and request.htmx.target == "feed-more":
        return render(request, "activity/feed.html#more", context)
    # Live updates start from the newest event shown (or any, when none is shown yet).
    context["top"] = rows[0].pk if rows else 0
    template = "activity/feed.html#body" if _wants_fragment(request) else "activity/feed.html"
    return render(request, template, context)


@require_safe
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One event with what was delivered, for debugging a webhook (404 to those who may not see it)."""
    try:
        events = visible_events(request.user)
    except hub.HubError as err:
        event = visible_events(request.user, sure_only=True).filter(pk=pk).first()
        if event is None:  # not a 404: whether it is theirs to see is not known now
            return hub_error_page(request, err)
    else:
        event = get_object_or_404(events, pk=pk)
    payload = None
    if event.raw_body is not None:
        raw = bytes(event.raw_body)
        try:
            payload = json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
        except ValueError:
            payload = raw.decode("utf-8", "replace")
    return render(request, "activity/event.html", {"event": event, "payload": payload, "icons": _icons()})


def _icons() -> list[str]:
    return [f"outline:{icon}" for _, icon in ACTIONS.values()]
