"""The table the hub package owns: each person's Hub token, sealed. Nothing outside `hubdash.hub` reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class HubToken(models.Model):
    """One person's Hub access token. The token itself exists only as `ciphertext`.

    `kind` says where it came from: pasted on the token page, or issued by the Hub when the person signed
    in with Hugging Face (OAuth). An OAuth token expires and comes with a refresh token, sealed the same way.
    """

    PASTED = "pasted"
    OAUTH = "oauth"

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
    kind = models.CharField(
        max_length=16, choices=[(PASTED, "pasted"), (OAUTH, "Hugging Face sign-in")], default=PASTED
    )
    refresh_ciphertext = models.BinaryField(null=True, blank=True)
    refresh_key_id = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    oauth_scopes = models.JSONField(default=list, blank=True)
    granted_orgs = models.JSONField(default=list, blank=True)  # [{"name", "role"}] as consented
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Hub token …{self.last4} of {self.user}"


class HubLink(models.Model):
    """The Hub account a person signs in with: matched by the Hub's stable `sub`, never by a name that can change."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_link")
    sub = models.CharField(max_length=64, unique=True)
    hub_username = models.CharField(max_length=96)
    linked_at = models.DateTimeField(auto_now_add=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} is {self.hub_username} on the Hub"
