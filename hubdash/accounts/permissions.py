"""Who may do what in hubdash: admins manage the team, members use their own tokens."""

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
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def admin_required(
    view: Callable[Concatenate[AuthedRequest, P], HttpResponse],
) -> Callable[Concatenate[AuthedRequest, P], HttpResponse]:
    """Only admins get past this; typed so that mypy still checks the view under it."""

    @wraps(view)
    def wrapper(request: AuthedRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not is_admin(request.user):
            raise PermissionDenied("Only admins may do this.")
        return view(request, *args, **kwargs)

    return wrapper
