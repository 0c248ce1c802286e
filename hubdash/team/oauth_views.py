"""Sign in with Hugging Face: start, callback, the fresh sign-in that confirms, and the admins' policy page.

One callback serves three purposes, remembered with the flow's `state`: signing in (or arriving, if the
policy admits a new person), connecting a signed-in person's Hub account (the OAuth token replaces a
pasted one), and confirming a dangerous action with a fresh sign-in for people without a password.

These views are team's, not accounts', although signing in is accounts' room: the callback's hard part is
admitting someone new (the invitation this browser opened, the admins' policy, making the member and
recording that they joined), and all of that is team's. Kept in accounts, the callback would have to
reach team through a signal or a setting-named hook at every step, which hides the flow; here it reads
top to bottom, and team only imports accounts' small parts (fresh sign-in marks, permissions, the change
record). The URLs and their names did not change.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hubdash import hub
from hubdash.accounts.oauth_fresh import mark_confirmed
from hubdash.accounts.permissions import admin_required
from hubdash.accounts.team_changes import record_team_change
from hubdash.activity import record
from hubdash.core.http import AuthedRequest
from hubdash.hub import links
from hubdash.hub import oauth as hub_oauth

from . import invitations
from .models import MIN_ROLES, MODES, ORGS, Member, SignInPolicy
from .oauth_admission import admit

PURPOSES = ("sign_in", "connect", "confirm")


def _next(request: HttpRequest, value: str | None, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return default


def _failed(request: HttpRequest, message: str, status: int, **extra: Any) -> HttpResponse:
    context = {"message": message, **extra}
    return render(request, "team/oauth_failed.html", context, status=status)


# -- starting a flow -------------------------------------------------------------------------------------


@login_not_required
@require_POST
@never_cache
def hf_start(request: HttpRequest) -> HttpResponse:
    """POST from the sign-in page (sign in) or the profile (connect): off to the Hub's consent page."""
    if not hub_oauth.configured():
        return _failed(request, "Sign in with Hugging Face is not configured on this hubdash.", 404)
    purpose = "connect" if request.user.is_authenticated else "sign_in"
    next_url = _next(request, request.POST.get("next"), reverse("profile"))
    return _start(request, purpose, next_url)


@require_POST
@never_cache
def hf_confirm(request: AuthedRequest) -> HttpResponse:
    """A fresh Hugging Face sign-in (prompt=login) to confirm a dangerous action, then back to its page."""
    if not hub_oauth.configured():
        return _failed(request, "Sign in with Hugging Face is not configured on this hubdash.", 404)
    return _start(request, "confirm", _next(request, request.GET.get("next"), reverse("profile")), fresh=True)


def _start(request: HttpRequest, purpose: str, next_url: str, fresh: bool = False) -> HttpResponse:
    try:
        return hub_oauth.start(request, request.build_absolute_uri(reverse("hf-callback")), purpose, next_url, fresh)
    except hub.HubError as err:
        return _failed(request, err.message, err.status)


# -- the callback ----------------------------------------------------------------------------------------


@login_not_required
@require_GET
@never_cache
@sensitive_variables()
def hf_callback(request: HttpRequest) -> HttpResponse:
    try:
        grant = hub_oauth.finish(request)
    except hub.HubError as err:
        return _failed(request, err.message, err.status)
    if grant.purpose == "confirm":
        return _confirmed(request, grant)
    if grant.purpose == "connect" and request.user.is_authenticated:
        return _connect(request, request.user, grant, grant.next_url)
    if request.user.is_authenticated:  # signed in meanwhile, in another tab: this flow no longer fits
        return _failed(request, "You are already signed in to hubdash.", 400)
    return _sign_in(request, grant)


def _confirmed(request: HttpRequest, grant: hub_oauth.Grant) -> HttpResponse:
    user = request.user
    if not user.is_authenticated or links.sub_of(user) != grant.sub:
        return _failed(request, "That Hugging Face account is not the one linked to you: nothing was confirmed.", 403)
    if not grant.fresh:
        return _failed(request, "The Hub did not ask you to sign in again, so nothing was confirmed: try again.", 400)
    mark_confirmed(request)
    messages.success(request, "Confirmed with Hugging Face: you may go ahead now.")
    return redirect(grant.next_url)


def _connect(
    request: HttpRequest, user: User, grant: hub_oauth.Grant, next_url: str, signing_in: bool = False
) -> HttpResponse:
    """Link this person to the Hub account and make the sign-in's token theirs (replacing any other).
    One banner says how it went: when this is a sign-in, that banner says so too."""
    done = f"Signed in with Hugging Face as @{grant.username}" if signing_in else f"Linked to @{grant.username}"
    if signing_in and user.get_username() != grant.username:  # the Hub's name was taken here: say which is theirs
        done += f" (in hubdash: {user.get_username()})"
    owner = links.user_id_for(grant.sub)
    if owner is not None and owner != user.pk:
        return _failed(request, f"@{grant.username} on the Hub is already linked to another hubdash person.", 409)
    had = hub.token_status(user)
    links.link(user, grant.sub, grant.username)
    try:
        hub.connect_oauth(user, grant)
    except hub.HubError as err:
        messages.warning(request, f"{done}, but the Hub token could not be kept: {err.message}")
        return redirect(next_url)
    replaced = f", replacing a {had.kind} token" if had is not None else ""
    record_team_change(
        person=user,
        by=user,
        summary=f"{'replaced' if had else 'connected'} a Hub token with Hugging Face sign-in as @{grant.username}",
        change="token replaced" if had else "token connected",
        kind="oauth",
        hub_user=grant.username,
        replaced=had.kind if had else None,
    )
    if signing_in:
        messages.success(request, f"{done}{replaced}.")
    else:
        messages.success(request, f"Connected to the Hub as @{grant.username} with Hugging Face{replaced}.")
    return redirect(next_url)


