"""Who may do what in hubdash: admins manage the team, members use their own tokens."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def admin_required(view):  # noqa: ANN001, ANN201
    @wraps(view)
    def wrapper(request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        if not is_admin(request.user):
            raise PermissionDenied("Only admins may do this.")
        return view(request, *args, **kwargs)

    return wrapper
