"""What the shell shows of the signed-in person's Hub account (the account menu), from what hubdash stores."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Literal

from django.contrib.auth.models import AnonymousUser, User

from hubdash import hub


@dataclass(frozen=True)
class HubAccount:
    hub_name: str | None
    avatar_url: str | None
    token_state: Literal["none", "valid", "rejected"]
    last4: str | None


def account_for(user: User | AnonymousUser) -> HubAccount:
    """From the stored token and a cached whoami only: the menu never waits on the Hub."""
    status = hub.token_status(user)
    if status is None:
        return HubAccount(hub_name=None, avatar_url=None, token_state="none", last4=None)  # noqa: S106 (a state, not a secret)
    identity = hub.cached_identity(user)  # the same row as token_status: no second query
    return HubAccount(
        hub_name=identity.name if identity else status.hub_username,
        avatar_url=identity.avatar_url if identity else None,
        token_state=status.state,
        last4=status.last4,
    )


def shell_parts(user: User) -> tuple[object, ...]:
    """What base.html shows of the signed-in person: part of the key of a page kept whole (a listing)."""
    account = account_for(user)
    return (user.pk, user.get_username(), user.is_superuser, *astuple(account))
