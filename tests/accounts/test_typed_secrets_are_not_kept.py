"""What someone types into a password field never lands in the database, even when the form fails: axes
keeps each failed sign-in's form (read by every admin in the Django admin), so every password-like field of
every form is masked there, and rows stored before are cleaned by a migration."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django import apps, forms
from django.db import connection
from django.test import Client
from django.urls import reverse

from hubdash import hub
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_password_hashing"), pytest.mark.backend]

TYPED = ["typed-secret-one-{}", "typed-secret-two-{}", "typed-secret-three-{}"]


def stored_anywhere(value: str) -> list[str]:
    """Every table and row in which `value` appears, whatever the column."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # table names from the database's own catalogue
            found += [f"{table}: {row}" for row in cursor.fetchall() if value in repr(row)]
    return found


def typed(case: str) -> list[str]:
    return [pattern.format(case) for pattern in TYPED]


def _sign_in(client: Client, one: str, two: str, three: str) -> Any:
    return client.post(reverse("login"), {"username": "bob", "password": one})


def _password_change(client: Client, one: str, two: str, three: str) -> Any:
    data = {"old_password": one, "new_password1": two, "new_password2": two}
    return client.post(reverse("password-change"), data)


def _password_change_mismatch(client: Client, one: str, two: str, three: str) -> Any:
    data = {"old_password": PASSWORD, "new_password1": two, "new_password2": three}
    return client.post(reverse("password-change"), data)


def _token_replace(client: Client, one: str, two: str, three: str) -> Any:
    return client.post(reverse("token"), {"token": "hf_" + two.replace("-", "_"), "password": one})


def _token_remove(client: Client, one: str, two: str, three: str) -> Any:
    return client.post(reverse("token-remove"), {"password": one})


def _repo_delete(client: Client, one: str, two: str, three: str) -> Any:
    return client.post("/models/acme/bert-tiny/settings/delete/", {"confirm_id": "acme/bert-tiny", "password": one})


def _team_add(client: Client, one: str, two: str, three: str) -> Any:
    return client.post(reverse("team-add"), {"username": "dana", "role": "member", "password1": one, "password2": two})


def _invitation_join(client: Client, one: str, two: str, three: str) -> Any:
    made = client.post(reverse("team-invite"), {"role": "member", "valid_days": "7"})
    link = made.content.decode().split('id="invitation-link" readonly value="', 1)[1].split('"', 1)[0]
    invited = Client()
    invited.get(link)
    return invited.post(reverse("invitation-accept"), {"username": "dana", "password1": one, "password2": two})


def _reset_link(client: Client, one: str, two: str, three: str) -> Any:
    from django.contrib.auth.models import User

    made = client.post(reverse("team-password-reset", args=[User.objects.get(username="bob").pk]))
    link = made.content.decode().split('id="reset-link" readonly value="', 1)[1].split('"', 1)[0]
    invited = Client()
    form_page = invited.get(link)["Location"]
    return invited.post(form_page, {"new_password1": one, "new_password2": two})


FORMS: dict[str, tuple[Callable[..., Any], str]] = {
    # name: (how the form fails, who submits it)
    "sign-in": (_sign_in, "nobody"),
    "password change, wrong current password": (_password_change, "bob"),
    "password change, new passwords differ": (_password_change_mismatch, "bob"),
    "token replace, wrong password": (_token_replace, "alice"),
    "token remove, wrong password": (_token_remove, "alice"),
    "repo delete, wrong password": (_repo_delete, "alice"),
    "team add, passwords differ": (_team_add, "alice"),
    "joining by invitation, passwords differ": (_invitation_join, "alice"),
    "reset link, passwords differ": (_reset_link, "alice"),
}


@pytest.mark.parametrize("case", FORMS)
def test_typed_passwords_are_nowhere_in_the_database_after_a_form_fails(case, hub_world, alice, bob, settings):
    fail, who = FORMS[case]
    hub.connect_token(alice, ALICE_TOKEN)
    hub_world.add_repo("acme/bert-tiny", private=True)
    client = Client()
    if who != "nobody":
        client.post(reverse("login"), {"username": who, "password": PASSWORD})
    secrets = typed(case.split(",")[0].replace(" ", "-"))
    response = fail(client, *secrets)
    assert response.status_code in (200, 400, 429), response.status_code  # the form failed: its page again
    if case.startswith(("sign-in", "password change, wrong", "token", "repo")):
        assert AccessAttempt.objects.exists()  # axes did keep the failed form: masked
    for secret in secrets:
        assert stored_anywhere(secret) == [], f"{case}: typed {secret!r} is in the database"


def _forms_of(module_names: list[str]) -> list[type[forms.BaseForm]]:
    for name in module_names:
        importlib.import_module(name)
    seen, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("hubdash."):
                seen.append(sub)
    return seen


def test_every_password_field_of_every_form_is_masked_by_axes(settings):
    modules = [f"hubdash.{app}" for app in ("accounts.forms", "accounts.passwords_forms", "team.team_forms")]
    modules.append("hubdash.repos.manage_forms")
    secret_fields = {
        name
        for form in _forms_of(modules)
        for name, field in form.base_fields.items()
        if isinstance(field.widget, forms.PasswordInput)
    }
    assert {"password", "token", "old_password", "new_password1", "password1"} <= secret_fields
    assert secret_fields <= set(settings.AXES_SENSITIVE_PARAMETERS)


def test_passwords_stored_in_clear_before_are_masked_by_the_migration():
    migration = importlib.import_module("hubdash.accounts.migrations.0005_mask_passwords_in_axes_attempts")
    kept_before = "\n".join(
        [
            "csrfmiddlewaretoken=abc",
            "old_password=typed-old-secret",
            "new_password1=typed-new-secret",
            "second line of typed-new-secret",
            "new_password2=typed-new-secret",
            "username=bob",
        ]
    )
    AccessAttempt.objects.create(
        user_agent="test",
        ip_address="127.0.0.1",
        username="bob",
        get_data="",
        post_data=kept_before,
        http_accept="*/*",
        path_info="/account/password/",
        failures_since_start=1,
    )
    migration.mask_stored_attempts(apps.apps, None)
    assert stored_anywhere("typed-old-secret") == [] and stored_anywhere("typed-new-secret") == []
    post_data = AccessAttempt.objects.get().post_data
    assert "username=bob" in post_data and "csrfmiddlewaretoken=abc" in post_data
    assert "old_password=********************" in post_data
