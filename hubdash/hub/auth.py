"""Django's password backend, loading each person's token row with them.

Nearly every page needs both the signed-in person and their token (the account menu, every Hub call), and
every page loads the person first. Two fixed statements (`raw()`, which still converts each column as the
ORM does) rather than `select_related("hub_token").get(pk=...)`, whose query was compiled anew on every
request: about 1 ms of CPU a page, against under half that now. The row, or its absence, is cached on the
user object, so it is not asked again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.contrib.auth import backends, get_user_model
from django.db import connections, router
from django.db.models import Model


@lru_cache(maxsize=16)
def _by_column(model: type[Model], column: str, alias: str) -> str:
    """SELECT every concrete column of `model` WHERE `column` = %s, in the database's quoting."""
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in model._meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s"  # noqa: S608 - names from the model's meta


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from .models import HubToken  # here: this module is imported while the apps load

        model = get_user_model()
        alias = router.db_for_read(model)
        user = next(iter(model._default_manager.raw(_by_column(model, model._meta.pk.column, alias), [user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        token_sql = _by_column(HubToken, HubToken._meta.get_field("user").column, router.db_for_read(HubToken))
        token = next(iter(HubToken.objects.raw(token_sql, [user.pk])), None)
        # As select_related would: `user.hub_token` answers from this (or raises DoesNotExist), `token.user` too.
        HubToken._meta.get_field("user").remote_field.set_cached_value(user, token)
        if token is not None:
            HubToken._meta.get_field("user").set_cached_value(token, user)
        return user
