"""The Upload tab of a repo page: send files (streamed to disk), queue their push, watch it finish.

The POST only stores the files and queues a job (`tasks.push_upload`); the Hub sees nothing until the
form is valid and the files are staged. The list of uploads is a region of its own: it is redrawn when a
queued upload's answer says so (the `hubdash:uploads-changed` event), and polls itself while one is
queued or pushing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import hub_error_page
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import Kind
from hubdash.repos.access import RepoAccess
from hubdash.repos.pages import repo_context, writable_or_refusal, write_refusal

from . import staging
from .forms import UploadForm
from .handlers import sha256_of, too_large
from .models import ACTIVE, Upload
from .sweep import sweep
from .tasks import push_upload

SHOWN = 20  # uploads listed on the tab, newest first
UPLOADS_CHANGED = "hubdash:uploads-changed"  # the event the list of uploads listens for (uploads/_uploads.html)


def _uploads(kind: Kind, repo_id: str) -> dict[str, Any]:
    uploads = list(Upload.objects.filter(repo_type=kind, repo_id=repo_id).select_related("member")[:SHOWN])
    return {"uploads": uploads, "uploads_active": any(u.state in ACTIVE for u in uploads)}


def _page(
    request: AuthedRequest, access: RepoAccess, form: UploadForm | None = None, status: int = 200, **extra: Any
) -> HttpResponse:
    context = repo_context(access, "upload")
    context.update(
        form=form or UploadForm(initial={"branch": "main"}),
        max_bytes=settings.UPLOAD_MAX_BYTES,
        **_uploads(access.kind, access.repo_id),
        **extra,
    )
    template = "uploads/upload.html#panel" if request.htmx and not request.htmx.history_restore_request else None
    return render(request, template or "uploads/upload.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def upload(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """The Upload tab (GET), or files sent from it (POST): staged, then queued for a background push."""
    repo_id = f"{namespace}/{name}"
    if request.method != "POST":
        access = writable_or_refusal(request, kind, repo_id)
        if isinstance(access, HttpResponse):
            return access
        sweep()
        return _page(request, access)
    files: list[UploadedFile[bytes]] = []
    try:
        access = writable_or_refusal(request, kind, repo_id)
        if isinstance(access, HttpResponse):
            return access
        files = request.FILES.getlist("files")  # the body streams to disk here (if CSRF did not read it yet)
        oversized = too_large(request)
        if oversized is not None:
            limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
            refusal = f"{oversized} is larger than the limit of {limit} per file: nothing was uploaded."
            kept = UploadForm(initial={k: request.POST.get(k) for k in ("branch", "message", "description")})
            return _page(request, access, kept, 413, refusal=refusal)
        form = UploadForm(
            request.POST,
            files_list=files,
            paths=request.POST.getlist("path"),
            max_bytes=settings.UPLOAD_MAX_BYTES,
        )
        if not form.is_valid():
            return _page(request, access, form, 400)
        return _queue(request, access, form)
    finally:
        for uploaded in files:  # the request's own temporary files; staged ones are hard links of their own
            uploaded.close()


def _queue(request: AuthedRequest, access: RepoAccess, form: UploadForm) -> HttpResponse:
    data = form.cleaned_data
    name = staging.new_staging()
    temporary = [f for f, _ in form.entries if isinstance(f, TemporaryUploadedFile)]
    if len(temporary) != len(form.entries):  # settings.FILE_UPLOAD_HANDLERS keeps every file on disk
        raise RuntimeError("an upload was kept in memory: FILE_UPLOAD_HANDLERS must stream to disk")
    try:
        staging.stage(name, temporary)
    except OSError:
        staging.remove(name)
        refusal = "hubdash could not store the files (is the upload folder full?): nothing was uploaded."
        return _page(request, access, form, 507, refusal=refusal)
    upload = Upload.objects.create(
        member=request.user,
        repo_type=access.kind,
        repo_id=access.repo_id,
        branch=data["branch"],
        create_pr=data["create_pr"],
        message=data["message"],
        description=data["description"],
        files=[_entry(uploaded, path) for uploaded, path in form.entries],
        staging=name,
        private=access.detail.summary.private,
    )
    job = push_upload.enqueue(upload.id)
    Upload.objects.filter(id=upload.id).update(task_id=str(job.id))
    count = len(form.entries)
    where = f"a pull request against {upload.branch}" if upload.create_pr else upload.branch
    done = f"{count} file{'s' if count != 1 else ''} received; pushing to {where} in the background."
    if request.htmx:  # the form answers; the list of uploads redraws itself on the event
        return trigger_client_event(_page(request, access, done=done), UPLOADS_CHANGED)
    messages.success(request, done)
    namespace, name = access.repo_id.split("/", 1)
    return redirect(reverse(f"{access.kind}-upload", kwargs={"namespace": namespace, "name": name}))


def _entry(uploaded: UploadedFile[bytes], path: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"path": path, "size": uploaded.size or 0}
    if (digest := sha256_of(uploaded)) is not None:
        entry["sha256"] = digest  # hashed as it arrived: the push need not read the file for it
    return entry


@require_safe
def upload_list(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """The uploads of this repo and their states (the tab polls it while a push is under way).

    Access from what hubdash knows (the stored token may write in the namespace, its cached whoami), so
    that polling every few seconds costs the Hub at most a whoami when that answer has expired.
    """
    repo_id = f"{namespace}/{name}"
    if not hub_repos.valid_repo_id(repo_id):
        return hub_error_page(request, hub.NotFound("That is not a valid repo name."), what=repo_id)
    refusal = write_refusal(request, repo_id)
    if refusal is not None:
        return refusal
    sweep()
    context = {"kind": kind, "repo_id": repo_id, **_uploads(kind, repo_id)}
    return render(request, "uploads/_uploads.html", context)
