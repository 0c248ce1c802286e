"""Which namespaces a person's token may change repos in, as a function of the person (shared by apps)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tokens import current_identity, last_known_identity, token_status

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
