"""The jobs app's tables: one row per run of a scheduled job, who lends their token, and what is paused."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

QUEUED, RUNNING, DONE, FAILED, PAUSED = "queued", "running", "done", "failed", "paused"
STATES = {QUEUED: "Queued", RUNNING: "Running", DONE: "Done", FAILED: "Failed", PAUSED: "Paused"}
SCHEDULE, RUN_NOW = "schedule", "run_now"

# What a person may lend their token for, as the profile says it ("use my token for this team's …").
CAPABILITIES = {"access": "access requests", "usage": "usage snapshots", "discussions": "discussions inbox"}


class ScheduledRun(models.Model):
    """One run of a registered job: a scheduled period's, or one someone asked for with "Run now".

    A scheduled period has one row at most (the partial unique constraint), whatever the number of
    schedulers inserting it; a "Run now" is the moment it was asked for, outside the constraint, so that it
    never takes (or is refused) a period's place. A worker claims a row by moving it from queued to running
    in one UPDATE: of two workers handed the same row, one runs it.
    """

    job = models.CharField(max_length=100)
    period_start = models.DateTimeField()
    trigger = models.CharField(max_length=10, choices=[(SCHEDULE, "Schedule"), (RUN_NOW, "Run now")])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=list(STATES.items()), default=QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # while running: its worker is alive
    outcome = models.CharField(max_length=300, blank=True)  # the line the jobs page shows
    detail = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["job", "period_start"], condition=Q(trigger=SCHEDULE), name="jobs_one_run_per_period"
            ),
        )
        indexes = (models.Index(fields=["job", "-created_at"], name="jobs_run_latest"),)

    def __str__(self) -> str:
        return f"{self.job} {self.period_start:%Y-%m-%d %H:%M} {self.state}"

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)


class Delegation(models.Model):
    """A person's word that their token does this team's unattended <capability> work in <namespace>."""

    capability = models.CharField(max_length=20, choices=list(CAPABILITIES.items()))
    namespace = models.CharField(max_length=96)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["capability", "namespace"], name="jobs_one_delegate_per_namespace"),
        )

    def __str__(self) -> str:
        return f"{self.capability} in {self.namespace}: {self.person_id}"


class Pause(models.Model):
    """Unattended work that stopped for a namespace, and why in plain words, until someone takes it on."""

    capability = models.CharField(max_length=20, choices=list(CAPABILITIES.items()))
    namespace = models.CharField(max_length=96)
    reason = models.CharField(max_length=300)
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["capability", "namespace"], name="jobs_one_pause_per_namespace"),
        )

    def __str__(self) -> str:
        return f"{self.capability} in {self.namespace} paused: {self.reason}"
