"""Forms for the first admin, sign-in, Hub tokens and the team."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from django_stubs_ext import StrPromise

from .throttle import password_confirmed

ROLE_CHOICES = [("member", "Member"), ("admin", "Admin")]


class PersonForm(BaseUserCreationForm[User]):
    """A new person with a password; `role` decides admin rights."""

    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="member")

    class Meta(BaseUserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # On the Team page this form sits below the list: it must not grab the focus.
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def wants_admin(self) -> bool:
        return self.cleaned_data.get("role") == "admin"

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.is_superuser = user.is_staff = self.wants_admin()
        if commit:
            user.save()
        return user


class FirstAdminForm(PersonForm):
    """The very first account is always an admin: no role to choose."""

    role = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autofocus"] = True  # the only thing on the page

    def wants_admin(self) -> bool:
        return True


# Longer than any password manager makes; bounds the work and what reaches the throttling tables.
PASSWORD_MAX_LENGTH = 1024


class SignInForm(AuthenticationForm):
    error_messages: dict[str, str | StrPromise] = {  # noqa: RUF012 (Django reads it per instance)
        **AuthenticationForm.error_messages,
        "invalid_login": "That username and password do not match an active account.",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm sets the username's max_length after the field is built, which only sizes the
        # input: without validators an over-long username would reach the database through the throttle.
        username = cast(forms.CharField, self.fields["username"])
        username.validators.append(MaxLengthValidator(username.max_length or 150))
        password = self.fields["password"]
        password.validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))
        password.widget.attrs["maxlength"] = PASSWORD_MAX_LENGTH


class PasswordCheckMixin(forms.Form):
    """Re-asks the password before a sensitive change, throttled like sign-in (see throttle.py)."""

    password = forms.CharField(
        label="Your hubdash password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    @sensitive_variables("password")
    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not password_confirmed(self.request, password):
            raise forms.ValidationError("That is not your password.")
        return password


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Hub access token",
        strip=True,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "hf_…"}),
        help_text=(
            "Create one in your Hub settings under Access Tokens. Read is enough to browse; write to manage repos."
        ),
    )


class ReplaceTokenForm(PasswordCheckMixin, TokenForm):
    pass


class RemoveTokenForm(PasswordCheckMixin):
    pass


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class ActiveForm(forms.Form):
    active = forms.BooleanField(required=False)
