"""Bulk decisions: the queue's selection → the preview (a draft run) → confirm → the job's progress and summary.

Every view needs the person to manage the namespaces concerned (their token writes there); a run is seen only
by the person who made it (404 for anyone else: its existence is theirs to know).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import hub_error_page
from hubdash.hub.rights import writable_namespaces
from hubdash.lists import render_list

from . import bulk_runs
from .bulk import REREADS_PER_REPO
from .bulk_forms import MAX_SELECTED, BulkForm
from .models import PENDING, AccessRequest
from .models_rules import DONE, DRAFT, BulkRun
from .selection import matching

NOT_YOURS = "You may not decide access requests in {namespaces}: your Hub token does not manage {them}."


def _not_yours(outside: list[str]) -> str:
    """Why a selection or a run is refused: the namespaces in it the person's token does not manage."""
    return NOT_YOURS.format(namespaces=", ".join(outside), them="it" if len(outside) == 1 else "them")


def _allowed(request: AuthedRequest) -> frozenset[str]:
    return writable_namespaces(request.user)


@require_POST
def bulk_preview(request: AuthedRequest) -> HttpResponse:
    """POST from the queue: the selection and the decision become a draft run, shown as its preview."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        return _refused(request, " ".join(str(e) for errors in form.errors.values() for e in errors), 400, form)
    data = form.cleaned_data
    try:
        allowed = _allowed(request)
    except hub.HubError as err:
        return hub_error_page(request, err)
    rows: QuerySet[AccessRequest]
    if data["all"]:
        rows = matching(QueryDict(data["query"]), allowed)
        total = rows.count()
        if total > MAX_SELECTED:
            return _refused(
                request,
                f"{total:,} requests match this filter; at most {MAX_SELECTED:,} can be decided at once. "
                "Narrow the filter.",
                400,
                form,
            )
    else:
        rows = AccessRequest.objects.filter(pk__in=data["request"])
        outside = sorted(set(rows.exclude(namespace__in=allowed).values_list("namespace", flat=True)))
        if outside:
            return _refused(request, _not_yours(outside), 403, form)
    rows = rows.select_related("repo").order_by("repo__repo_id", "-requested_at", "-id")
    chosen = [r for r in rows if r.status != data["status"] and r.status in _from_statuses(data["status"])]
    skipped = len(rows) - len(chosen) if not data["all"] else 0
    if not chosen:
        return _refused(request, "None of the selected requests can be moved there: nothing to do.", 400, form)
    run = bulk_runs.draft(request.user, chosen, data["status"], data["reason"])
    if skipped:
        messages.info(request, f"{skipped} of the selected requests are already there and were left out.")
    return redirect("access-bulk-run", run_id=run.pk)


def _from_statuses(status: str) -> set[str]:
    # Accepting or rejecting applies to pending requests and reverses decisions; back to pending, to decisions.
    return {PENDING, "accepted", "rejected"} if status != PENDING else {"accepted", "rejected"}


def _refused(request: AuthedRequest, message: str, status: int, form: BulkForm) -> HttpResponse:
    back = reverse("access-queue") if _has_queue() else "/"
    query = form.data.get("query", "") if hasattr(form, "data") else ""
    context = {"message": message, "back": f"{back}?{query}" if query else back}
    return render(request, "access/bulk/refused.html", context, status=status)


def _has_queue() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("access-queue")
    except NoReverseMatch:
        return False
    return True


def _run_for(request: AuthedRequest, run_id: int) -> BulkRun:
    run = get_object_or_404(BulkRun.objects.select_related("created_by"), pk=run_id)
    if run.created_by_id != request.user.pk:
        raise Http404("No such bulk decision.")
    return run


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def bulk_run(request: AuthedRequest, run_id: int) -> HttpResponse:
    """A run: its preview before it is confirmed, then its progress (polled while it runs) and summary."""
    run = bulk_runs.as_seen(_run_for(request, run_id))  # a killed worker's run is said stopped; only shown
    context = _context(run)
    if request.htmx and not request.htmx.history_restore_request and run.state != DRAFT:
        return render(request, "access/bulk/run.html#progress", context)
    return render(request, "access/bulk/run.html", context)


def _context(run: BulkRun) -> dict[str, Any]:
    items = list(run.items.all())
    context: dict[str, Any] = {
        "run": run,
        "items": items,
        "verb": bulk_runs.VERBS[run.status],
        "past": bulk_runs.PAST[run.status],
        "counts": bulk_runs.counts(run),
        "finished": run.state == DONE,
        "item_rows": render_list("access/bulk/items.html", "rows", items, run.state == DRAFT),
    }
    context["settled"] = context["counts"]["total"] - context["counts"]["not_tried"]
    if run.state == DRAFT:
        context["preview"] = bulk_runs.preview(run)
        context["rereads"] = REREADS_PER_REPO
    return context


@require_POST
def bulk_start(request: AuthedRequest, run_id: int) -> HttpResponse:
    """Confirm a preview: the job is queued once; the page then shows its progress."""
    run = _run_for(request, run_id)
    try:
        allowed = _allowed(request)
    except hub.HubError as err:
        return hub_error_page(request, err)
    outside = [ns for ns in run.namespaces if ns not in allowed]
    if outside:
        return render(request, "access/bulk/refused.html", {"message": _not_yours(outside), "back": "/"}, status=403)
    if bulk_runs.start(run):
        messages.success(request, f"Started: {bulk_runs.VERBS[run.status]} {run.items.count()} requests.")
    return redirect("access-bulk-run", run_id=run.pk)


@require_POST
def bulk_resume(request: AuthedRequest, run_id: int) -> HttpResponse:
    """Start a finished run again for the requests it did not try; those it settled are never sent again."""
    run = _run_for(request, run_id)
    try:
        allowed = _allowed(request)
    except hub.HubError as err:
        return hub_error_page(request, err)
    outside = [ns for ns in run.namespaces if ns not in allowed]
    if outside:
        return render(request, "access/bulk/refused.html", {"message": _not_yours(outside), "back": "/"}, status=403)
    bulk_runs.sweep()  # a run whose worker was killed ends (and is told in the feed) before it is resumed
    left = bulk_runs.resume(run)
    if left:
        messages.success(request, f"Resumed: {bulk_runs.VERBS[run.status]} the {left} requests not tried.")
    else:
        messages.info(request, "Nothing to resume: this run is still going, or every request was tried.")
    return redirect("access-bulk-run", run_id=run.pk)


def query_of(params: QueryDict) -> str:
    """The queue's filter as the bulk form carries it (no page number: "all matching" means every page)."""
    kept = [(k, v) for k, values in params.lists() for v in values if k not in ("page", "cursor")]
    return urlencode(kept)
