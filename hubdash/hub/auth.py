"""Django's password backend, loading each person's token row with them.

Nearly every page needs both the signed-in person and their token (the account menu, every Hub call), and
every page loads the person first: with `select_related`, `user.hub_token` then answers from this one
query, or raises `HubToken.DoesNotExist` without asking the database again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user = model._default_manager.select_related("hub_token").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
