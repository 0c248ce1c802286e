"""The Django admin shows hubdash's tables and changes none of them.

Changes to people, tokens, invitations and sign-in locks are made on the Team page (and the other pages of
the app), which checks the app's rules (never the last admin demoted, a deactivated person's token
removed) and records each change in the feed. The admin would go around both, so it only looks.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

_M = TypeVar("_M", bound=Model)


class ReadOnlyAdmin(admin.ModelAdmin[_M]):
    """No add, change or delete (a POST to a change form is a 403), and no bulk actions."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _M | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


def read_only(model: type[Model], model_admin: type[admin.ModelAdmin[Any]]) -> None:
    """Register `model` again, with its admin made read-only (for the admins of Django and libraries)."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model_admin.__name__}", (ReadOnlyAdmin, model_admin), {}))
