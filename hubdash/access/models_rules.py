"""Rules that settle routine requests, and bulk runs (many decisions applied by one background job).

Imported at the end of models.py; foreign keys name the mirror's models by label, not by import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# What a rule does to the requests it matches.
ACCEPT, REJECT, LEAVE = "accept", "reject", "leave"
RULE_ACTIONS = [(ACCEPT, "Accept"), (REJECT, "Reject"), (LEAVE, "Leave for a person")]


class Rule(models.Model):
    """One rule of a namespace (all its gated repos, or only `repo`); the first that matches a request decides it."""

    namespace = models.CharField(max_length=96)
    repo = models.ForeignKey("access.GatedRepo", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)  # lower first
    name = models.CharField(max_length=100)
    conditions = models.JSONField(default=list, blank=True)  # see conditions.py
    action = models.CharField(max_length=8, choices=RULE_ACTIONS)
    reason = models.CharField(max_length=200, blank=True)  # the rejection reason the requester sees
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("namespace", "position", "id")
        indexes = (models.Index(fields=["namespace", "position"], name="access_rule_order"),)

    def __str__(self) -> str:
        return f"{self.namespace}: {self.name}"


# A bulk run's life: a draft is the preview's plan; confirming queues it; the job runs it (waiting while the
# Hub's rate-limit window resets) until it is done, every item with its outcome.
DRAFT, QUEUED, RUNNING, WAITING, DONE = "draft", "queued", "running", "waiting", "done"
RUN_STATES = [(DRAFT, "preview"), (QUEUED, "queued"), (RUNNING, "running"), (WAITING, "waiting"), (DONE, "done")]
# An item's outcome: "" not tried (yet); done; refused by the Hub; already decided there; withdrawn.
NOT_TRIED, ITEM_DONE, REFUSED, ALREADY, GONE = "", "done", "refused", "already", "withdrawn"
OUTCOMES = [
    (NOT_TRIED, "not tried"),
    (ITEM_DONE, "done"),
    (REFUSED, "refused"),
    (ALREADY, "already decided"),
    (GONE, "withdrawn"),
]


class BulkRun(models.Model):
    """Decisions a person chose together on the queue: `status` for every item, with the person's own token."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12)  # the Hub status to set: accepted, rejected or pending
    reason = models.CharField(max_length=200, blank=True)
    namespaces = models.JSONField(default=list)  # each checked again when the job runs
    state = models.CharField(max_length=8, choices=RUN_STATES, default=DRAFT)
    note = models.CharField(max_length=300, blank=True)  # what the job is doing or waiting for, in plain words
    stopped_because = models.CharField(max_length=300, blank=True)  # why items were left untried
    planned_calls = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-id",)

    def __str__(self) -> str:
        return f"bulk {self.status} #{self.pk} ({self.state})"


class BulkItem(models.Model):
    """One request of a bulk run, with what it was when chosen and what became of it."""

    run = models.ForeignKey(BulkRun, on_delete=models.CASCADE, related_name="items")
    mirror = models.ForeignKey("access.AccessRequest", null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16)
    repo_id = models.CharField(max_length=200)
    who = models.CharField(max_length=200)  # the requester as the queue named them
    user = models.CharField(max_length=96, blank=True)
    user_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=OUTCOMES, default=NOT_TRIED, blank=True)
    message = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (models.Index(fields=["run", "outcome"], name="access_bulk_item_outcome"),)

    def __str__(self) -> str:
        return f"{self.who} on {self.repo_id}: {self.outcome or 'not tried'}"
