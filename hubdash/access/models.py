"""The mirror of the Hub's access requests on the team's gated repos, and saved rejection reasons.

The Hub sends no webhook for access requests: the scheduled refresh (`jobs.py`) copies its lists here and
every page reads these rows, never the Hub. A request's personal fields are kept while it is pending and for
`HUBDASH_ACCESS_RETENTION_DAYS` after its decision, then blanked (`personal_removed_at`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from hubdash.hub.repo_types import Kind

PENDING, ACCEPTED, REJECTED, WITHDRAWN = "pending", "accepted", "rejected", "withdrawn"
# `withdrawn`: gone from every list of the Hub (the requester cancelled, or the Hub dropped it).
STATUSES = [(PENDING, "pending"), (ACCEPTED, "accepted"), (REJECTED, "rejected"), (WITHDRAWN, "withdrawn")]
REASON_MAX = 200  # the Hub's limit on a rejection reason


class GatedRepo(models.Model):
    """A repo of a watched namespace that the refresh found gated (or once did: `gated` False since)."""

    kind = models.CharField(max_length=16)  # model or dataset
    repo_id = models.CharField(max_length=200)
    namespace = models.CharField(max_length=96)
    gating = models.CharField(max_length=16, blank=True)  # "auto" or "manual"; "" when no longer gated
    gated = models.BooleanField(default=True)
    hides_requesters = models.BooleanField(default=False)  # the Hub gives no requester's details
    first_seen = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)  # the last complete read of its lists
    last_error = models.CharField(max_length=300, blank=True)  # why the last read failed, in plain words
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("namespace", "repo_id")
        constraints = (models.UniqueConstraint(fields=["kind", "repo_id"], name="access_gated_repo"),)
        indexes = (models.Index(fields=["namespace", "gated"], name="access_repo_namespace"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.repo_id}"

    @property
    def hub_kind(self) -> Kind:
        return cast("Kind", self.kind)

    @property
    def name(self) -> str:
        return self.repo_id.partition("/")[2]


class AccessRequest(models.Model):
    """One request as the Hub last listed it, with what hubdash adds: who decided here, and why.

    `identity` is what stays the same across the Hub's lists: `user:<Hub user id or username>`, or
    `request:<request id>` when the repo hides its requesters.
    """

    repo = models.ForeignKey(GatedRepo, on_delete=models.CASCADE, related_name="requests")
    namespace = models.CharField(max_length=96)  # the repo's, copied for the queue's filters
    identity = models.CharField(max_length=200)
    request_id = models.CharField(max_length=64, blank=True)
    hub_user_id = models.CharField(max_length=64, blank=True)
    username = models.CharField(max_length=96, blank=True)
    fullname = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)  # "" when not shared
    verified_orgs = models.JSONField(default=list, blank=True)
    orgs = models.JSONField(default=list, blank=True)
    is_pro = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)  # the repo hid this requester's details
    status = models.CharField(max_length=12, choices=STATUSES, default=PENDING)
    requested_at = models.DateTimeField()
    fields = models.JSONField(default=dict, blank=True)  # the gate form's answers, label -> text
    email_domain = models.CharField(max_length=254, blank=True)  # lower case, for the domain filter
    search_text = models.TextField(blank=True)  # every shown field in lower case, for the text filter
    reviewed_at = models.DateTimeField(null=True, blank=True)  # the Hub's review time
    granted_by = models.CharField(max_length=96, blank=True)  # the Hub's `grantedBy`
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # who decided through hubdash
    decided_by_rule = models.CharField(max_length=200, blank=True)  # the rule that decided, by name
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)  # when hubdash saw or made the decision
    reopened_by_person = models.BooleanField(default=False)  # a person moved it back to pending: rules leave it
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    personal_removed_at = models.DateTimeField(null=True, blank=True)  # retention blanked the personal fields

    class Meta:
        ordering = ("-requested_at", "-id")
        constraints = (models.UniqueConstraint(fields=["repo", "identity"], name="access_request_identity"),)
        indexes = (
            models.Index(fields=["status", "-requested_at"], name="access_status_time"),
            models.Index(fields=["namespace", "status", "-requested_at"], name="access_ns_status_time"),
            models.Index(fields=["repo", "status", "-requested_at"], name="access_repo_status_time"),
            models.Index(fields=["decided_at"], name="access_decided_at"),
            models.Index(fields=["email_domain"], name="access_email_domain"),
        )

    def __str__(self) -> str:
        return f"{self.username or self.request_id}: {self.status}"

    @property
    def who(self) -> str:
        return self.username or ("hidden requester" if self.hidden else "unknown")


class NamespaceRefresh(models.Model):
    """How the refresh of one namespace last went: when it read the Hub, or why it could not."""

    namespace = models.CharField(max_length=96, unique=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)  # the last refresh that read every repo
    attempted_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)  # no delegate, or the delegate's rights lapsed
    outcome = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.namespace}: {self.outcome or self.paused_reason}"


class SavedReason(models.Model):
    """A rejection reason the namespace's people keep at hand."""

    namespace = models.CharField(max_length=96)
    text = models.CharField(max_length=REASON_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("namespace", "text")
        constraints = (models.UniqueConstraint(fields=["namespace", "text"], name="access_saved_reason"),)

    def __str__(self) -> str:
        return f"{self.namespace}: {self.text}"


from .models_rules import *  # noqa: E402, F403
