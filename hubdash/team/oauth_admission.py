"""Who may arrive through "Sign in with Hugging Face": the admins' choice, and the decision for one person.

People already linked to their Hub account (by its `sub`) always sign in while active. Someone new is
admitted as a member when an admin invited them, or, if the admins chose organisations, when the userinfo
`orgs` claim (the organisations granted at consent) shows a role of at least the chosen one in one of them.
Anyone else is refused, and nothing about them is kept but the refusal on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest

from .invitations import pending_invitation
from .models import ANY_ROLE, ORGS, Invitation, SignInPolicy

if TYPE_CHECKING:
    from hubdash.hub.oauth import Grant


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
