"""Events (one row per change, whoever made it) and the webhook secrets admins create."""

from __future__ import annotations

import hashlib
import secrets as secrets_module

from django.conf import settings
from django.db import models
from django.utils import timezone

SOURCES = {"hub": "Hub webhook", "legacy": "Legacy webhook", "hubdash": "hubdash"}

# What happened, coarse enough to filter on, each with its icon (heroicons outline).
ACTIONS: dict[str, tuple[str, str]] = {
    "create": ("Created", "plus-circle"),
    "push": ("Pushed", "arrow-up-tray"),
    "settings": ("Settings", "cog-6-tooth"),
    "move": ("Moved", "arrows-right-left"),
    "delete": ("Deleted", "trash"),
    "discussion": ("Discussions", "chat-bubble-left-right"),
    "comment": ("Comments", "chat-bubble-left-ellipsis"),
    "update": ("Updated", "pencil-square"),
    "team": ("Team", "user-group"),
    "access": ("Access requests", "key"),
}
REPO_TYPES = ("model", "dataset", "space")


class Event(models.Model):
    source = models.CharField(max_length=8, choices=list(SOURCES.items()))
    action = models.CharField(max_length=12, choices=[(k, v[0]) for k, v in ACTIONS.items()])
    summary = models.CharField(max_length=300)  # "pushed to main", read after who and before which repo
    repo_type = models.CharField(max_length=16, blank=True)
    repo_id = models.CharField(max_length=200, blank=True)
    namespace = models.CharField(max_length=96, blank=True)
    private = models.BooleanField(null=True)  # None: the source did not say (legacy webhooks)
    # Shown only to admins and the namespace's people: a private repo, or one whose visibility is unknown.
    restricted = models.BooleanField(default=False)
    actor = models.CharField(max_length=150, blank=True)  # who acted: Hub user (name or id) or hubdash member
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Whom a team change concerned (the actor when people change their own account), kept by name too so
    # the record still says whom once the account is gone.
    subject = models.CharField(max_length=150, blank=True)
    subject_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)  # the payload's facts the feed shows
    received_at = models.DateTimeField(default=timezone.now)
    raw_body = models.BinaryField(null=True, blank=True)  # webhooks: exactly as received (at most 1 MB)
    headers = models.JSONField(default=dict, blank=True)  # a few, never the secret
    verified_by = models.CharField(max_length=100, blank=True)  # which secret matched
    # sha-256 of the raw body while a repeat counts as a retry; the database refuses a second row.
    dedupe_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    duplicates = models.PositiveIntegerField(default=0)  # deliveries of the same body collapsed into this one

    class Meta:
        ordering = ("-id",)
        indexes = (
            # The feed pages by id (keyset, newest first); each filter has its own index ending in id.
            models.Index(fields=["source", "-id"], name="activity_source_id"),
            models.Index(fields=["action", "-id"], name="activity_action_id"),
            models.Index(fields=["repo_type", "-id"], name="activity_type_id"),
            models.Index(fields=["repo_id", "-id"], name="activity_repo_id"),
            models.Index(fields=["namespace", "-id"], name="activity_namespace_id"),
            models.Index(fields=["actor", "-id"], name="activity_actor_id"),
            models.Index(fields=["subject", "-id"], name="activity_subject_id"),
            models.Index(fields=["restricted", "-id"], name="activity_restricted_id"),
            models.Index(fields=["received_at"], name="activity_received_at"),
        )

    def __str__(self) -> str:
        return f"{self.actor or 'someone'} {self.summary} {self.repo_id}".strip()

    @property
    def icon(self) -> str:
        return ACTIONS.get(self.action, ACTIONS["update"])[1]

    @property
    def source_label(self) -> str:
        return SOURCES.get(self.source, self.source)

    @property
    def links_to_repo(self) -> bool:
        # A test event's repo is made up: a link would lead to a repo that does not exist.
        made_up = isinstance(self.details, dict) and self.details.get("test") is True
        return self.repo_type in REPO_TYPES and "/" in self.repo_id and self.action != "delete" and not made_up


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()


class WebhookSecret(models.Model):
    """A secret an admin generated for a Hub webhook. Only its digest is kept: the Hub is told it once."""

    label = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.label} (…{self.last4})"

    @classmethod
    def generate(cls, label: str, created_by: object = None) -> tuple[WebhookSecret, str]:
        """A new active secret and its plain value, which is never stored nor shown again."""
        value = "whs_" + secrets_module.token_urlsafe(32)
        row = cls.objects.create(label=label, digest=secret_digest(value), last4=value[-4:], created_by=created_by)
        return row, value

    def retire(self) -> None:
        self.retired_at = timezone.now()
        self.save(update_fields=["retired_at"])
