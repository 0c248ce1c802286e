"""First-run redirect, htmx-aware redirects, and a page for a form's address opened as a page."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

# Paths that work before the first account exists.
_FIRST_RUN_OPEN = ("/setup/", "/healthz", "/static/", "/webhooks/")


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
