"""Which namespaces a person's token may change repos in, as a function of the person (shared by apps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import HubError
from .tokens import current_identity, last_known_identity, token_status, token_statuses
from .vault import TokenKeyError

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

WRITE_ROLES = {"admin", "write"}


def writable_namespaces(user: User | AnonymousUser, *, ask_hub: bool = True) -> frozenset[str]:
    """The namespaces this person's token may change repos in: the stored token's role and scopes, and the
    organisations of its whoami.

    Conservative: a fine-grained token writes only where a scope grants `repo.write`, and an org's
    `contributor` (who may write only the repos they made) is not assumed to write any given one.
    With `ask_hub` the whoami is the cached answer, or one call when no answer is fresh (raises a HubError
    when the Hub cannot say who the person is); without it, the last answer however old, and never a call
    (pages that read only hubdash's own rows, such as the access queue).
    """
    status = token_status(user)
    if status is None or status.state != "valid" or status.role == "read":
        return frozenset()
    if status.role == "fineGrained":
        return frozenset(scope.name for scope in status.scopes if "repo.write" in scope.permissions)
    identity = current_identity(user) if ask_hub else last_known_identity(user)
    orgs = [org.name for org in identity.orgs if org.role in WRITE_ROLES] if identity else []
    return frozenset([status.hub_username, *orgs])


def readable_namespaces(user: User | AnonymousUser) -> frozenset[str]:
    """The namespaces whose private repos this person's own Hub rights may read: their Hub account and its
    organisations, from a whoami no older than the identity period (the cached answer, else one call). When
    the Hub cannot say, their own account only: someone who left an organisation does not keep what it hides."""
    try:
        status = token_status(user)
    except TokenKeyError:
        return frozenset()
    if status is None or status.state != "valid":
        return frozenset()
    names = {status.hub_username} if status.hub_username else set()
    try:
        identity = current_identity(user)
    except HubError:
        identity = None
    if identity is not None and identity.name == status.hub_username:
        names.update(org.name for org in identity.orgs if org.role != "no_access")  # a member who reads nothing
    return frozenset(names)


def namespaces_members_write() -> set[str]:
    """The namespaces the active members' tokens manage, as last known (no Hub call): their Hub accounts and
    the organisations they admin or write in. What an admin may pick for a capability's watched namespaces."""
    from django.contrib.auth.models import User

    statuses = token_statuses(User.objects.filter(is_active=True))
    members = User.objects.in_bulk(list(statuses))
    names: set[str] = set()
    for user_id, status in statuses.items():
        if status.state != "valid" or status.role == "read" or not status.hub_username:
            continue
        names.add(status.hub_username)
        identity = last_known_identity(members[user_id]) if user_id in members else None
        if identity is not None:
            names.update(org.name for org in identity.orgs if org.role in WRITE_ROLES)
    return names
