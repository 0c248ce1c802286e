"""Reset links: an admin makes one on the Team page, its person sets a new password through it.

An admin makes the reset link (Team page) with Django's token generator: it works until it is used, the
password changes by other means or PASSWORD_RESET_TIMEOUT passes, and the admin never sees a password.
A link carries no more than its maker holds: it names its maker, and stops working once they are no longer
an active admin, or were deactivated since; and once its person was deactivated after it was made, even if
reactivated since (both through Member.deactivated_at, part of what the token signs). Team's, not accounts':
its validity is made of team facts (who is an admin, Member.deactivated_at).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpResponse, HttpResponseBase
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, int_to_base36, urlsafe_base64_encode

from hubdash.accounts.passwords import no_referrer
from hubdash.accounts.passwords_forms import NewPasswordForm
from hubdash.accounts.team_changes import record_team_change
from hubdash.core.http import AuthedRequest

from .models import Member


def _deactivated_at(user_pk: Any) -> str:
    when = Member.objects.filter(user_id=user_pk).values_list("deactivated_at", flat=True).first()
    return when.isoformat() if when is not None else ""


class _PersonTokens(PasswordResetTokenGenerator):
    """Django's tokens, signed for one maker as they stand now, and void once the person is deactivated."""

    def __init__(self, maker_pk: int) -> None:
        super().__init__()
        # The salt names the module these links were made in before the split: links already sent still work.
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
    template_name = "team/password_reset.html"
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
