"""What the task backend lacks: a lease. A push whose worker was killed or restarted must not stay
"pushing" for ever, so the job beats while it pushes and this sweep fails uploads whose beat went
stale (and queued ones whose job ended or vanished), then removes staged files nobody will push.

It runs when a worker starts (`sweep_uploads`, the Procfile), before each job, and on the pages that
show uploads; it is a few indexed queries, and safe to run anywhere at once (`outcomes.finish` lets
only one of several sweeps end an upload).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import staging
from .models import ACTIVE, PUSHING, QUEUED, Upload
from .outcomes import finish

WORKER_LOST = (
    "The worker pushing this upload stopped (restarted or killed) before the Hub confirmed a commit. "
    "Check the repo's history, then upload again."
)
NEVER_RAN = "The job for this upload ended without pushing it (its worker stopped, or it was never queued)."


def stale_after() -> timedelta:
    """Four missed heartbeats, and never less than a few seconds."""
    return timedelta(seconds=max(2.0, 4 * settings.UPLOAD_HEARTBEAT_SECONDS))


def sweep() -> int:
    """Fail the uploads whose worker is gone; remove staged files no upload will push. How many failed."""
    from django_tasks_db.models import DBTaskResult  # the task backend's table, read only to find dead jobs

    now = timezone.now()
    cutoff = now - stale_after()
    failed = 0
    for upload in Upload.objects.filter(state=PUSHING, heartbeat_at__lt=cutoff).select_related("member"):
        if finish(upload, reason=WORKER_LOST):
            failed += 1
            if upload.task_id:  # the backend's row too, or it would say "running" for ever
                DBTaskResult.objects.filter(id=upload.task_id, status="RUNNING").update(
                    status="FAILED", finished_at=now
                )
    queued = list(Upload.objects.filter(state=QUEUED, created_at__lt=cutoff).select_related("member"))
    jobs = {str(job.id): job for job in DBTaskResult.objects.filter(id__in=[u.task_id for u in queued if u.task_id])}
    for upload in queued:
        job = jobs.get(upload.task_id)
        running_since = job.started_at if job is not None and job.status == "RUNNING" else None
        if job is None or job.status in ("FAILED", "SUCCESSFUL") or (running_since and running_since < cutoff):
            if finish(upload, reason=NEVER_RAN):
                failed += 1
    keep = set(Upload.objects.filter(state__in=ACTIVE).values_list("staging", flat=True))
    young = {u for u in staging.staged_folders() if _younger_than(u, cutoff.timestamp())}
    for name in set(staging.staged_folders()) - keep - young:
        staging.remove(name)
    staging.remove_stale_incoming()
    return failed


def _younger_than(name: str, cutoff: float) -> bool:
    """A folder staged a moment ago whose upload row is being written: not an orphan yet."""
    try:
        return staging.folder(name).stat().st_mtime >= cutoff
    except FileNotFoundError:
        return False


__all__ = ["NEVER_RAN", "WORKER_LOST", "stale_after", "sweep"]
