"""The team: who is in it, invitations, roles, deactivation, sign-in locks and password reset links.

Every change is made by a POST; the links on the Team page lead to a confirmation page (a GET of the same
address) first, so nothing happens on a stray click and everything works without JavaScript.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from hubdash import hub
from hubdash.accounts.forms import PersonForm
from hubdash.accounts.passwords import no_referrer
from hubdash.accounts.permissions import admin_required, is_admin
from hubdash.accounts.sessions import end_sessions
from hubdash.accounts.team_changes import record_team_change
from hubdash.core.http import AuthedRequest
from hubdash.core.links import PK_SAMPLE, link
from hubdash.hub import oauth as hub_oauth

from . import invitations
from .models import Invitation, Member
from .reset_links import reset_link
from .team_changes import recent_changes
from .team_forms import ActiveForm, InviteForm, JoinForm, RoleForm

log = logging.getLogger(__name__)
_get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def confirmed_change(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A change to a person, confirmed first: GET shows the confirmation, POST makes it; admins only,
    and never cached (both pages name the person)."""
    return _get_or_post(admin_required(never_cache(view)))


# -- the page --------------------------------------------------------------------------------------


def email_configured() -> bool:
    """Whether hubdash may send invitations: a mail server is set (HUBDASH_EMAIL_HOST), or the deployment
    chose a backend of its own. Django's SMTP default aimed at localhost:25 is not taken as configured."""
    return bool(settings.EMAIL_HOST) or settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend"


def locked_sign_ins(request: HttpRequest) -> dict[str, list[dict[str, Any]]]:
    """Sign-ins paused right now: a username from an address, and addresses over their own limit."""
    cool_off = get_cool_off(request) or timedelta(0)
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
    locked = recent.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by("-attempt_time")
    # Plain values: an attempt's row also holds the request's GET and POST data, not shown here.
    usernames = [
        {"pk": pk, "username": username, "ip": ip, "failures": failures, "at": at}
        for pk, username, ip, failures, at in locked.values_list(
            "pk", "username", "ip_address", "failures_since_start", "attempt_time"
        )[:50]
    ]
    addresses = [
        {"ip": row["ip_address"], "failures": row["total"]}
        for row in recent.values("ip_address")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        .order_by("-total")[:50]
    ]
    return {"usernames": usernames, "addresses": addresses}


@dataclass(frozen=True, slots=True)
class TeamPerson:
    """What a row of the Team table shows of someone: read as plain values, not as User instances."""

    pk: int
    username: str
    is_active: bool
    is_superuser: bool
    last_seen: datetime | None


def _team_context(
    request: AuthedRequest, add_form: PersonForm | None = None, invite_form: InviteForm | None = None
) -> dict[str, Any]:
    """Everything from the database in a handful of queries, whatever the size of the team; no Hub call."""
    people = [
        TeamPerson(pk, username, is_active, is_superuser, last_seen_at or last_login)
        for pk, username, is_active, is_superuser, last_login, last_seen_at in User.objects.order_by(
            "username"
        ).values_list("pk", "username", "is_active", "is_superuser", "last_login", "member__last_seen_at")
    ]
    # Everyone is on the page: everyone's tokens and changes, with no list of ids to bind.
    tokens = hub.token_statuses()
    changes = recent_changes()
    you = request.user.pk
    # Four links a row: each name reversed once (core.links), the person's id put in its place.
    sample = str(PK_SAMPLE)
    patterns = {key: link(name, PK_SAMPLE, samples=(PK_SAMPLE,)).split(sample) for key, name in _PERSON_LINKS.items()}
    rows = []
    for person in people:
        pk = str(person.pk)
        rows.append(
            {
                "person": person,
                "you": person.pk == you,
                "role": "admin" if person.is_superuser else "member",
                "token": tokens.get(person.pk),
                "last_seen": person.last_seen,
                "changes": changes.get(person.pk, []),
                "links": {key: pk.join(pieces) for key, pieces in patterns.items()},
            }
        )
    can_manage = is_admin(request.user)
    context: dict[str, Any] = {"rows": rows, "can_manage": can_manage}
    if can_manage:
        can_email = email_configured()
        context.update(
            add_form=add_form or PersonForm(),
            invite_form=invite_form or InviteForm(can_email=can_email),
            pending=list(invitations.usable_invitations().select_related("created_by")[:50]),
            locks=locked_sign_ins(request),
        )
    return context


