"""Subresource refusal, first-run redirect, htmx-aware redirects, and a page for a form's address opened as a page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

# Paths that work before the first account exists.
_FIRST_RUN_OPEN = ("/setup/", "/healthz", "/static/", "/webhooks/")


# What a browser says it fetches for <img>, <audio>, <video>, <script>, <link rel=stylesheet>, fonts and plugins.
_SUBRESOURCES = frozenset({"audio", "embed", "font", "image", "object", "script", "style", "track", "video"})


class SubresourceRefusalMiddleware:
    """hubdash's pages are never an image, a script or a stylesheet of another page: markdown from the Hub (a card,
    a comment) may point an <img> at hubdash's own address, which the viewer's browser would fetch with their
    session, spending their Hub quota or downloading with their token. Browsers say what they fetch in
    `Sec-Fetch-Dest`; such requests are refused. Static files are served before this, by WhiteNoise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.headers.get("Sec-Fetch-Dest", "").lower() in _SUBRESOURCES:
            return HttpResponseForbidden("hubdash's pages are not served as images, scripts or styles.")
        return self.get_response(request)


class FirstRunMiddleware:
    """On a fresh install with no users, every page leads to creating the first admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A signed-in visitor proves that accounts exist: only anonymous requests cost a query.
        if (
            not request.path.startswith(_FIRST_RUN_OPEN)
            and not request.user.is_authenticated
            and not get_user_model().objects.exists()
        ):
            return redirect("setup")
        return self.get_response(request)


class HtmxRedirectMiddleware:
    """A redirect answered to an htmx request would be swapped into the page; make it a real one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "htmx", False) and response.status_code in (301, 302, 303) and "Location" in response:
            return HttpResponseClientRedirect(response["Location"])
        return response


class MethodNotAllowedPageMiddleware:
    """Views refuse a method with an empty 405 (`require_POST`): a person who opens such an address (the
    address left in the bar after a form without JavaScript, then reloaded) gets a page saying so."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            from .error_pages import method_not_allowed

            return method_not_allowed(request, response)
        return response
