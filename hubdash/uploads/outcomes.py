"""How an upload ends: its row says so once, the feed says so once, its staged files are gone."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hubdash.activity import record
from hubdash.hub.upload import Pushed

from . import staging
from .models import ACTIVE, DONE, FAILED, Upload


def summary(upload: Upload, failed: bool) -> str:
    count = len(upload.files)
    files = upload.files[0]["path"] if count == 1 else f"{count} files"
    if upload.create_pr:
        text = f"pull request with {files} against {upload.branch}"
        return f"{text} failed" if failed else f"opened a {text}"
    return f"upload of {files} to {upload.branch} failed" if failed else f"uploaded {files} to {upload.branch}"


def finish(upload: Upload, *, reason: str = "", pushed: Pushed | None = None) -> bool:
    """Mark a queued or pushing upload done (`pushed`) or failed (`reason`), record it, remove its files.

    Only the first to finish it wins (a job and a sweep may race): False when it had already ended.
    """
    fields: dict[str, Any] = {"finished_at": timezone.now()}
    if pushed is not None:
        fields.update(state=DONE, commit_url=pushed.commit_url, pr_url=pushed.pr_url or "", reason="")
    else:
        fields.update(state=FAILED, reason=reason[:500] or "The upload failed.")
    try:
        won = Upload.objects.filter(id=upload.id, state__in=ACTIVE).update(**fields) == 1
    finally:
        staging.remove(upload.staging)
    if not won:
        return False
    for name, value in fields.items():
        setattr(upload, name, value)
    details: dict[str, Any] = {
        "branch": upload.branch,
        "files": [f["path"] for f in upload.files],
        "bytes": upload.total_bytes,
        "upload": upload.id,
    }
    if pushed is not None:
        details.update(outcome="success", url=pushed.commit_url, commit=pushed.commit_oid)
        if pushed.pr_url:
            details["pr_url"] = pushed.pr_url
    else:
        details.update(outcome="failed", reason=upload.reason)
    record(
        action="push",
        summary=summary(upload, failed=pushed is None),
        member=upload.member,
        repo_type=upload.repo_type,
        repo_id=upload.repo_id,
        private=upload.private,
        details=details,
    )
    return True
