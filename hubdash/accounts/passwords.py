"""Passwords people manage themselves: changing your own, and setting one through a reset link.

An admin makes the reset link (Team page) with Django's token generator: it works until it is used, the
password changes by other means or PASSWORD_RESET_TIMEOUT passes, and the admin never sees a password.
A link carries no more than its maker holds: it names its maker, and stops working once they are no longer
an active admin, or were deactivated since; and once its person was deactivated after it was made, even if
reactivated since (both through Member.deactivated_at, part of what the token signs).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_encode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from hubdash.core.http import AuthedRequest

from .models import Member
from .passwords_forms import ChangePasswordForm, NewPasswordForm
from .team_changes import record_team_change

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)


def no_referrer(view: Callable[P, R]) -> Callable[P, R]:
    """Answers at a one-time link's address (invitation, password reset: the redirect, or the page saying
    the link no longer works) send no Referer anywhere, not even to hubdash itself, so the address never
    travels on in a header or into a request log. Only those: the token-less page behind the redirect keeps
    the site's policy, since under no-referrer browsers send `Origin: null` with a form and CSRF refuses it."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        response = view(*args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@sensitive_variables()
def password_change(request: AuthedRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None, request=request)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            # The password is part of every session's signature: keep this one, end the others.
            update_session_auth_hash(request, user)
            record_team_change(person=user, by=user, summary="changed their password", change="password changed")
            messages.success(request, "Your password is changed. Your other signed-in browsers are signed out.")
            return redirect("profile")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


def _deactivated_at(user_pk: Any) -> str:
    when = Member.objects.filter(user_id=user_pk).values_list("deactivated_at", flat=True).first()
    return when.isoformat() if when is not None else ""


class _PersonTokens(PasswordResetTokenGenerator):
    """Django's tokens, signed for one maker as they stand now, and void once the person is deactivated."""

    def __init__(self, maker_pk: int) -> None:
        super().__init__()
        self.key_salt = f"hubdash.accounts.passwords.reset.by-{maker_pk}-{_deactivated_at(maker_pk)}"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return super()._make_hash_value(user, timestamp) + _deactivated_at(user.pk)


class ResetTokens(PasswordResetTokenGenerator):
    """Reset tokens that name their maker: `<maker id>-<timestamp>-<hash>`, in the same URL as before."""

    def make_token_by(self, user: User, maker: User) -> str:
        return f"{int_to_base36(maker.pk)}-{_PersonTokens(maker.pk).make_token(user)}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not token:
            return False
        maker_part, _, rest = token.partition("-")
        if rest.count("-") != 1:
            # A link made before links named their maker: Django's own token, until it expires (hours),
            # unless its person was deactivated since.
            return not _deactivated_at(user.pk) and default_token_generator.check_token(user, token)
        try:
            maker_pk = base36_to_int(maker_part)
        except ValueError:
            return False
        if not User.objects.filter(pk=maker_pk, is_active=True, is_superuser=True).exists():
            return False  # its maker was deactivated, or is no longer an admin
        return _PersonTokens(maker_pk).check_token(user, rest)


reset_tokens = ResetTokens()


def reset_link(request: AuthedRequest, person: User) -> str:
    """The absolute address of a one-time link, made by the signed-in admin, that lets `person` set a new
    password."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    path = reverse("password-reset", args=[uid, reset_tokens.make_token_by(person, request.user)])
    return request.build_absolute_uri(path)


@method_decorator(login_not_required, name="dispatch")  # as Django's own dispatch is marked
class PasswordResetView(PasswordResetConfirmView):
    """Django's reset page (the token leaves the address at once), ending signed in, with a fitting status."""

    token_generator = reset_tokens
    form_class = NewPasswordForm
    template_name = "accounts/password_reset.html"
    post_reset_login = True
    post_reset_login_backend = "hubdash.hub.auth.ModelBackend"
    success_url = reverse_lazy("profile")

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if kwargs.get("token") == self.reset_url_token:
            return super().dispatch(*args, **kwargs)
        return no_referrer(super().dispatch)(*args, **kwargs)

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None  # deactivated: the link is dead

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        record_team_change(
            person=user, by=user, summary="set a new password through a reset link", change="password changed"
        )
        messages.success(self.request, "Your new password is set, and you are signed in.")
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not context.get("validlink"):
            kwargs["status"] = 410  # used, replaced by a newer password, expired, or never made
        return super().render_to_response(context, **kwargs)