_PERSON_LINKS = {
    "role": "team-role",
    "reset": "team-password-reset",
    "token": "team-token-remove",
    "active": "team-active",
}


@never_cache
def team(request: AuthedRequest) -> HttpResponse:
    return render(request, "team/team.html", _team_context(request))


@require_POST
@admin_required
@sensitive_post_parameters("password1", "password2")
@sensitive_variables()
def team_add(request: AuthedRequest) -> HttpResponse:
    """Add someone with a password the admin passes on (where an invitation cannot reach them)."""
    form = PersonForm(request.POST)
    if not form.is_valid():
        return render(request, "team/team.html", _team_context(request, add_form=form), status=400)
    with transaction.atomic():
        person = form.save()
        Member.objects.get_or_create(user=person)
        role = form.cleaned_data["role"]
        record_team_change(person=person, by=request.user, summary=f"added as {role}", change="added", role=role)
    messages.success(request, f"Added {person.username} as {role}.")
    return redirect("team")


# -- invitations -----------------------------------------------------------------------------------


@require_POST
@admin_required
@never_cache
def invite(request: AuthedRequest) -> HttpResponse:
    can_email = email_configured()
    form = InviteForm(request.POST, can_email=can_email)
    if not form.is_valid():
        return render(request, "team/team.html", _team_context(request, invite_form=form), status=400)
    role = form.cleaned_data["role"]
    invitation, token = invitations.create(
        request.user, role=role, valid_days=form.cleaned_data["valid_days"], note=form.cleaned_data["note"]
    )
    link = request.build_absolute_uri(reverse("invitation", args=[token]))
    sent_to = ""
    if can_email and form.cleaned_data.get("email"):
        sent_to = _send_invitation(request.user, invitation, link, form.cleaned_data["email"])
    # The link is shown this once: only its hash is kept, so it cannot be shown again.
    context = {"invitation": invitation, "link": link, "sent_to": sent_to, "valid_for": form.cleaned_data["valid_days"]}
    return render(request, "team/team_invitation_made.html", context)


def _send_invitation(admin: User, invitation: Invitation, link: str, to: str) -> str:
    """Email the link; on failure the admin still has it to copy, and is told so."""
    try:
        send_mail(
            subject=f"{admin.get_username()} invites you to hubdash",
            message=(
                f"{admin.get_username()} invites you to join their team's hubdash as {invitation.role}.\n\n"
                f"Open this link to choose your username and password (it works once, "
                f"until {invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n\n{link}\n"
            ),
            from_email=None,
            recipient_list=[to],
        )
    except (smtplib.SMTPException, OSError) as err:
        log.warning("Could not email invitation %s: %s", invitation.pk, type(err).__name__)
        return ""
    Invitation.objects.filter(pk=invitation.pk).update(email=to)
    return to


@require_POST
@admin_required
def invitation_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    get_object_or_404(Invitation, pk=pk)
    if invitations.revoke(pk, request.user) is None:
        messages.error(request, "That invitation was already used, revoked or expired.")
    else:
        messages.success(request, "Invitation revoked: its link no longer works.")
    return redirect("team")


_UNAVAILABLE = {
    "used": "This invitation was already used. Each link works once: sign in, or ask your admin for a new one.",
    "revoked": "This invitation was withdrawn by an admin. Ask them for a new link.",
    "expired": "This invitation has expired. Ask your admin for a new link.",
    "void": "This invitation no longer works: the admin who made it was deactivated. Ask another admin for a new link.",
}


