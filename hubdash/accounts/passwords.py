"""Passwords people manage themselves: changing your own (reset links, made by admins: hubdash.team.reset_links)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from hubdash.core.http import AuthedRequest

from .passwords_forms import ChangePasswordForm
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
