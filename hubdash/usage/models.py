"""The usage app's tables: the namespaces watched, the repos followed across renames, one snapshot per repo a day."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Watched(models.Model):
    """A namespace an admin chose to snapshot daily, with the storage quota they entered (the Hub's API gives none)."""

    namespace = models.CharField(max_length=96, unique=True)
    quota_bytes = models.BigIntegerField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the last run said of this namespace: "" when it went well, else why it failed or was skipped.
    last_problem = models.CharField(max_length=300, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("namespace",)

    def __str__(self) -> str:
        return self.namespace


class TrackedRepo(models.Model):
    """A repo hubdash has snapshots of, by its current name; its history stays when it is renamed (matched
    through the Hub's `_id` or the feed's move events) or deleted (marked)."""

    kind = models.CharField(max_length=10)
    repo_id = models.CharField(max_length=200)
    namespace = models.CharField(max_length=96)
    hub_id = models.CharField(max_length=40, blank=True)  # "" when the Hub gave none
    private = models.BooleanField(default=False)  # as the last snapshot saw it
    former_ids = models.JSONField(default=list, blank=True)
    first_day = models.DateField()
    last_day = models.DateField()
    deleted_on = models.DateField(null=True, blank=True)  # the first day it was no longer listed

    class Meta:
        constraints = (models.UniqueConstraint(fields=["kind", "repo_id"], name="usage_one_repo_per_name"),)
        indexes = (
            models.Index(fields=["namespace", "kind"], name="usage_repo_namespace"),
            models.Index(fields=["hub_id"], name="usage_repo_hub_id"),
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.repo_id}"


class Snapshot(models.Model):
    """One repo's figures on one UTC date, as the Hub gave them (None where it gave nothing)."""

    repo = models.ForeignKey(TrackedRepo, on_delete=models.CASCADE, related_name="snapshots")
    namespace = models.CharField(max_length=96)  # the repo's namespace that day
    day = models.DateField()
    downloads_30d = models.BigIntegerField(null=True)
    downloads_all_time = models.BigIntegerField(null=True)
    # Downloads since the repo's previous snapshot (None on its first), and the days missed in between: more
    # than 0 means this is the sum over a gap, shown on the first day after it and marked so.
    downloads_gained = models.BigIntegerField(null=True)
    days_missed = models.IntegerField(null=True)
    likes = models.IntegerField(null=True)
    used_storage = models.BigIntegerField(null=True)
    private = models.BooleanField(null=True)
    gated = models.CharField(max_length=8, blank=True)  # "", auto, manual
    visibility = models.CharField(max_length=10, blank=True)  # from the settings list: public, private, protected
    last_modified = models.DateTimeField(null=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["repo", "day"], name="usage_one_snapshot_per_day"),)
        indexes = (
            models.Index(fields=["namespace", "day"], name="usage_snapshot_namespace_day"),
            models.Index(fields=["day"], name="usage_snapshot_day"),
        )

    def __str__(self) -> str:
        return f"{self.repo_id} {self.day}"
