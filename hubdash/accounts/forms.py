"""Forms for the first admin, sign-in and Hub tokens (the Team page adds people with PersonForm too)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.models import User
from django.core.validators import MaxLengthValidator, RegexValidator
from django.forms.renderers import BaseRenderer
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import SafeString
from django.views.decorators.debug import sensitive_variables
from django_stubs_ext import StrPromise

from .oauth_fresh import needs_fresh_sign_in, recently_confirmed
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


class FreshSignInButton(forms.Widget):
    """In place of a password field: a button that confirms with a fresh Hugging Face sign-in.

    It submits the surrounding form's CSRF token to the confirmation view (`formaction`), which sends the
    browser to the Hub and back to `return_to`, where the person submits the form again.
    """

    def __init__(self, return_to: str, confirmed: bool) -> None:
        super().__init__()
        self.return_to = return_to
        self.confirmed = confirmed

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: BaseRenderer | None = None
    ) -> SafeString:
        action = reverse("hf-confirm") + "?" + urlencode({"next": self.return_to})
        element_id = (attrs or {}).get("id", f"id_{name}")
        if self.confirmed:
            return format_html('<p class="muted" id="{}">Confirmed with Hugging Face a moment ago.</p>', element_id)
        return format_html(
            '<button type="submit" class="button" id="{}" formaction="{}" formmethod="post" formnovalidate>'
            "Confirm with Hugging Face</button>",
            element_id,
            action,
        )


class PasswordCheckMixin(forms.Form):
    """Re-asks the password before a sensitive change, throttled like sign-in (see throttle.py).

    Someone without a hubdash password (who signs in with Hugging Face) confirms with a fresh Hugging Face
    sign-in instead: the password field gives way to a "Confirm with Hugging Face" button.
    """

    password = forms.CharField(
        label="Your hubdash password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.fresh_sign_in = needs_fresh_sign_in(request)
        if self.fresh_sign_in:
            del self.fields["password"]
            self.fields["fresh_sign_in"] = forms.CharField(
                label="Confirm it is you",
                required=False,
                widget=FreshSignInButton(_return_to(request), recently_confirmed(request)),
                help_text="You have no hubdash password: sign in on Hugging Face again, then come back here.",
            )

    @sensitive_variables("password")
    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not password_confirmed(self.request, password):
            raise forms.ValidationError("That is not your password.")
        return password

    def clean_fresh_sign_in(self) -> str:
        if not recently_confirmed(self.request):
            raise forms.ValidationError("Confirm with Hugging Face first: sign in there again, then submit this.")
        return ""


def _return_to(request: HttpRequest) -> str:
    """The page a confirmation comes back to: this one, or for a POST-only action the page that showed its form."""
    if request.method == "GET":
        return request.get_full_path()
    referer = str(request.META.get("HTTP_REFERER", ""))
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return reverse("profile")


# What a Hub access token looks like ("hf_" and letters, digits, underscores): anything else is refused
# before it is sent anywhere.
HUB_TOKEN_PATTERN = r"^hf_[A-Za-z0-9_]{8,250}$"  # noqa: S105 (a shape, not a secret)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Hub access token",
        strip=True,
        max_length=256,
        validators=[
            RegexValidator(
                HUB_TOKEN_PATTERN,
                "That cannot be a Hub access token: they start with hf_ and are letters, digits and underscores.",
            )
        ],
        widget=forms.PasswordInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "hf_…", "autofocus": True}
        ),
        help_text=(
            "Create one in your Hub settings under Access Tokens. Read is enough to browse; write to manage repos."
        ),
    )


class ReplaceTokenForm(PasswordCheckMixin, TokenForm):
    pass


class RemoveTokenForm(PasswordCheckMixin):
    """Beside the replace form on one page: its own field ids (`remove_password`), never a second `id_password`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "remove_%s")
        super().__init__(*args, **kwargs)
