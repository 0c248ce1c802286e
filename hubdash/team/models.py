"""The team's tables: members, invitations and the Hugging Face sign-in policy. Hub tokens belong to
`hubdash.hub`.

They were accounts' models before the team portal became its own app: each keeps its table
(`db_table`), and the migrations moved them in Django's state only (team/migrations/0001_initial.py).
The modules with the logic (invitations, oauth_admission) import these models, never the reverse.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone


class Member(models.Model):
    """What hubdash knows of a person beyond Django's user: when they were last active."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # When they were last deactivated: invitations they made before, and reset links made for them or by
    # them before, stay void even once they are reactivated.
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_member"  # the table it had in accounts: none moved

    def __str__(self) -> str:
        return f"member {self.user}"


def note_deactivation(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Keep when someone is deactivated (pre_save of User), whichever page or command does it: the Team
    page, the Django admin, the shell. Saves of active people and of other fields cost no query."""
    if instance.is_active or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return
    if User.objects.filter(pk=instance.pk, is_active=True).exists():
        Member.objects.update_or_create(user_id=instance.pk, defaults={"deactivated_at": timezone.now()})


INVITED = "invited"
ORGS = "orgs"
MODES = [(INVITED, "Only people an admin invited"), (ORGS, "People with a role in chosen Hub organisations")]
# Hub roles in an organisation, weakest first ("no_access" is no role).
ORG_ROLES = ("read", "contributor", "write", "admin")
ANY_ROLE = "any"
MIN_ROLES = [(ANY_ROLE, "Any role"), *((role, f"At least {role}") for role in ORG_ROLES[1:])]
ROLES = ("member", "admin")


class Invitation(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    role = models.CharField(max_length=8, choices=[(role, role) for role in ROLES], default="member")
    note = models.CharField(max_length=100, blank=True)  # whom it is for, in the admin's words
    email = models.EmailField(blank=True)  # where hubdash sent it, if it did
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_made"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation_used"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)
        db_table = "accounts_invitation"  # the table it had in accounts: none moved

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.role}, {self.state})"

    @property
    def state(self) -> str:
        """pending, used, revoked, expired or void (its maker was deactivated after making it)."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        if not _maker_vouches(self):
            return "void"
        return "pending"

    @property
    def gives(self) -> str:
        """The role it gives if used now: its own, capped at its maker's current role."""
        maker = self.created_by
        if self.role == "admin" and (maker is None or not maker.is_superuser):
            return "member"
        return self.role

    @property
    def capped(self) -> bool:
        return self.gives != self.role

    @property
    def usable(self) -> bool:
        return self.state == "pending"


def _maker_vouches(invitation: Invitation) -> bool:
    """Whether its maker is active and was not deactivated since making it (see Member.deactivated_at)."""
    maker = invitation.created_by
    if maker is None or not maker.is_active:
        return False
    deactivated_at = Member.objects.filter(user=maker).values_list("deactivated_at", flat=True).first()
    return deactivated_at is None or deactivated_at <= invitation.created_at


class SignInPolicy(models.Model):
    """The one row saying who may sign in with Hugging Face for the first time (`SignInPolicy.current()`)."""

    mode = models.CharField(max_length=16, choices=MODES, default=INVITED)
    orgs = models.JSONField(default=list, blank=True)  # Hub organisation names
    min_role = models.CharField(max_length=16, choices=MIN_ROLES, default=ANY_ROLE)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        db_table = "accounts_signinpolicy"  # the table it had in accounts: none moved

    def __str__(self) -> str:
        return f"sign-in policy: {self.describe()}"

    @classmethod
    def current(cls) -> SignInPolicy:
        """The saved policy, or the default (invited people only) if none was saved yet."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def describe(self) -> str:
        if self.mode == ORGS and self.orgs:
            role = "any role" if self.min_role == ANY_ROLE else f"at least the {self.min_role} role"
            return f"people with {role} in {', '.join(self.orgs)} on the Hub, and invited people"
        return "only people an admin invited"

    def admits_role(self, role: str) -> bool:
        if role not in ORG_ROLES:
            return False
        return self.min_role == ANY_ROLE or ORG_ROLES.index(role) >= ORG_ROLES.index(self.min_role)
