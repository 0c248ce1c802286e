"""The inbox `/discussions/`, its nav count, a repo's Discussions tab, "Refresh now" and the admins' settings.

Every page here reads hubdash's mirror (the jobs and the webhook fill it); none calls the Hub, but for the
person's own whoami at most once per identity period (what their Hub rights may read, `visibility`).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from heroicons.jinja import heroicon_mini
from markupsafe import Markup

from hubdash import activity
from hubdash.core.http import AuthedRequest
from hubdash.core.permissions import admins_only, is_admin
from hubdash.hub.parse import valid_repo_id
from hubdash.hub.rights import readable_namespaces
from hubdash.jobs.delegation import watch_candidates
from hubdash.jobs.forms import watch_change_summary
from hubdash.jobs.models import Delegation, Pause
from hubdash.lists import render_list

from . import jobs, refresh
from .forms import InboxForm, WatchForm
from .models import OPEN_STATUSES, Discussion, DiscussionRepo, WatchedNamespace
from .review_diff import BIDI
from .visibility import item_url, tab_url, visible

PAGE_SIZE = 50
FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")


def _watched() -> list[WatchedNamespace]:
    return list(WatchedNamespace.objects.order_by("namespace"))


def _freshness(watched: list[WatchedNamespace]) -> list[dict[str, Any]]:
    """Per watched namespace: kept by webhooks, or when it was last refreshed; whose token; why paused."""
    names = [w.namespace for w in watched]
    taken = dict(
        Delegation.objects.filter(capability=jobs.CAPABILITY, namespace__in=names).values_list(
            "namespace", "person__username"
        )
    )
    paused = dict(
        Pause.objects.filter(capability=jobs.CAPABILITY, namespace__in=names).values_list("namespace", "reason")
    )
    now = timezone.now()
    return [
        {
            "namespace": w.namespace,
            "state": w,
            "covered": w.filled_at is not None and refresh.is_covered(w, now),
            "delegate": taken.get(w.namespace),
            "paused": paused.get(w.namespace),
        }
        for w in watched
    ]


@functools.cache
def _icons() -> dict[str, Markup]:
    """Each kind's icon, drawn once (the rows are Jinja2's, which has no heroicon tag of its own)."""
    return {
        "pr": Markup(heroicon_mini("code-bracket-square", size=16, aria_hidden="true")),  # noqa: S704 - the set's SVG
        "discussion": Markup(heroicon_mini("chat-bubble-left", size=16, aria_hidden="true")),  # noqa: S704
    }


def _age(moment: datetime, now: datetime) -> str:
    """How long ago, to its largest unit ("3 weeks ago", "just now"): a column of short values."""
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


def _rows(rows: list[Discussion], one_repo: bool) -> Any:
    now = timezone.now()
    for row in rows:
        row.age = _age(row.last_activity_at, now)  # type: ignore[attr-defined]
        row.page_url = item_url(row)  # type: ignore[attr-defined]
        row.tab_url = tab_url(row)  # type: ignore[attr-defined]
        row.title_bidi = BIDI.search(row.title) is not None  # type: ignore[attr-defined]
    return render_list("discussions/rows.html", "rows", rows, {"one_repo": one_repo, "icons": _icons()})


def _listing(
    request: AuthedRequest, rows: QuerySet[Discussion], namespaces: list[str], one_repo: bool = False
) -> tuple[InboxForm, dict[str, Any]]:
    form = InboxForm(request.GET, namespaces)
    context: dict[str, Any] = {"form": form, "page": None, "rows": "", "one_repo": one_repo}
    if not form.is_valid():
        return form, context
    paginator = Paginator(form.filter(rows, one_repo), PAGE_SIZE)
    page = paginator.get_page(form.cleaned_data["page"] or 1)
    context.update(page=page, rows=_rows(list(page.object_list), one_repo))
    return form, context


def _hidden_counts(rows: QuerySet[Discussion], readable: frozenset[str]) -> list[dict[str, Any]]:
    """Open items on private repos this person's Hub rights may not read, per namespace (for admins)."""
    hidden = rows.filter(private=True, status__in=OPEN_STATUSES).exclude(namespace__in=readable)
    return [dict(c) for c in hidden.values("namespace").annotate(n=Count("id")).order_by("namespace")]


