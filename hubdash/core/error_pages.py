"""Error pages and error reports.

The pages are never stored by a browser or proxy: they show who is signed in (the account menu) and what
was denied, like the pages they stand in for, which are all `never_cache`. Error reports hide secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import csrf, defaults
from django.views.debug import SafeExceptionReporterFilter

from .logging import redact


def _never_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


bad_request = _never_cached(defaults.bad_request)


def _back(request: HttpRequest) -> str:
    """The page the person came from on this site, if any (not this very page)."""
    referer = request.headers.get("Referer", "")
    came_from = url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure())
    return referer if referer and came_from and referer != request.build_absolute_uri() else ""


@_never_cached
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 403 page, with a way back: to the page the person came from on this site, else home."""
    return render(request, "403.html", {"exception": str(exception), "back": _back(request)}, status=403)


def method_not_allowed(request: HttpRequest, refused: HttpResponse) -> HttpResponse:
    """A page for the empty 405 of `require_POST` and friends: a form's address opened as a page (reloaded
    after submitting, typed, bookmarked) says what happened and leads back, instead of a blank page."""
    page = render(request, "405.html", {"back": _back(request)}, status=405)
    page["Allow"] = refused["Allow"]
    add_never_cache_headers(page)
    return page


page_not_found = _never_cached(defaults.page_not_found)
server_error = _never_cached(defaults.server_error)
csrf_failure = _never_cached(csrf.csrf_failure)


class SecretsHiddenReporterFilter(SafeExceptionReporterFilter):
    """What error reports show (the development debug page included): Django hides the variables and POST
    fields marked `sensitive_variables` / `sensitive_post_parameters` only when DEBUG is off; hubdash hides
    them always, and any other value that looks like a token too."""

    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._hidden_if_secret(value)) for name, value in variables]

    def _hidden_if_secret(self, value: Any) -> Any:
        if value == self.cleansed_substitute:
            return value
        try:
            shown = repr(value)
        except Exception:  # a broken __repr__ is the debug page's business, not ours
            return value
        return self.cleansed_substitute if redact(shown) != shown else value
