"""The team's admin rule, in one place: every app (accounts, bulk, jobs, usage...) asks it here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from hubdash.core.http import AuthedRequest

P = ParamSpec("P")


def is_admin(user: User | AnonymousUser) -> bool:
    """An admin: a signed-in, active superuser."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def admins_only(
    view: Callable[Concatenate[AuthedRequest, P], HttpResponse],
) -> Callable[Concatenate[AuthedRequest, P], HttpResponse]:
    """Only admins get past this (403 else); typed so that mypy still checks the view under it."""

    @wraps(view)
    def wrapper(request: AuthedRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied("Only admins may do this.")
        return view(request, *args, **kwargs)

    return wrapper
