"""The background job that pushes an upload to the Hub (django-tasks, run by `manage.py db_worker`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from hubdash import hub
from hubdash.core.heartbeat import heartbeat
from hubdash.hub import upload as hub_upload

from . import staging
from .models import PUSHING, QUEUED, Upload
from .outcomes import finish
from .sweep import sweep

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

STOPPED = "The worker was stopped while pushing this upload. Check the repo's history, then upload again."
INTERNAL = "hubdash could not push this upload (an internal error, logged). Upload it again."


@task()
def push_upload(upload_id: int) -> str:
    """Push one upload with its member's own token; whatever happens, it ends done or failed."""
    sweep()
    claimed = Upload.objects.filter(id=upload_id, state=QUEUED).update(state=PUSHING, heartbeat_at=timezone.now())
    if not claimed:  # already pushed, or failed by a sweep: never push twice
        return "not queued"
    upload = Upload.objects.select_related("member").get(id=upload_id)
    try:
        beating = Upload.objects.filter(id=upload_id, state=PUSHING)
        with heartbeat(beating, float(settings.UPLOAD_HEARTBEAT_SECONDS), name=f"upload-{upload_id}"):
            pushed = _push(upload)
    except hub.HubError as err:
        finish(upload, reason=_reason(err, upload.member))
        return "failed"
    except Exception:
        logger.exception("upload %s could not be pushed", upload_id)
        finish(upload, reason=INTERNAL)
        return "failed"
    except BaseException:  # the worker is being stopped (its second Ctrl-C): say so before it goes
        finish(upload, reason=STOPPED)
        raise
    finish(upload, pushed=pushed)
    return "done"


def _push(upload: Upload) -> hub_upload.Pushed:
    try:
        client = hub.client_for(upload.member)  # the member's own token, never anyone else's
    except hub.TokenKeyError:
        raise hub.BadToken("hubdash can no longer decrypt your stored token (its key was removed).") from None
    local = staging.files_of(upload.staging, len(upload.files))
    missing = [f["path"] for f, path in zip(upload.files, local, strict=True) if not path.is_file()]
    if missing:
        raise hub.InvalidRequest(
            f"The staged copy of {', '.join(missing)} is gone from {settings.UPLOAD_DIR}: "
            "is it storage this worker shares with the web server?"
        )
    return hub_upload.push_files(
        client,
        upload.repo_type,  # type: ignore[arg-type]
        upload.repo_id,
        [(path, f["path"]) for f, path in zip(upload.files, local, strict=True)],
        known={
            path: (int(f["size"]), f["sha256"]) for f, path in zip(upload.files, local, strict=True) if "sha256" in f
        },
        branch=upload.branch,
        message=upload.message,
        description=upload.description,
        create_pr=upload.create_pr,
    )


def _reason(err: hub.HubError, member: User) -> str:
    """The Hub's refusal in plain words, as the other repo actions say it."""
    if isinstance(err, hub.NoToken):
        return "Your Hub token was removed before the push: connect a token with write access, then upload again."
    if isinstance(err, hub.BadToken):
        return "The Hub rejected your token (revoked or expired). Connect it again, then upload again."
    if isinstance(err, hub.NoAccess):
        status = hub.token_status(member)
        if status is not None and status.role == "read":
            return "Your Hub token is read-only: connect a token with write access to upload."
        return f"The Hub refused the push: {err.message}"
    if isinstance(err, hub.HubUnavailable):
        return f"{err.message} The Hub did not confirm a commit: check the repo's history before uploading again."
    return err.message
