"""What hubdash knows of its people beyond Django's user. Hub tokens belong to `hubdash.hub`."""

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

    def __str__(self) -> str:
        return f"member {self.user}"


def note_deactivation(sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Keep when someone is deactivated (pre_save of User), whichever page or command does it: the Team
    page, the Django admin, the shell. Saves of active people and of other fields cost no query."""
    if instance.is_active or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return
    if User.objects.filter(pk=instance.pk, is_active=True).exists():
        Member.objects.update_or_create(user_id=instance.pk, defaults={"deactivated_at": timezone.now()})


# Models defined beside the code that uses them (invitations, the sign-in policy), registered here.
from .invitations import Invitation  # noqa: E402
from .oauth_admission import SignInPolicy  # noqa: E402

__all__ = ["Invitation", "Member", "SignInPolicy"]
