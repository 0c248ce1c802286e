"""The access-request queue, a repo's Access tab, decisions, grants, saved reasons and the CSV export.

Every page here reads hubdash's mirror (the refresh job fills it). Decisions are made at once with the
person's own token. Whose requests a person sees: the namespaces their token may change repos in, from their
whoami no older than the identity period (`hub.rights.writable_namespaces`: the cached answer, else one whoami
call per period), never another's. Someone the Hub no longer counts in an organisation stops seeing its
requesters within that period; when the Hub cannot say who the person is, the page says so and shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import hub_error_page
from hubdash.hub import rights
from hubdash.jobs.models import Delegation, Pause
from hubdash.lists import render_list

from . import decisions, jobs
from .export import export_response
from .forms import DecisionForm, GrantForm, QueueForm, ReasonForm
from .models import ACCEPTED, PENDING, REASON_MAX, REJECTED, AccessRequest, GatedRepo, NamespaceRefresh, SavedReason

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
PAGE_SIZE = 50
CHANGED = "access-changed"  # the HX-Trigger event after a decision: counts refresh themselves
FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def managed_namespaces(request: AuthedRequest) -> frozenset[str]:
    """The namespaces whose requests this person sees and decides: from the cached whoami, or one call when
    none is fresh (raises a HubError when the Hub cannot say who they are)."""
    return rights.writable_namespaces(request.user)


def _knowing_rights(view: Callable[P, R]) -> Callable[P, R]:
    """The view, or the Hub's failure said as a page when it cannot tell whose requests the person may see
    (never the requests of namespaces the person may have left since)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return view(*args, **kwargs)
        except hub.HubError as err:
            request = args[0]
            assert isinstance(request, HttpRequest)
            return cast(R, hub_error_page(request, err))

    return wrapper


def _errors(form: forms.Form) -> str:
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)


