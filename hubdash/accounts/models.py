"""What hubdash knows of its people beyond Django's user. Hub tokens belong to `hubdash.hub`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Member(models.Model):
    """What hubdash knows of a person beyond Django's user: when they were last active."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    last_seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"member {self.user}"


# Models defined beside the code that uses them (invitations, the sign-in policy), registered here.
from .invitations import Invitation  # noqa: E402
from .oauth_admission import SignInPolicy  # noqa: E402

__all__ = ["Invitation", "Member", "SignInPolicy"]
