"""Passwords people manage themselves: changing your own, and setting one through a reset link.

An admin makes the reset link (Team page) with Django's token generator: it works until it is used, the
password changes by other means or PASSWORD_RESET_TIMEOUT passes, and the admin never sees a password.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from hubdash.core.http import AuthedRequest

from .passwords_forms import ChangePasswordForm, NewPasswordForm
from .team_changes import record_team_change


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


def reset_link(request: HttpRequest, person: User) -> str:
    """The absolute address of a one-time link that lets `person` set a new password."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    path = reverse("password-reset", args=[uid, default_token_generator.make_token(person)])
    return request.build_absolute_uri(path)


class PasswordResetView(PasswordResetConfirmView):
    """Django's reset page (the token leaves the address at once), ending signed in, with a fitting status."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset.html"
    post_reset_login = True
    post_reset_login_backend = "hubdash.hub.auth.ModelBackend"
    success_url = reverse_lazy("profile")

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
