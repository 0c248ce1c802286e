"""One way to show a Hub failure: the `_hub_error.html` region, or a whole page when nothing else can show.

Errors are hubdash's Hub errors (`hubdash.hub.errors`), read by their `kind`, `message`, `status` and
`retry_after`, so that core needs nothing above Django.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

TITLES = {
    "not_found": "Not found on the Hub",
    "no_access": "No access",
    "bad_token": "The Hub rejected your token",
    "no_token": "Connect your Hub token",
    "rate_limited": "The Hub is rate-limiting hubdash",
    "invalid": "The Hub refused the request",
    "unavailable": "The Hub is not answering",
}


class ShowableError(Protocol):
    kind: str
    message: str
    status: int


def error_region(request: HttpRequest, error: ShowableError) -> dict[str, Any]:
    """What `_hub_error.html` needs: the error, its title, and where "Retry" goes (this very URL)."""
    return {
        "error": error,
        "title": TITLES.get(error.kind, "The Hub could not answer"),
        "retry_url": request.get_full_path(),
        "retry_after": getattr(error, "retry_after", None),
    }


def hub_error_page(request: HttpRequest, error: ShowableError, what: str = "", hub_link: str = "") -> HttpResponse:
    """A whole page for a failure that leaves nothing to show (a missing repo is a 404 page).

    `hub_link` is the thing's page on the Hub, where access to a gated repo is asked for.
    """
    region = error_region(request, error)
    context = {**region, "region": region, "what": what, "hub_link": hub_link}
    return render(request, "hub_error_page.html", context, status=error.status)
