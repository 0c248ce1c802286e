"""First run, sign-in, your Hub token and identity. The team's pages are hubdash.team's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView, LogoutView
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.hub import oauth as hub_oauth

from .forms import (
    FirstAdminForm,
    RemoveTokenForm,
    ReplaceTokenForm,
    SignInForm,
    TokenForm,
)
from .team_changes import record_team_change

# -- first run and sign-in ---------------------------------------------------------------------


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@sensitive_variables()
def setup(request: HttpRequest) -> HttpResponse:
    """Create the first admin: offered only while no account exists."""
    if User.objects.exists():
        raise Http404("hubdash is already set up.")
    form = FirstAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if User.objects.exists():  # checked again: another browser may have finished set-up meanwhile
                raise Http404("hubdash is already set up.")
            user = form.save()
        login(request, user, backend="hubdash.hub.auth.ModelBackend")
        messages.success(request, "Welcome! You are hubdash's first admin. Connect your Hub token next.")
        return redirect("token")
    return render(request, "accounts/setup.html", {"form": form})


@method_decorator(sensitive_variables(), name="dispatch")
class SignInView(LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["hf_sign_in"] = hub_oauth.configured()  # "Sign in with Hugging Face" beside the password form
        return context


# -- your Hub token ------------------------------------------------------------------------------


def _token_context(request: AuthedRequest, current: hub.TokenStatus | None, **forms: Any) -> dict[str, Any]:
    return {
        "current": current,
        "remove_form": forms.get("remove_form") or RemoveTokenForm(request=request),
        "tokens_page": hub_oauth.tokens_page(),
        "hf_sign_in": hub_oauth.configured(),
        **{name: form for name, form in forms.items() if name != "remove_form"},
    }


@never_cache
@sensitive_post_parameters("token", "password")
@sensitive_variables()  # the token passes through every frame below (form, hub, huggingface_hub)
def token(request: AuthedRequest) -> HttpResponse:
    """Connect or replace your Hub token; replacing one asks for your password again."""
    current = hub.token_status(request.user)
    form: TokenForm = (
        ReplaceTokenForm(request.POST or None, request=request) if current else TokenForm(request.POST or None)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                identity = hub.connect_token(request.user, form.cleaned_data["token"])
            except hub.HubError as err:
                # The token's own fault goes under the field; the Hub's trouble (down, slow, rate-limited) above it.
                about_token = isinstance(err, hub.BadToken | hub.InvalidRequest)
                form.add_error("token" if about_token else None, _in_our_words(err))
                status = 400 if about_token else err.status
            else:
                stored = hub.token_status(request.user)
                role = stored.role_words if stored else identity.token_role
                record_team_change(
                    person=request.user,
                    by=request.user,
                    summary="replaced their Hub token" if current else "connected a Hub token",
                    change="token replaced" if current else "token connected",
                    kind="pasted",
                    role=identity.token_role,
                    replaced=current and current.kind,
                )
                messages.success(request, f"Connected as {identity.name} on the Hub ({role} token).")
                return redirect("profile")
        else:
            status = 400
    return render(request, "accounts/token.html", _token_context(request, current, form=form), status=status)


def _in_our_words(err: hub.HubError) -> str:
    """A refused token is explained in hubdash's words first; the Hub's own text (terse, and about
    "credentials" or "username or password") follows for whoever needs it."""
    if isinstance(err, hub.BadToken):
        return (
            "The Hub does not accept this token: check that it was copied whole and is not revoked or expired, "
            f"or make a new one on the Hub. ({err.message})"
        )
    return err.message


@require_POST
@sensitive_post_parameters("password")
@sensitive_variables()
def token_remove(request: AuthedRequest) -> HttpResponse:
    current = hub.token_status(request.user)
    form = RemoveTokenForm(request.POST, request=request)
    if current is None:
        return redirect("token")
    if not form.is_valid():
        context = _token_context(request, current, form=ReplaceTokenForm(request=request), remove_form=form)
        return render(request, "accounts/token.html", context, status=400)
    hub.remove_token(request.user)
    record_team_change(
        person=request.user,
        by=request.user,
        summary="removed their Hub token",
        change="token removed",
        kind=current.kind,
    )
    messages.success(request, "Your Hub token is removed from hubdash. Revoke it on the Hub too if it leaked.")
    return redirect("token")


# -- profile ---------------------------------------------------------------------------------------


def _identity_context(request: AuthedRequest, refresh: bool = False) -> dict[str, Any]:
    """Who you are on the Hub, or why hubdash cannot say right now (with what it last knew, marked stale)."""
    context: dict[str, Any] = {
        "token_row": hub.token_status(request.user),
        "identity": None,
        "hub_error": None,
        "stale": False,
        "refreshed": False,
        "hf_sign_in": hub_oauth.configured(),
    }
    if context["token_row"] is None:
        return context
    try:
        context["identity"] = hub.identity_for(request.user, refresh=refresh)
        context["refreshed"] = refresh
    except hub.BadToken as err:
        context["hub_error"] = err.message
        context["token_rejected"] = True
    except hub.TokenKeyError:
        context["hub_error"] = (
            "hubdash can no longer decrypt your stored token (its key was removed). Connect your token again."
        )
        context["token_rejected"] = True
    except hub.HubError as err:
        context["hub_error"] = err.message
        context["identity"] = hub.last_known_identity(request.user)
        context["stale"] = context["identity"] is not None
    context["token_row"] = hub.token_status(request.user)  # as identity_for left it (no second query)
    return context


@never_cache
def profile(request: AuthedRequest) -> HttpResponse:
    return render(request, "accounts/profile.html", _identity_context(request))


@require_POST
@never_cache
def profile_refresh(request: AuthedRequest) -> HttpResponse:
    context = _identity_context(request, refresh=True)
    if request.htmx:
        response = render(request, "accounts/profile.html#identity", context)
    else:
        if context["hub_error"] is not None:
            # The page behind the redirect shows the identity kept from before: say it was not refreshed.
            messages.error(request, f"Not refreshed: {context['hub_error']} What is shown is from the last check.")
        elif context["identity"] is not None:
            messages.success(request, "Refreshed from the Hub just now.")
        response = redirect("profile")
    patch_vary_headers(response, ["HX-Request"])  # one URL, two kinds of answer
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """A post signs out (the menu's button, with htmx, or this page's form). The menu is part of pages that
    may come from the cache, which hold no CSRF token: without JavaScript its button opens this page,
    which asks, with a form that carries the token."""
    if request.method == "POST":
        return LogoutView.as_view()(request)
    return render(request, "registration/sign_out.html")
