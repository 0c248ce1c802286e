"""Forms of the Team page: invitations, joining through one, and the confirmations of team changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.views.decorators.debug import sensitive_variables

from hubdash.accounts.forms import PASSWORD_MAX_LENGTH, ROLE_CHOICES

from .invitations import VALID_FOR_CHOICES


class InviteForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="member")
    valid_days = forms.TypedChoiceField(
        label="Link valid for", choices=VALID_FOR_CHOICES, coerce=int, initial=7, empty_value=None
    )
    note = forms.CharField(
        label="For whom (optional)", max_length=100, required=False, help_text="Only admins see it, on this page."
    )
    email = forms.EmailField(
        label="Email it to (optional)",
        required=False,
        help_text="hubdash sends the link there; you also see it to copy.",
    )

    def __init__(self, *args: Any, can_email: bool = False, **kwargs: Any) -> None:
        # Its own ids: the Team page also shows the add-person form, whose role field would share `id_role`.
        kwargs.setdefault("auto_id", "id_invite_%s")
        super().__init__(*args, **kwargs)
        if not can_email:
            del self.fields["email"]


class JoinForm(BaseUserCreationForm[User]):
    """The invited person's own username and password. Rule breaches go under the password they concern."""

    class Meta(BaseUserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))

    @sensitive_variables("password")
    def validate_password_for_user(self, user: Any, password_field_name: str = "password1") -> None:  # noqa: S107 (a field name)
        super().validate_password_for_user(user, "password1")  # type: ignore[misc]  # not in the stubs


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ActiveForm(forms.Form):
    active = forms.BooleanField(required=False)
