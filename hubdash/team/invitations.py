"""One-time invitation links: an admin makes one, the invited person opens it and joins.

An invitation carries no more than its maker holds when it is used: it is void once its maker was
deactivated (even if reactivated since), and gives at most member rights once its maker is no longer an
admin. The invitation page and the Team page say which role it gives now.

Only a hash of the link's token is stored, so the table cannot be used to join (the admin sees the link
once, to copy it). Redeeming is one conditional UPDATE that the database lets only one request win, so a
link works once even when it is opened in two tabs at the same moment.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from hubdash.accounts.permissions import is_admin
from hubdash.accounts.team_changes import record_team_change

from .models import ROLES, Invitation, Member

if TYPE_CHECKING:
    pass

# Sessions carry the invitation someone opened, until they join (with a password or Hugging Face).
SESSION_KEY = "hubdash_invitation"
VALID_FOR_CHOICES = [(1, "1 day"), (3, "3 days"), (7, "7 days"), (14, "14 days")]


class InvitationUnavailable(Exception):
    """The link was used, revoked, expired or voided (its maker deactivated) meanwhile."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def usable_invitations() -> models.QuerySet[Invitation]:
    return Invitation.objects.filter(
        Q(created_by__member__deactivated_at__isnull=True) | Q(created_by__member__deactivated_at__lte=F("created_at")),
        used_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        created_by__is_active=True,
    )


def create(admin: User, *, role: str, valid_days: int, note: str = "") -> tuple[Invitation, str]:
    """A new invitation and its token (shown once, never stored). Nobody invites above their own role."""
    if role not in ROLES:
        raise ValueError(f"not a role: {role!r}")
    with transaction.atomic():
        # Read again, locked: someone demoted a moment ago may not act on a stale permission check.
        actor = User.objects.select_for_update().filter(pk=admin.pk).first()
        if actor is None or not is_admin(actor):
            raise PermissionDenied("Only admins may invite people.")
        if role == "admin" and not actor.is_superuser:  # pragma: no cover - admins are superusers today
            raise PermissionDenied("You cannot invite someone to a role above your own.")
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            token_hash=token_hash(token),
            role=role,
            note=note,
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=valid_days),
        )
        record_team_change(
            person=actor,
            by=actor,
            summary=f"invited someone as {role}",  # the note is the admins' own words: Team page only, not the feed
            change="invited",
            invitation=invitation.pk,
            role=role,
        )
    return invitation, token


def find(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.filter(token_hash=token_hash(token)).select_related("created_by").first()


def revoke(invitation_pk: int, admin: User) -> Invitation | None:
    """Revoke a pending invitation; None if it was not pending any more."""
    with transaction.atomic():
        revoked = usable_invitations().filter(pk=invitation_pk).update(revoked_at=timezone.now())
        if not revoked:
            return None
        invitation = Invitation.objects.get(pk=invitation_pk)
        record_team_change(
            person=admin,
            by=admin,
            summary=f"revoked an invitation as {invitation.role}",
            change="invitation revoked",
            invitation=invitation.pk,
        )
    return invitation


def redeem(invitation: Invitation, user: User) -> None:
    """Use the invitation for `user`, who gets the role it gives now (capped at its maker's). Call inside the
    transaction that creates the user, so that a link used meanwhile undoes it. Raises InvitationUnavailable
    if the link is no longer usable.
    """
    now = timezone.now()
    # The maker's row is locked first: a demotion or deactivation at this moment waits, or is seen here.
    invitation.created_by = (
        User.objects.select_for_update().filter(pk=invitation.created_by_id).first()
        if invitation.created_by_id
        else None
    )
    won = usable_invitations().filter(pk=invitation.pk).update(used_at=now, used_by=user)
    if not won:
        raise InvitationUnavailable("This invitation was used, revoked or has expired, or its maker left the team.")
    invitation.used_at, invitation.used_by = now, user
    role = invitation.gives
    admin = role == "admin"
    if user.is_superuser != admin:
        user.is_superuser = user.is_staff = admin
        user.save(update_fields=["is_superuser", "is_staff"])

    Member.objects.get_or_create(user=user)
    inviter = invitation.created_by
    record_team_change(
        person=user,
        by=user,
        summary=f"joined as {role}" + (f", invited by {inviter.get_username()}" if inviter else ""),
        change="joined",
        invitation=invitation.pk,
        role=role,
        invited_by=inviter.get_username() if inviter else "",
    )


def remember(request: HttpRequest, invitation: Invitation) -> None:
    """Keep the opened invitation in the session, so that the link's token need not travel further."""
    request.session[SESSION_KEY] = invitation.pk


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def pending_invitation(request: HttpRequest) -> Invitation | None:
    """The still usable invitation this browser opened, if any (for joining by password or Hugging Face)."""
    pk = request.session.get(SESSION_KEY)
    if not isinstance(pk, int):
        return None
    return usable_invitations().filter(pk=pk).select_related("created_by").first()
