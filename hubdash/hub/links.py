"""Which hubdash person is which Hub account, by the Hub's stable `sub` (a renamed account stays the same person)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def user_id_for(sub: str) -> int | None:
    from .models import HubLink

    return HubLink.objects.filter(sub=sub).values_list("user_id", flat=True).first()


def sub_of(user: User) -> str | None:
    from .models import HubLink

    return HubLink.objects.filter(user=user).values_list("sub", flat=True).first()


def link(user: User, sub: str, hub_username: str) -> None:
    """Remember that `user` signs in as the Hub account `sub` (now called `hub_username`)."""
    from .models import HubLink

    HubLink.objects.update_or_create(
        user=user, defaults={"sub": sub, "hub_username": hub_username[:96], "signed_in_at": timezone.now()}
    )
