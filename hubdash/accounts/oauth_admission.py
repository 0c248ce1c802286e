"""Who may arrive through "Sign in with Hugging Face": the admins' choice, and the decision for one person.

People already linked to their Hub account (by its `sub`) always sign in while active. Someone new is
admitted as a member when an admin invited them, or, if the admins chose organisations, when the userinfo
`orgs` claim (the organisations granted at consent) shows a role of at least the chosen one in one of them.
Anyone else is refused, and nothing about them is kept but the refusal on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .invitations import Invitation, pending_invitation

if TYPE_CHECKING:
    from hubdash.hub.oauth import Grant

INVITED = "invited"
ORGS = "orgs"
MODES = [(INVITED, "Only people an admin invited"), (ORGS, "People with a role in chosen Hub organisations")]
# Hub roles in an organisation, weakest first ("no_access" is no role).
ORG_ROLES = ("read", "contributor", "write", "admin")
ANY_ROLE = "any"
MIN_ROLES = [(ANY_ROLE, "Any role"), *((role, f"At least {role}") for role in ORG_ROLES[1:])]


class SignInPolicy(models.Model):
    """The one row saying who may sign in with Hugging Face for the first time (`SignInPolicy.current()`)."""

    mode = models.CharField(max_length=16, choices=MODES, default=INVITED)
    orgs = models.JSONField(default=list, blank=True)  # Hub organisation names
    min_role = models.CharField(max_length=16, choices=MIN_ROLES, default=ANY_ROLE)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        app_label = "accounts"

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


@dataclass(frozen=True)
class Admission:
    admitted: bool
    reason: str  # for the record, and what the refusal page says
    orgs_to_join: tuple[str, ...] = ()
    invitation: Invitation | None = None


def invitation_for(request: HttpRequest) -> Invitation | None:
    """The still usable invitation this browser opened before "Sign in with Hugging Face", if any: it admits
    its holder whatever the policy, with its role."""
    return pending_invitation(request)


def admit(request: HttpRequest, grant: Grant) -> Admission:
    """Whether a person hubdash does not know yet may arrive with this Hugging Face sign-in."""
    invitation = invitation_for(request)
    if invitation is not None:
        return Admission(True, "invited", invitation=invitation)
    policy = SignInPolicy.current()
    if policy.mode != ORGS or not policy.orgs:
        return Admission(False, "hubdash admits only invited people, and there is no invitation for you.")
    for org in grant.orgs:
        if org.name in policy.orgs and policy.admits_role(org.role):
            return Admission(True, f"{org.role} in {org.name}")
    role = "a role" if policy.min_role == ANY_ROLE else f"at least the {policy.min_role} role"
    names = " or ".join(policy.orgs)
    return Admission(
        False,
        f"@{grant.username} has not granted {role} in {names} to hubdash.",
        orgs_to_join=tuple(policy.orgs),
    )