def _wants_fragment(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
def inbox(request: AuthedRequest) -> HttpResponse:
    watched = _watched()
    names = [w.namespace for w in watched]
    readable = readable_namespaces(request.user)
    mirrored = Discussion.objects.filter(namespace__in=names)
    form, context = _listing(request, mirrored.filter(visible(readable)), names)
    freshness = _freshness(watched)
    context.update(
        watched=watched,
        unread=[w.namespace for w in watched if w.filled_at is None],
        freshness=freshness,
        # "Refresh now" would read something, and this person may spend the lent tokens
        refreshable=any(item["delegate"] for item in freshness) and jobs.may_refresh(request.user),
        hidden=_hidden_counts(mirrored, readable) if is_admin(request.user) else [],
        admin=is_admin(request.user),
    )
    status = 400 if form.errors else 200
    if _wants_fragment(request) and request.htmx.target == "inbox-body":
        return render(request, "discussions/inbox.html#body", context, status=status)
    return render(request, "discussions/inbox.html", context, status=status)


@require_safe
def nav_count(request: AuthedRequest) -> HttpResponse:
    """The nav's count of open items waiting on the team, from the mirror (a fragment the shell loads)."""
    names = WatchedNamespace.objects.values_list("namespace", flat=True)
    rows = Discussion.objects.filter(namespace__in=names, status__in=OPEN_STATUSES, waiting_on_us=True)
    n = rows.filter(visible(readable_namespaces(request.user))).count()
    return render(request, "discussions/_nav_count.html", {"n": n})


@require_safe
def home_line(request: AuthedRequest) -> HttpResponse:
    """The home page's line (a fragment it loads by URL name): for admins, how to set the inbox up while no
    namespace is watched or a watched one waits for a token; for everyone, how many items wait on the team."""
    watched = list(WatchedNamespace.objects.values_list("namespace", flat=True))
    admin = is_admin(request.user)
    context: dict[str, Any] = {"admin": admin, "unwatched": not watched, "tokenless": [], "waiting": 0}
    if watched:
        lent = set(
            Delegation.objects.filter(capability=jobs.CAPABILITY, namespace__in=watched).values_list(
                "namespace", flat=True
            )
        )
        context["tokenless"] = [name for name in watched if name not in lent] if admin else []
        rows = Discussion.objects.filter(namespace__in=watched, status__in=OPEN_STATUSES, waiting_on_us=True)
        context["waiting"] = rows.filter(visible(readable_namespaces(request.user))).count()
    return render(request, "discussions/_home_line.html", context)


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
def repo_discussions(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponse:
    """A repo's Discussions tab: the inbox's list for that repo alone."""
    repo_id = f"{namespace}/{name}"
    if not valid_repo_id(repo_id):  # a name the Hub could not have (a NUL, say) is no repo, on every database
        raise Http404("No such repo.")
    watched = WatchedNamespace.objects.filter(namespace=namespace).first()
    readable = readable_namespaces(request.user)
    mirrored = Discussion.objects.filter(repo_type=kind, repo_id=repo_id)
    known = DiscussionRepo.objects.filter(repo_type=kind, repo_id=repo_id).first()
    private = known.private if known is not None else mirrored.filter(private=True).exists()
    may_read = not private or namespace in readable
    rows = mirrored.filter(visible(readable)) if watched is not None else mirrored.none()
    form, context = _listing(request, rows, [namespace], one_repo=True)
    hidden = mirrored.filter(status__in=OPEN_STATUSES).count() if not may_read and is_admin(request.user) else None
    context.update(
        kind=kind,
        namespace=namespace,
        name=name,
        repo_id=repo_id,
        repo=known,
        watched=watched,
        may_read=may_read,
        unread=[namespace] if watched is not None and watched.filled_at is None else [],
        hidden_count=hidden,
        admin=is_admin(request.user),
        freshness=_freshness([watched]) if watched is not None else [],
    )
    status = 400 if form.errors else 200
    if _wants_fragment(request) and request.htmx.target == "inbox-body":
        return render(request, "discussions/repo.html#body", context, status=status)
    return render(request, "discussions/repo.html", context, status=status)


@require_POST
def refresh_now(request: AuthedRequest) -> HttpResponse:
    """Enqueue a refresh of every watched namespace at once; the page never waits on the Hub. It spends the lent
    tokens: only admins and the lenders may ask, and not again within `jobs.REFRESH_COOLDOWN` of the last run."""
    if not WatchedNamespace.objects.exists():
        messages.error(request, "No namespace is watched for discussions yet: an admin chooses them in the settings.")
        return HttpResponseRedirect(reverse("discussions"))
    if not jobs.may_refresh(request.user):
        messages.error(
            request,
            "Only admins and the people who lend their token for the discussions can refresh them: the list is "
            "read every hour, and webhooks keep it current in between.",
        )
        return HttpResponseRedirect(reverse("discussions"))
    wait = jobs.refresh_asked(request.user)
    if wait is None:
        messages.success(request, "A refresh is on its way: the list updates in a moment.")
    else:
        ago = _duration(jobs.REFRESH_COOLDOWN - wait, up=False)
        messages.info(request, f"The inbox was refreshed {ago} ago: ask again in {_duration(wait, up=True)}.")
    return HttpResponseRedirect(reverse("discussions"))


def _duration(span: timedelta, up: bool) -> str:
    """ "7 minutes", "1 minute", "45 s": whole minutes (rounded up for a wait, down for an age) from a minute."""
    seconds = max(1, int(span.total_seconds() + (0.999 if up else 0)))
    if seconds < 60:
        return f"{seconds} s"
    minutes = -(-seconds // 60) if up else seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


# -- settings (admins) ------------------------------------------------------------------------------------


def _settings_context(form: WatchForm) -> dict[str, Any]:
    watched = {w.namespace: w for w in WatchedNamespace.objects.all()}
    fresh = {f["namespace"]: f for f in _freshness(list(watched.values()))}
    taken = dict(Delegation.objects.filter(capability=jobs.CAPABILITY).values_list("namespace", "person__username"))
    paused = dict(Pause.objects.filter(capability=jobs.CAPABILITY).values_list("namespace", "reason"))
    rows = [
        {
            "name": name,
            "checkbox": form.checkbox(name),
            "person": taken.get(name),
            "paused": paused.get(name),
            "watched": watched.get(name),
            "covered": fresh.get(name, {}).get("covered", False),
        }
        for name in form.candidates
    ]
    return {"form": form, "rows": rows}


@require_http_methods(["GET", "HEAD", "POST"])
@admins_only
def settings_page(request: AuthedRequest) -> HttpResponse:
    candidates = watch_candidates(jobs.CAPABILITY, WatchedNamespace.objects.values_list("namespace", flat=True))
    if request.method != "POST":
        initial = {"watch": list(WatchedNamespace.objects.values_list("namespace", flat=True))}
        form = WatchForm(initial=initial, candidates=candidates)
        return render(request, "discussions/settings.html", _settings_context(form))
    form = WatchForm(request.POST, candidates=candidates)
    if not form.is_valid():
        return render(request, "discussions/settings.html", _settings_context(form), status=400)
    chosen = form.chosen()
    with transaction.atomic():
        before = set(WatchedNamespace.objects.values_list("namespace", flat=True))
        gone = sorted(before - set(chosen))
        WatchedNamespace.objects.filter(namespace__in=gone).delete()
        Discussion.objects.filter(namespace__in=gone).delete()
        DiscussionRepo.objects.filter(namespace__in=gone).delete()
        added = [name for name in chosen if name not in before]
        for name in added:
            WatchedNamespace.objects.create(namespace=name, added_by=request.user)
        if summary := watch_change_summary("whose discussions the inbox shows", added, gone):
            activity.record(action="team", summary=summary, member=request.user)
    lent = set(
        Delegation.objects.filter(capability=jobs.CAPABILITY, namespace__in=added).values_list("namespace", flat=True)
    )
    tokenless = [name for name in added if name not in lent]
    if added:
        jobs.refresh_soon(request.user)  # their first read starts now rather than at the next hour
    if tokenless:
        names = ", ".join(tokenless)
        messages.warning(
            request,
            f"Saved. Nobody lends a token for the discussions of {names} yet: their first read starts as soon as "
            "someone who may manage them lends theirs on their profile.",
        )
    elif added:
        messages.success(request, "Saved. The first read of the new namespaces is on its way.")
    else:
        messages.success(request, "Saved.")
    return redirect("discussions-settings")
