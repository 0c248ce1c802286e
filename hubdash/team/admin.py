"""Members and invitations in the Django admin, read-only (see hubdash.core.admin)."""

from django.contrib import admin

from hubdash.core.admin import ReadOnlyAdmin

from .models import Invitation, Member


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin[Member]):
    list_display = ("user", "last_seen_at")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin[Invitation]):
    """Facts only: the link's hash is left out, and revoking is on the Team page (on record)."""

    list_display = ("pk", "role", "note", "created_by", "created_at", "expires_at", "state")
    fields = ("role", "note", "email", "created_by", "created_at", "expires_at", "used_at", "used_by", "revoked_at")
