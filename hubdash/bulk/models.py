"""The bulk app's tables: a plan (what to change, on which frozen list of repos), each repo's item in it
(its state before, after, and the outcome: the journal), and the team's approval setting."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

# What a plan changes.
VISIBILITY, GATING, DISCUSSIONS, MOVE, DELETE = "visibility", "gating", "discussions", "move", "delete"
CHANGES = {
    VISIBILITY: "Visibility",
    GATING: "Gating",
    DISCUSSIONS: "Discussions",
    MOVE: "Move",
    DELETE: "Delete",
}

# A plan's life: made (the preview) → confirmed → (waiting for approval →) queued → running → done;
# stopped (a worker died or the person stopped it: starting it again does the rest); declined, expired, cancelled.
PREVIEW, AWAITING, QUEUED, RUNNING, STOPPED, DONE = "preview", "awaiting", "queued", "running", "stopped", "done"
DECLINED, EXPIRED, CANCELLED = "declined", "expired", "cancelled"
PLAN_STATES = {
    PREVIEW: "Not confirmed",
    AWAITING: "Waiting for approval",
    QUEUED: "Queued",
    RUNNING: "Running",
    STOPPED: "Stopped",
    DONE: "Done",
    DECLINED: "Declined",
    EXPIRED: "Expired",
    CANCELLED: "Cancelled",
}
APPROVAL_DAYS = 7  # an undecided plan expires after this long

# Each repo's item: skipped when the plan was made (already so, no right, not a Space), or when the run
# re-read it (changed on the Hub since); pending until the run claims it; then done or refused; not tried
# when the run ended without it (the plan cancelled or stopped for good).
SKIPPED, PENDING, CLAIMED, ITEM_DONE, REFUSED, NOT_TRIED = (
    "skipped",
    "pending",
    "claimed",
    "done",
    "refused",
    "not_tried",
)
ITEM_STATES = {
    SKIPPED: "Skipped",
    PENDING: "To do",
    CLAIMED: "In progress",
    ITEM_DONE: "Done",
    REFUSED: "Refused",
    NOT_TRIED: "Not tried",
}


class Plan(models.Model):
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    change = models.CharField(max_length=12, choices=list(CHANGES.items()))
    # The change's value: visibility private/public/protected, gating off/auto/manual, discussions on/off,
    # move: the namespace; delete: "".
    target = models.CharField(max_length=96, blank=True)
    prefix = models.CharField(max_length=96, blank=True)  # move: a prefix put before each name
    source = models.CharField(max_length=500, blank=True)  # where the selection came from, in words
    more_matched = models.BooleanField(default=False)  # "all that match" matched more than the limit
    state = models.CharField(max_length=10, choices=list(PLAN_STATES.items()), default=PREVIEW)
    calls = models.PositiveIntegerField(default=0)  # Hub calls the run will make, as the preview said
    plan_calls = models.PositiveIntegerField(default=0)  # Hub calls made to make the plan
    estimated_seconds = models.FloatField(default=0)
    quota_share = models.FloatField(null=True, blank=True)  # of the window's calls left, when known
    needs_confirmation = models.BooleanField(default=False)  # public or delete: password or fresh sign-in
    needs_approval = models.BooleanField(default=False)
    undo_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undos")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # while running: its worker is alive
    outcome = models.CharField(max_length=300, blank=True)
    violations = models.JSONField(default=list, blank=True)  # the guardrails it breaks, in words
    # An admin confirmed it against those guardrails, saying why (the feed keeps it too); the run then
    # does not refuse its repos for them.
    override_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = (models.Index(fields=["state", "created_at"], name="bulk_plan_state"),)

    def __str__(self) -> str:
        return f"plan {self.pk}: {self.change} {self.target} ({self.state})"

    @property
    def state_label(self) -> str:
        return PLAN_STATES.get(self.state, self.state)

    @property
    def expires_at(self) -> datetime:
        return (self.confirmed_at or self.created_at) + timedelta(days=APPROVAL_DAYS)


class PlanItem(models.Model):
    """One repo of a plan; with its state before (the journal) and its outcome."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=8)  # model, dataset, space
    repo_id = models.CharField(max_length=200)
    new_id = models.CharField(max_length=200, blank=True)  # move: where it goes
    # The states the plan read ({"visibility": "private", "gating": "off", "discussions": "on"}; None: unknown).
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=list(ITEM_STATES.items()), default=PENDING)
    reason = models.CharField(max_length=300, blank=True)  # why skipped, or the Hub's refusal
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("position",)
        constraints = (models.UniqueConstraint(fields=["plan", "kind", "repo_id"], name="bulk_item_once"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.repo_id} ({self.state})"

    @property
    def state_label(self) -> str:
        return ITEM_STATES.get(self.state, self.state)


class ApprovalSetting(models.Model):
    """The team's choice: do plans that make repos public or delete them need another admin's approval?
    One row (pk 1); no row means no."""

    required = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"approvals {'required' if self.required else 'off'}"

    @classmethod
    def current(cls) -> bool:
        row = cls.objects.filter(pk=1).first()
        return bool(row and row.required)


from .models_saved import *  # noqa: E402, F401, F403, RUF100
