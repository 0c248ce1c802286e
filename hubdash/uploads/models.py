"""Uploads: what a member sent to a repo through hubdash, and how far its push got."""

from __future__ import annotations

from django.conf import settings
from django.db import models

QUEUED, PUSHING, DONE, FAILED = "queued", "pushing", "done", "failed"
STATES = [(QUEUED, "queued"), (PUSHING, "pushing"), (DONE, "done"), (FAILED, "failed")]
ACTIVE = (QUEUED, PUSHING)


class Upload(models.Model):
    """One upload: its files wait in `HUBDASH_UPLOAD_DIR/<staging>/` until a job pushes them.

    `heartbeat_at` is refreshed by the job while it pushes: the task backend has no lease of its own, so a
    push whose heartbeat went stale belongs to a worker that was killed or restarted (`sweep.py`).
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    repo_type = models.CharField(max_length=16)
    repo_id = models.CharField(max_length=200)
    branch = models.CharField(max_length=200, default="main")
    create_pr = models.BooleanField(default=False)
    message = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    files = models.JSONField(default=list)  # [{"path": "in/the/repo.bin", "size": 123}], in upload order
    staging = models.CharField(max_length=64, unique=True)  # folder name under HUBDASH_UPLOAD_DIR
    state = models.CharField(max_length=8, choices=STATES, default=QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=500, blank=True)  # why it failed, in plain words
    commit_url = models.URLField(max_length=500, blank=True)
    pr_url = models.URLField(max_length=500, blank=True)
    private = models.BooleanField(null=True)  # the repo's visibility when uploaded, for the feed
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=["repo_type", "repo_id", "-created_at"]),
            models.Index(fields=["state", "heartbeat_at"]),
        )

    def __str__(self) -> str:
        return f"{self.repo_id}: {len(self.files)} file(s), {self.state}"

    @property
    def total_bytes(self) -> int:
        return sum(int(f.get("size", 0)) for f in self.files)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE
