"""Django's password backend, loading each person's token row with them.

Nearly every page needs both the signed-in person and their token (the account menu, every Hub call), and
every page loads the person first. One fixed statement joins the two; its columns are converted as the
ORM converts them (the compiler's own converters) and the rows built with `Model.from_db`, as querysets
build theirs. `select_related("hub_token").get(pk=...)` compiled its query anew on every request (about
1 ms of CPU a page), and two `raw()` statements still cost 0.6 ms; this is a fifth of that. The row, or
its absence, is cached on the user object, so it is not asked again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import backends, get_user_model
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Plan:
    sql: str
    user_fields: tuple[str, ...]  # attribute names, in column order
    token_fields: tuple[str, ...]
    token_pk: int  # where the token's primary key is among its columns: NULL when the join found no row
    compiler: SQLCompiler
    converters: dict[int, Any]

    def rows(self, row: tuple[Any, ...]) -> tuple[list[Any], list[Any]]:
        values = next(iter(self.compiler.apply_converters([row], self.converters))) if self.converters else list(row)
        split = len(self.user_fields)
        return values[:split], values[split:]


# Kept on the connection it was made for (connections are per thread, and the compiler and its converters
# are bound to one): it lives and goes with it.
_PLAN = "_hubdash_person_plan"


def _plan(connection: BaseDatabaseWrapper) -> _Plan:
    plan: _Plan | None = getattr(connection, _PLAN, None)
    if plan is None:
        from .models import HubToken  # here: this module is imported while the apps load

        user_model = get_user_model()
        user_fields: list[Field[Any, Any]] = list(user_model._meta.concrete_fields)
        token_fields: list[Field[Any, Any]] = list(HubToken._meta.concrete_fields)
        quote = connection.ops.quote_name

        def name(field: Field[Any, Any]) -> str:
            return quote(str(field.column))

        user_pk, token_user = name(user_model._meta.pk), name(HubToken._meta.get_field("user"))
        columns = [f"u.{name(f)}" for f in user_fields] + [f"t.{name(f)}" for f in token_fields]
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(user_model._meta.db_table)} u "  # noqa: S608 - names from the models' meta
            f"LEFT JOIN {quote(HubToken._meta.db_table)} t ON t.{token_user} = u.{user_pk} WHERE u.{user_pk} = %s"
        )
        compiler = Query(user_model).get_compiler(connection=connection)
        cols = [field.get_col(field.model._meta.db_table) for field in user_fields + token_fields]
        plan = _Plan(
            sql,
            tuple(f.attname for f in user_fields),
            tuple(f.attname for f in token_fields),
            token_fields.index(HubToken._meta.pk),
            compiler,
            compiler.get_converters(cols),
        )
        setattr(connection, _PLAN, plan)
    return plan


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        from .models import HubToken

        model = get_user_model()
        alias = router.db_for_read(model)
        connection = connections[alias]
        plan = _plan(connection)
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [user_id])
            found = cursor.fetchone()
        if found is None:
            return None
        user_values, token_values = plan.rows(found)
        user = model.from_db(alias, plan.user_fields, user_values)
        if not self.user_can_authenticate(user):
            return None
        token: Model | None = None
        if token_values[plan.token_pk] is not None:
            token = HubToken.from_db(router.db_for_read(HubToken), plan.token_fields, token_values)
        # As select_related would: `user.hub_token` answers from this (or raises DoesNotExist), `token.user` too.
        HubToken._meta.get_field("user").remote_field.set_cached_value(user, token)
        if token is not None:
            HubToken._meta.get_field("user").set_cached_value(token, user)
        return user