def _unavailable(request: HttpRequest, state: str) -> HttpResponse:
    status = 404 if state == "unknown" else 410
    message = _UNAVAILABLE.get(state, "This invitation link is not valid. Check that it was copied whole.")
    return render(request, "team/invitation_unavailable.html", {"message": message, "state": state}, status=status)


@login_not_required
@never_cache
@no_referrer
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link itself: remembered in the session, then the token leaves the address at once (as Django's
    reset page does). A link that no longer works is answered here: its token opens nothing any more."""
    found = invitations.find(token)
    if found is None:
        return _unavailable(request, "unknown")
    if not found.usable:
        return _unavailable(request, found.state)
    invitations.remember(request, found)
    return redirect("invitation-accept")


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@sensitive_variables()
def invitation_accept(request: HttpRequest) -> HttpResponse:
    pending = invitations.pending_invitation(request)
    if pending is None:
        opened_pk = request.session.get(invitations.SESSION_KEY)
        opened = Invitation.objects.filter(pk=opened_pk).first() if isinstance(opened_pk, int) else None
        return _unavailable(request, opened.state if opened is not None else "unknown")
    if request.user.is_authenticated:
        context = {"invitation": pending, "signed_in_as": request.user.get_username()}
        return render(request, "team/invitation_accept.html", context)
    form = JoinForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    user = form.save()
                    invitations.redeem(pending, user)
            except invitations.InvitationUnavailable:
                return _unavailable(request, "used")
            except IntegrityError:  # the same username taken a moment ago
                form.add_error("username", "A user with that username already exists.")
            else:
                invitations.forget(request)
                login(request, user, backend="hubdash.hub.auth.ModelBackend")
                messages.success(request, f"Welcome to hubdash, {user.username}! Connect your Hub token next.")
                return redirect("token")
        return render(request, "team/invitation_accept.html", _joining(pending, form), status=400)
    return render(request, "team/invitation_accept.html", _joining(pending, form))


# -- changes to a person (each confirmed first) --------------------------------------------------


def _lock_for_team_change(actor: User, pk: int) -> tuple[User, bool]:
    """Inside a transaction: the person to change and whether any other active admin remains.

    The active admins, the person and the actor are locked together in one order, so two admins changing
    each other at once take turns and the second sees the first's change (PostgreSQL re-reads rows it
    waited for; SQLite's IMMEDIATE transactions let one writer in at a time). The actor is checked again
    here: someone who lost admin rights a moment ago may not act on a stale permission check.
    """
    rows = {
        row.pk: row
        for row in User.objects.select_for_update()
        .filter(Q(is_superuser=True, is_active=True) | Q(pk__in=[pk, actor.pk]))
        .order_by("pk")
    }
    if pk not in rows:
        raise Http404("No such person.")
    if actor.pk not in rows or not is_admin(rows[actor.pk]):
        raise PermissionDenied("Only admins may do this.")
    other_admins = any(row.is_superuser and row.is_active for row in rows.values() if row.pk != pk)
    return rows[pk], other_admins


def _confirm(request: AuthedRequest, pk: int, what: str, **context: Any) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    return render(request, "team/team_confirm.html", {"person": person, "what": what, **context})


@confirmed_change
def team_role(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return _confirm(request, pk, "role")
    form = RoleForm(request.POST)
    if not form.is_valid():
        get_object_or_404(User, pk=pk)
        messages.error(request, "Choose admin or member.")
        return redirect("team")
    make_admin = form.cleaned_data["role"] == "admin"
    role = "admin" if make_admin else "member"
    with transaction.atomic():
        person, other_admins = _lock_for_team_change(request.user, pk)
        if not make_admin and person.is_superuser and not other_admins:
            messages.error(request, "hubdash needs at least one active admin: promote someone else first.")
            return redirect("team")
        if person.is_superuser != make_admin:
            person.is_superuser = person.is_staff = make_admin
            person.save(update_fields=["is_superuser", "is_staff"])
            record_team_change(
                person=person, by=request.user, summary=f"role set to {role}", change="role changed", role=role
            )
    messages.success(request, f"{person.username} is now {'an admin' if make_admin else 'a member'}.")
    return redirect("team")


@confirmed_change
def team_active(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        person = get_object_or_404(User, pk=pk)
        return _confirm(request, pk, "deactivate" if person.is_active else "reactivate")
    form = ActiveForm(request.POST)
    form.is_valid()
    active = form.cleaned_data.get("active", False)
    with transaction.atomic():
        person, other_admins = _lock_for_team_change(request.user, pk)
        if not active and (person.pk == request.user.pk or (person.is_superuser and not other_admins)):
            messages.error(request, "You cannot deactivate yourself or the last active admin.")
            return redirect("team")
        changed, had_token = person.is_active != active, False
        person.is_active = active
        person.save(update_fields=["is_active"])
        if not active:
            # Offboarding leaves nothing that works: no session, no stored Hub token.
            had_token = hub.token_status(person) is not None
            hub.remove_token(person)
        if changed:
            summary = "reactivated" if active else "deactivated" + (", Hub token removed" if had_token else "")
            change = "reactivated" if active else "deactivated"
            record_team_change(person=person, by=request.user, summary=summary, change=change)
    if not active:
        # Once the deactivation is committed: ended before it, a request meanwhile could read the session's row
        # (still there for it) back into the cache, where it would outlive a reactivation.
        end_sessions(person)
    messages.success(request, f"{person.username} is {'active again' if active else 'deactivated and signed out'}.")
    return redirect("team")


@confirmed_change
def team_token_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    if request.method != "POST":
        return _confirm(request, pk, "token", token=hub.token_status(person))
    if hub.token_status(person) is None:
        messages.error(request, f"{person.username} has no Hub token stored.")
        return redirect("team")
    hub.remove_token(person)
    record_team_change(person=person, by=request.user, summary="Hub token removed", change="token removed")
    messages.success(request, f"{person.username}'s Hub token is removed from hubdash. Revoke it on the Hub too.")
    return redirect("team")


@confirmed_change
def team_password_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """A link for the person to set a new password; shown to the admin to pass on, never a password."""
    person = get_object_or_404(User, pk=pk)
    if request.method != "POST":
        return _confirm(request, pk, "password")
    if not person.is_active:
        messages.error(request, f"{person.username} is deactivated: reactivate them first.")
        return redirect("team")
    link = reset_link(request, person)
    record_team_change(
        person=person, by=request.user, summary="password reset link made", change="password reset link made"
    )
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    context = {"person": person, "link": link, "hours": hours}
    return render(request, "team/team_password_link.html", context)


@require_POST
@admin_required
def team_unlock(request: AuthedRequest) -> HttpResponse:
    """Lift a sign-in lock: one username from one address, or a whole paused address."""
    attempt_pk, address = request.POST.get("attempt", ""), request.POST.get("address", "")
    if attempt_pk.isdigit():
        attempt = AccessAttempt.objects.filter(pk=int(attempt_pk)).first()
        if attempt is None:
            messages.error(request, "That lock was already lifted or has expired.")
            return redirect("team")
        attempt.delete()
        about = User.objects.filter(username=attempt.username).first()
        what = f"sign-in of {attempt.username!r} from {attempt.ip_address} unlocked"
    elif address:
        deleted, _ = AccessAttempt.objects.filter(ip_address=address).delete()
        if not deleted:
            messages.error(request, "That address was already unpaused or its pause has expired.")
            return redirect("team")
        about, what = None, f"sign-ins from {address} unlocked"
    else:
        messages.error(request, "Choose a lock to lift.")
        return redirect("team")
    record_team_change(
        person=about or request.user,
        by=request.user,
        summary=what if about is None else "sign-in unlocked",
        change="unlocked",
        unlocked=what,
    )
    messages.success(request, what[0].upper() + what[1:] + ".")
    return redirect("team")


def _joining(invitation: Invitation, form: JoinForm) -> dict[str, object]:
    # Joining by Hugging Face sign-in instead: the callback finds this invitation in the session.
    return {"invitation": invitation, "form": form, "hf_sign_in": hub_oauth.configured()}
