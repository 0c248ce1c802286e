"""What a person's token may change on the Hub, by namespace: one rule for pages and for unattended work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tokens import current_identity, token_status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

WRITE_ROLES = {"admin", "write"}


def writable_namespaces(user: User | AnonymousUser) -> frozenset[str]:
    """The namespaces this person's token may change repos in: the stored token's role and scopes, and the
    organisations of its whoami (cached; one whoami when no answer is fresh, none after `identity_for(user,
    refresh=True)` just asked).

    Conservative: a fine-grained token writes only where a scope grants `repo.write`, and an org's
    `contributor` (who may write only the repos they made) is not assumed to write any given one.
    Raises a HubError when the Hub cannot say who the person is.
    """
    status = token_status(user)
    if status is None or status.state != "valid" or status.role == "read":
        return frozenset()
    if status.role == "fineGrained":
        return frozenset(scope.name for scope in status.scopes if "repo.write" in scope.permissions)
    identity = current_identity(user)
    orgs = [org.name for org in identity.orgs if org.role in WRITE_ROLES] if identity else []
    return frozenset([status.hub_username, *orgs])
