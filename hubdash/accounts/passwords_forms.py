"""Setting a password: your own (knowing the old one) or through a reset link an admin made."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from .forms import PASSWORD_MAX_LENGTH
from .throttle import password_confirmed


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """Django's form, with the rules' complaints under the new password (not its confirmation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        self.fields["new_password1"].widget.attrs["autofocus"] = True

    @sensitive_variables("password")
    def validate_password_for_user(self, user: Any, password_field_name: str = "new_password1") -> None:  # noqa: S107 (a field name)
        super().validate_password_for_user(user, "new_password1")


class ChangePasswordForm(NewPasswordForm, PasswordChangeForm):
    """The old password is checked like a sign-in: wrong guesses count towards the same lock-out."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        self.fields["old_password"].label = "Current password"
        self.fields["new_password1"].widget.attrs.pop("autofocus", None)

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, old_password):
            raise forms.ValidationError("That is not your current password.", code="password_incorrect")
        return old_password
