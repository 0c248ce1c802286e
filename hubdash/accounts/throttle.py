"""Sign-in throttling on top of django-axes, and password re-checks that go through it.

axes locks a username from one address after a few failures (HUBDASH_LOGIN_FAILURE_LIMIT). That alone
lets one address try a few passwords for every username there is, so this handler also pauses an address
after many failures across all usernames (HUBDASH_LOGIN_ADDRESS_FAILURE_LIMIT), counted from axes' own
rows in the database: every worker sees the same count, and the rows expire with axes' cool-off. A
successful sign-in clears that person's failures, so one colleague's typos do not lock an office out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_variables

# axes keeps usernames in a 255-character column; anything longer would fail there (PostgreSQL refuses it).
_USERNAME_COLUMN = 255


class AddressLimitedHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes has no type hints
    """axes' database handler, plus a limit on failures from one address whatever the username."""

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or address_is_paused(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and address_is_paused(request):
            # The same flag axes sets for a locked username: AxesMiddleware answers with the locked-out page.
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]


def address_is_paused(request: HttpRequest) -> bool:
    """Whether the request's address has used up its failures within the cool-off."""
    failures = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return (failures or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


def bounded_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username axes records (AXES_USERNAME_CALLABLE), cut to its column whatever a form let through."""
    field = axes_settings.AXES_USERNAME_FORM_FIELD
    username = credentials.get(field) if credentials else request.POST.get(field)
    return username[:_USERNAME_COLUMN] if isinstance(username, str) else None


@sensitive_variables("password")
def password_confirmed(request: HttpRequest, password: str) -> bool:
    """Whether `password` is the signed-in person's, checked like a sign-in: failures count towards the
    same locks, and while a lock holds even the right password is refused (AxesMiddleware then answers 429).
    """
    user: AbstractBaseUser | AnonymousUser = request.user
    if not user.is_authenticated:
        return False
    confirmed = authenticate(request, username=user.get_username(), password=password)
    if confirmed is None or confirmed.pk != user.pk:
        return False
    # As a successful sign-in does (AXES_RESET_ON_SUCCESS): earlier typos no longer count.
    AxesProxyHandler.get_implementation().reset_user_attempts(request, get_credentials(user.get_username()))
    return True


def _duration(request: HttpRequest) -> str:
    """The cool-off in words ("15 minutes", "1 hour"): how long a pause lasts after the last failure."""
    minutes = max(1, round((get_cool_off(request) or timedelta(0)).total_seconds() / 60))
    if minutes % 60 == 0:
        return f"{minutes // 60} hour{pluralize(minutes // 60)}"
    return f"{minutes} minute{pluralize(minutes)}"


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The page for a paused sign-in or re-check (AXES_LOCKOUT_CALLABLE): 429, and never stored, since it
    carries the account menu of whoever is signed in."""
    response = render(request, "registration/locked_out.html", {"paused_for": _duration(request)}, status=429)
    add_never_cache_headers(response)
    return response
