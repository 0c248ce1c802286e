"""The mirror of the Hub's discussions and pull requests on the watched namespaces' repos.

Every page reads these rows, never the Hub. They are filled by the first fill (`jobs.py`), kept current by the
webhook's discussion deliveries (`hooks.py`) and, for namespaces no delivery came from lately, by the hourly
paced refresh; the review page writes a row back after each action (`mirror.record_details`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DRAFT, OPEN, CLOSED, MERGED = "draft", "open", "closed", "merged"
STATUSES = [(DRAFT, "draft"), (OPEN, "open"), (CLOSED, "closed"), (MERGED, "merged")]
OPEN_STATUSES = (DRAFT, OPEN)  # what the inbox lists
TITLE_MAX = 300


class Discussion(models.Model):
    """One discussion or pull request of one repo, as the Hub last described it, with what hubdash works out:
    whether its author is a member, and whether it waits on the team ("waiting on us")."""

    repo_type = models.CharField(max_length=16)  # model, dataset or space
    repo_id = models.CharField(max_length=200)
    namespace = models.CharField(max_length=96)  # the repo's, copied for the inbox's filters
    num = models.PositiveIntegerField()
    is_pull_request = models.BooleanField(default=False)
    title = models.CharField(max_length=TITLE_MAX)
    status = models.CharField(max_length=12, choices=STATUSES, default=OPEN)
    author = models.CharField(max_length=96)  # the Hub's username; "deleted" when the Hub has none
    # A member: whoever the Hub marks on the discussion's events as the repo's owner or an organisation
    # member, or the owner of a user namespace. Everyone else is an outsider.
    author_is_member = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()  # the newest event the Hub showed (comment, status, commit…)
    num_comments = models.PositiveIntegerField(default=0)
    # An outsider's item on which no member has commented since its author last wrote.
    waiting_on_us = models.BooleanField(default=False)
    private = models.BooleanField(default=True)  # the repo's visibility; private until hubdash knows
    pinned = models.BooleanField(default=False)
    target_branch = models.CharField(max_length=200, blank=True)  # a pull request's, e.g. refs/heads/main
    search_text = models.TextField(blank=True)  # title, author, repo and number in lower case: the text filter
    details_at = models.DateTimeField(null=True, blank=True)  # when its details (events) were last read
    listed_at = models.DateTimeField(null=True, blank=True)  # when a list of the Hub last showed it
    first_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-last_activity_at", "-id")
        constraints = (
            models.UniqueConstraint(fields=["repo_type", "repo_id", "num"], name="discussions_one_row_per_item"),
        )
        indexes = (
            models.Index(fields=["status", "-last_activity_at"], name="discussions_status_time"),
            models.Index(fields=["namespace", "status", "-last_activity_at"], name="discussions_ns_status_time"),
            models.Index(
                fields=["repo_type", "repo_id", "status", "-last_activity_at"], name="discussions_repo_status_time"
            ),
        )

    def __str__(self) -> str:
        return f"{self.repo_id}#{self.num} ({self.status})"

    @property
    def kind_label(self) -> str:
        return "pull request" if self.is_pull_request else "discussion"

    @property
    def repo_name(self) -> str:
        return self.repo_id.partition("/")[2]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DiscussionRepo(models.Model):
    """A repo of a watched namespace whose discussions hubdash reads, and how its last list went."""

    repo_type = models.CharField(max_length=16)
    repo_id = models.CharField(max_length=200)
    namespace = models.CharField(max_length=96)
    private = models.BooleanField(default=True)
    gone = models.BooleanField(default=False)  # no longer listed in its namespace (deleted, moved, made unseen)
    listed_at = models.DateTimeField(null=True, blank=True)  # the last complete read of its open items
    last_error = models.CharField(max_length=300, blank=True)  # why the last read failed, in plain words
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("namespace", "repo_id")
        constraints = (models.UniqueConstraint(fields=["repo_type", "repo_id"], name="discussions_one_repo"),)
        indexes = (models.Index(fields=["namespace", "gone"], name="discussions_repo_ns"),)

    def __str__(self) -> str:
        return f"{self.repo_type} {self.repo_id}"


class WatchedNamespace(models.Model):
    """A namespace whose repos' discussions the inbox shows (admins choose them), and how its mirror is kept:
    when a discussion delivery last came from it (covered by webhooks for 7 days after), when it was first
    filled and last refreshed, and what the last refresh said."""

    namespace = models.CharField(max_length=96, unique=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_delivery_at = models.DateTimeField(null=True, blank=True)  # the newest discussion webhook delivery
    filled_at = models.DateTimeField(null=True, blank=True)  # the first fill finished
    refreshed_at = models.DateTimeField(null=True, blank=True)  # the last refresh that read every repo
    attempted_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ("namespace",)

    def __str__(self) -> str:
        return self.namespace


class PendingRead(models.Model):
    """An item whose details a webhook delivery asked to read, the read not yet started: further deliveries about
    it enqueue nothing more (a burst of comments is one Hub call). The read removes it as it starts; one left
    behind by a worker that stopped is replaced after `hooks.PENDING_FOR`."""

    repo_type = models.CharField(max_length=16)
    repo_id = models.CharField(max_length=200)
    num = models.PositiveIntegerField()
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["repo_type", "repo_id", "num"], name="discussions_one_pending_read"),
        )

    def __str__(self) -> str:
        return f"{self.repo_id}#{self.num} (read pending since {self.queued_at:%H:%M})"
