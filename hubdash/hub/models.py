"""The table the hub package owns: each person's Hub token, sealed. Nothing outside `hubdash.hub` reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HubToken(models.Model):
    """One person's Hub access token. The token itself exists only as `ciphertext`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_token")
    ciphertext = models.BinaryField()
    key_id = models.CharField(max_length=64)
    last4 = models.CharField(max_length=4)
    role = models.CharField(max_length=32)
    scopes = models.JSONField(default=list, blank=True)
    hub_username = models.CharField(max_length=96)
    verified_at = models.DateTimeField()
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Hub token …{self.last4} of {self.user}"