def _sign_in(request: HttpRequest, grant: hub_oauth.Grant) -> HttpResponse:
    user_id = links.user_id_for(grant.sub)
    if user_id is not None:
        user = User.objects.filter(pk=user_id).first()
        if user is None or not user.is_active:
            _refused(grant, "deactivated in hubdash")
            return _failed(request, "Your hubdash account is deactivated: ask an admin of your team.", 403)
    else:
        admission = admit(request, grant)
        if not admission.admitted:
            _refused(grant, admission.reason)
            context = {"orgs_to_join": admission.orgs_to_join, "hub_user": grant.username, "refused": True}
            return _failed(request, admission.reason, 403, **context)
        invitation = admission.invitation
        try:
            with transaction.atomic():  # a link used meanwhile by someone else undoes this person
                user = _new_person(grant, admin=invitation is not None and invitation.gives == "admin")
                if invitation is not None:
                    invitations.redeem(invitation, user)  # records "joined as <role>, invited by …"
        except invitations.InvitationUnavailable as gone:
            _refused(grant, str(gone))
            return _failed(request, f"{gone} Ask an admin of your team for a new link.", 410)
        invitations.forget(request)
        if invitation is None:
            record_team_change(
                person=user,
                by=user,
                summary=f"joined by signing in with Hugging Face ({admission.reason})",
                change="joined",
                hub_user=grant.username,
            )
    response = _connect(request, user, grant, grant.next_url, signing_in=True)
    login(request, user, backend="hubdash.hub.auth.ModelBackend")
    if grant.fresh:
        mark_confirmed(request)
    return response


def _refused(grant: hub_oauth.Grant, reason: str) -> None:
    record(
        action="team",
        summary=f"Hugging Face sign-in refused for @{grant.username}",
        details={"reason": reason, "hub_user": grant.username, "orgs": [o.name for o in grant.orgs]},
    )


_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _new_person(grant: hub_oauth.Grant, admin: bool) -> User:
    """A new hubdash person named after their Hub account (another name if taken), with no password."""
    base = _USERNAME_UNSAFE.sub("-", grant.username)[:140] or "hub-user"
    for attempt in range(50):
        name = base if attempt == 0 else f"{base}-{attempt + 1}"
        try:
            with transaction.atomic():
                user = User(username=name, email=grant.email or "", first_name=grant.fullname[:150])
                user.is_superuser = user.is_staff = admin
                user.set_unusable_password()
                user.save()
                Member.objects.get_or_create(user=user)
                return user
        except IntegrityError:
            continue
    raise hub.InvalidRequest("hubdash could not find a free username for you; ask an admin.")


# -- the admins' policy page -----------------------------------------------------------------------------

_ORG_NAME = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$")


class SignInPolicyForm(forms.Form):
    mode = forms.ChoiceField(choices=MODES, widget=forms.RadioSelect, label="Who may sign in with Hugging Face")
    orgs = forms.CharField(
        required=False,
        max_length=1000,
        label="Hub organisations",
        help_text="Comma-separated names as on the Hub (acme, datalab). Used when organisations are chosen.",
    )
    min_role = forms.ChoiceField(choices=MIN_ROLES, label="Their role there, at least")
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_orgs(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["orgs"].split(",") if name.strip()]
        bad = [name for name in names if not _ORG_NAME.match(name)]
        if bad:
            raise forms.ValidationError(f"Not a Hub organisation name: {', '.join(bad)}")
        return list(dict.fromkeys(names))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == ORGS and not data.get("orgs"):
            self.add_error("orgs", "Name at least one organisation, or admit only invited people.")
        return data


@require_http_methods(["GET", "HEAD", "POST"])
@admin_required
@never_cache
def sign_in_policy(request: AuthedRequest) -> HttpResponse:
    """`/team/sign-in/`: who may arrive through Hugging Face. A change is shown once more to confirm."""
    policy = SignInPolicy.current()
    initial = {"mode": policy.mode, "orgs": ", ".join(policy.orgs), "min_role": policy.min_role}
    form = SignInPolicyForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "policy": policy, "configured": hub_oauth.configured()}
    if request.method != "POST":
        return render(request, "team/oauth_policy.html", context)
    if not form.is_valid():
        return render(request, "team/oauth_policy.html", context, status=400)
    proposed = SignInPolicy(pk=1, mode=form.cleaned_data["mode"], min_role=form.cleaned_data["min_role"])
    proposed.orgs = form.cleaned_data["orgs"] if proposed.mode == ORGS else []
    if not form.cleaned_data["confirm"]:
        context.update(confirming=True, proposed=proposed)
        return render(request, "team/oauth_policy.html", context)
    proposed.updated_by = request.user
    proposed.save()
    record_team_change(
        person=request.user,
        by=request.user,
        summary=f"Hugging Face sign-in now admits {proposed.describe()}",
        change="sign-in policy changed",
        mode=proposed.mode,
        orgs=proposed.orgs,
        min_role=proposed.min_role,
    )
    messages.success(request, f"Saved: Hugging Face sign-in admits {proposed.describe()}.")
    return redirect("sign-in-policy")