def _wants_fragment(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _managed_repo(request: AuthedRequest, kind: str, namespace: str, name: str) -> GatedRepo:
    """The mirrored repo, or 404 when the person may not manage its namespace or hubdash does not know it."""
    if namespace not in managed_namespaces(request):
        raise Http404("No gated repo of yours has that name.")
    return get_object_or_404(GatedRepo, kind=kind, repo_id=f"{namespace}/{name}")


def _row_context(request: AuthedRequest, namespaces: set[str] | frozenset[str]) -> dict[str, Any]:
    """What every drawn request line needs besides the row: the CSRF token, the saved reasons."""
    reasons: dict[str, list[str]] = {}
    for ns, text in SavedReason.objects.filter(namespace__in=namespaces).values_list("namespace", "text"):
        reasons.setdefault(ns, []).append(text)
    return {"csrf": get_token(request), "reasons": reasons, "next": request.get_full_path()}


def _lines(rows: list[AccessRequest], ctx: dict[str, Any]) -> Any:
    return render_list("access/lines.html", "lines", rows, ctx)


def _freshness(namespaces: frozenset[str]) -> list[dict[str, Any]]:
    """Per namespace: when the mirror was last refreshed, whose token refreshes it, and why it is paused."""
    known = {r.namespace: r for r in NamespaceRefresh.objects.filter(namespace__in=namespaces)}
    taken = dict(
        Delegation.objects.filter(capability=jobs.CAPABILITY, namespace__in=namespaces).values_list(
            "namespace", "person__username"
        )
    )
    paused = dict(
        Pause.objects.filter(capability=jobs.CAPABILITY, namespace__in=namespaces).values_list("namespace", "reason")
    )
    return [
        {"namespace": ns, "state": known.get(ns), "delegate": taken.get(ns), "paused": paused.get(ns)}
        for ns in sorted(namespaces)
    ]


def _listing(
    request: AuthedRequest, namespaces: frozenset[str], rows: QuerySet[AccessRequest], repos: list[str]
) -> tuple[QueueForm, dict[str, Any]]:
    form = QueueForm(request.GET, sorted(namespaces), repos)
    context: dict[str, Any] = {"form": form, "page": None, "lines": ""}
    if not form.is_valid():
        return form, context
    paginator = Paginator(form.filter(rows).select_related("repo", "decided_by"), PAGE_SIZE)
    page = paginator.get_page(form.cleaned_data["page"] or 1)
    context.update(page=page, lines=_lines(list(page.object_list), _row_context(request, namespaces)))
    return form, context


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
@_knowing_rights
def queue(request: AuthedRequest) -> HttpResponse:
    namespaces = managed_namespaces(request)
    gated = GatedRepo.objects.filter(namespace__in=namespaces, gated=True)
    rows = AccessRequest.objects.filter(namespace__in=namespaces, repo__gated=True)
    form, context = _listing(request, namespaces, rows, [r.repo_id for r in gated])
    pending = rows.filter(status=PENDING)
    context.update(
        namespaces=sorted(namespaces),
        per_namespace=list(pending.values("namespace").annotate(n=Count("id")).order_by("namespace")),
        per_repo=list(
            pending.values("repo__kind", "repo__repo_id").annotate(n=Count("id")).order_by("-n", "repo__repo_id")
        ),
        freshness=_freshness(namespaces),
        saved_reasons=SavedReason.objects.filter(namespace__in=namespaces),
        reason_max=REASON_MAX,
    )
    status = 200 if form.is_bound and not form.errors else 400
    if _wants_fragment(request) and request.htmx.target == "access-counts-inner":
        return render(request, "access/queue.html#counts", context)
    if _wants_fragment(request) and request.htmx.target == "queue-body":
        return render(request, "access/queue.html#body", context, status=status)
    return render(request, "access/queue.html", context, status=status)


@require_safe
def nav_count(request: AuthedRequest) -> HttpResponse:
    """The nav's count of pending requests (a fragment the nav loads, and reloads after a decision)."""
    try:
        namespaces = managed_namespaces(request)
    except hub.HubError:
        return render(request, "access/_nav_count.html", {"n": 0})  # not known: no count rather than a stale one
    n = AccessRequest.objects.filter(namespace__in=namespaces, repo__gated=True, status=PENDING).count()
    return render(request, "access/_nav_count.html", {"n": n})


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
@_knowing_rights
def repo_access(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponse:
    """A gated repo's Access tab: its requests of each status, a grant form, the CSV export."""
    repo = _managed_repo(request, kind, namespace, name)
    rows = repo.requests.all()
    form, context = _listing(request, frozenset([namespace]), rows, [repo.repo_id])
    counts = dict(rows.values_list("status").annotate(n=Count("id")).order_by())
    context.update(
        repo=repo,
        counts={s: counts.get(s, 0) for s in (PENDING, ACCEPTED, REJECTED)},
        grant_form=GrantForm(),
        freshness=_freshness(frozenset([namespace])),
    )
    if _wants_fragment(request) and request.htmx.target == "queue-body":
        return render(request, "access/repo.html#body", context)
    return render(request, "access/repo.html", context, status=200 if not form.errors else 400)


@require_safe
@_knowing_rights
def repo_export(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponseBase:
    repo = _managed_repo(request, kind, namespace, name)
    return export_response(repo)


def _back(request: AuthedRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return HttpResponseRedirect(target if target and ok else fallback)


@require_POST
@_knowing_rights
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """Accept, reject (with a reason) or move back to pending one request, with the person's own token."""
    namespaces = managed_namespaces(request)
    row = get_object_or_404(AccessRequest.objects.select_related("repo"), pk=pk, namespace__in=namespaces)
    form = DecisionForm(request.POST)
    status = 200
    if not form.is_valid():
        message, ok, status = _errors(form), False, 400
    else:
        try:
            message, ok = (
                decisions.decide(request.user, row, form.cleaned_data["decision"], form.cleaned_data["reason"]),
                True,
            )
        except decisions.Refused as refusal:
            message, ok = refusal.message, False
            status = 409
        row.refresh_from_db()
    if not request.htmx:
        (messages.success if ok else messages.error)(request, f"{row.who} on {row.repo.repo_id}: {message}")
        return _back(request, reverse("access-queue"))
    ctx = _row_context(request, {row.namespace})
    ctx["next"] = request.POST.get("next", "")
    if not ok:
        ctx["typed"] = request.POST.get("reason", "")[:1000]  # a refused rejection keeps the reason typed
    html = render_list("access/lines.html", "line", row, ctx, message, ok)
    response = HttpResponse(html, status=status)
    return trigger_client_event(response, CHANGED) if ok else response


@require_POST
@_knowing_rights
def grant(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponse:
    repo = _managed_repo(request, kind, namespace, name)
    form = GrantForm(request.POST)
    page = reverse("access-repo", args=[kind, namespace, name])
    if not form.is_valid():
        messages.error(request, _errors(form))
        return HttpResponseRedirect(page)
    try:
        messages.success(request, decisions.grant(request.user, repo, form.cleaned_data["username"]))
    except decisions.Refused as refusal:
        messages.error(request, refusal.message)
    return HttpResponseRedirect(f"{page}?status={ACCEPTED}")


@require_POST
@_knowing_rights
def reason_add(request: AuthedRequest) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid() or form.cleaned_data["namespace"] not in managed_namespaces(request):
        messages.error(request, "A saved reason needs a namespace of yours and a text of at most 200 characters.")
        return _back(request, reverse("access-queue"))
    SavedReason.objects.get_or_create(
        namespace=form.cleaned_data["namespace"], text=form.cleaned_data["text"], defaults={"created_by": request.user}
    )
    messages.success(request, "Reason saved.")
    return _back(request, reverse("access-queue"))


@require_POST
@_knowing_rights
def reason_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    reason = get_object_or_404(SavedReason, pk=pk, namespace__in=managed_namespaces(request))
    reason.delete()
    messages.success(request, "Reason removed.")
    return _back(request, reverse("access-queue"))


@require_POST
@_knowing_rights
def refresh_now(request: AuthedRequest) -> HttpResponse:
    """Enqueue the refresh job at once; the page never waits on the Hub. Only people who manage a namespace's
    requests may ask (it spends the token lent for them), and not again within a minute of the last refresh."""
    if not managed_namespaces(request):
        messages.error(request, "Only people who may manage a namespace's access requests can refresh them.")
        return HttpResponseRedirect(reverse("access-queue"))
    wait = jobs.refresh_soon(request.user)
    if wait is None:
        messages.success(request, "A refresh is on its way: the lists update in a moment.")
    else:
        seconds = max(1, round(wait.total_seconds()))
        messages.info(request, f"The lists were refreshed less than a minute ago; ask again in {seconds} s.")
    return HttpResponseRedirect(reverse("access-queue"))
