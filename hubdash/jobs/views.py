"""The jobs page (admins) and the profile's "use my token for …" fragment (each person, for themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.permissions import admins_only
from hubdash.hub.rights import writable_namespaces

from . import delegation, schedule
from .models import CAPABILITIES, DONE, FAILED, PAUSED, QUEUED, RUNNING, Delegation, Pause, ScheduledRun


def every_words(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"every {unit}" if count == 1 else f"every {count} {unit}s"
    return f"every {seconds} seconds"


@dataclass(frozen=True)
class Namespace:
    name: str
    person: str | None  # whose token, None if nobody's
    pause: Pause | None


@dataclass(frozen=True)
class JobRow:
    job: schedule.Job
    every: str
    capability: str | None
    namespaces: list[Namespace]
    last: ScheduledRun | None  # the latest run that ended
    current: ScheduledRun | None  # queued or running now
    next_at: datetime | None


def _job_rows(now: datetime) -> list[JobRow]:
    jobs = schedule.registered()
    delegations = Delegation.objects.select_related("person").order_by("namespace")
    pauses = {(p.capability, p.namespace): p for p in Pause.objects.all()}
    rows = []
    for job in jobs:
        runs = ScheduledRun.objects.filter(job=job.name).order_by("-created_at")
        last = runs.filter(state__in=[DONE, FAILED, PAUSED]).first()
        current = runs.filter(state__in=[QUEUED, RUNNING]).first()
        try:
            every = job.every
            start = job.period_start(now)
            enqueued = runs.filter(trigger="schedule", period_start=start).exists()
            next_at: datetime | None = start + every if enqueued else now
            words = every_words(every)
        except (AttributeError, TypeError, ValueError):
            next_at, words = None, "a period hubdash cannot read (check its setting)"
        namespaces: list[Namespace] = []
        if job.capability:
            held = {d.namespace: d.person.get_username() for d in delegations if d.capability == job.capability}
            names = sorted(set(held) | {ns for cap, ns in pauses if cap == job.capability})
            namespaces = [Namespace(ns, held.get(ns), pauses.get((job.capability, ns))) for ns in names]
        rows.append(JobRow(job, words, job.capability, namespaces, last, current, next_at))
    return rows


@require_safe
@admins_only
@never_cache
def jobs_page(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    context = {
        "rows": _job_rows(now),
        "pauses": Pause.objects.order_by("capability", "namespace"),
        "capabilities": CAPABILITIES,
        "now": now,
    }
    return render(request, "jobs/jobs.html", context)


@require_safe
@admins_only
@never_cache
def paused_line(request: AuthedRequest) -> HttpResponse:
    """The home page's line for admins when scheduled work is paused (nothing when none is)."""
    pauses = list(Pause.objects.order_by("capability", "namespace")[:6])
    return render(request, "jobs/_paused_line.html", {"pauses": pauses[:5], "more": len(pauses) > 5})


@require_POST
@admins_only
def run_now(request: AuthedRequest, name: str) -> HttpResponse:
    job = schedule.job_named(name)
    if job is None:
        raise Http404("No such job.")
    run = schedule.run_now(name, by=request.user)
    if run.state == RUNNING:
        messages.info(request, f"{job.label}: a run is under way already; it is the one that counts.")
    elif run.requested_by_id == request.user.pk and run.trigger == "run_now":
        messages.success(request, f"{job.label}: a run is queued; it starts as soon as a worker is free.")
    else:
        messages.info(request, f"{job.label}: a run was already waiting to start; it is the one that runs.")
    return redirect("jobs")


# -- the profile's fragment ------------------------------------------------------------------------


def _choices(request: AuthedRequest) -> tuple[list[str], hub.HubError | None]:
    """The namespaces this person may lend their token for (their Hub name, orgs where they admin or write)."""
    try:
        return sorted(writable_namespaces(request.user)), None
    except hub.TokenKeyError:
        return [], hub.BadToken("hubdash can no longer decrypt your stored token (its key was removed).")
    except hub.HubError as err:
        return [], err


def _offered() -> dict[str, str]:
    """The capabilities a registered job does (`periodic(..., capability=)`): nobody lends a token for none."""
    done = {job.capability for job in schedule.registered() if job.capability}
    return {cap: words for cap, words in CAPABILITIES.items() if cap in done}


def _render_delegation(
    request: AuthedRequest,
    status: int = 200,
    ticked: set[tuple[str, str]] | None = None,
    held: list[tuple[str, str, str]] | None = None,
    error: str = "",
    saved: bool = False,
) -> HttpResponse:
    namespaces, hub_error = _choices(request)
    mine = delegation.delegations_of(request.user)
    others = {
        (d.capability, d.namespace): d.person.get_username()
        for d in Delegation.objects.select_related("person").filter(namespace__in=namespaces)
        if d.person_id != request.user.pk
    }
    paused = {(p.capability, p.namespace): p.reason for p in Pause.objects.filter(namespace__in=namespaces)}
    offered = _offered()
    rows = [
        {
            "namespace": ns,
            "cells": [
                {
                    "value": f"{cap}:{ns}",
                    "capability": cap,
                    "words": words,
                    "checked": (cap, ns) in (ticked if ticked is not None else mine),
                    "mine": (cap, ns) in mine,
                    "other": others.get((cap, ns)),
                    "paused": paused.get((cap, ns)),
                }
                for cap, words in offered.items()
            ],
        }
        for ns in namespaces
    ]
    context = {
        "rows": rows,
        "hub_error": hub_error,
        "held": held or [],
        "error": error,
        "saved": saved,
        "capabilities": offered,
    }
    template = "jobs/delegation.html#delegations" if request.htmx and not request.htmx.history_restore_request else None
    return render(request, template or "jobs/delegation.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
@never_cache
def delegation_view(request: AuthedRequest) -> HttpResponse:
    """GET: the person's own "use my token for …" choices; POST: take on what is ticked, give up the rest."""
    if request.method != "POST":
        return _render_delegation(request)
    namespaces, hub_error = _choices(request)
    if hub_error is not None:
        return _render_delegation(request, status=hub_error.status if hub_error.status < 500 else 503)
    ticked: set[tuple[str, str]] = set()
    unknown, refused = False, []
    for value in request.POST.getlist("use"):
        cap, _, ns = value.partition(":")
        if cap not in _offered() or not ns:
            unknown = True
        elif ns not in namespaces:
            refused.append(ns)
        else:
            ticked.add((cap, ns))
    if unknown:
        return _render_delegation(request, 400, ticked=ticked, error="That choice is not one hubdash offers.")
    if refused:
        names = ", ".join(sorted(set(refused)))
        error = f"Your Hub token may not manage {names}: it cannot do that work. Nothing was changed."
        return _render_delegation(request, 403, ticked=ticked, error=error)
    replace = set(request.POST.getlist("replace"))
    mine = delegation.delegations_of(request.user)
    held: list[tuple[str, str, str]] = []
    for cap, ns in sorted(ticked - mine):
        try:
            delegation.take_on(request.user, cap, ns, replace=f"{cap}:{ns}" in replace)
        except delegation.Held as err:
            held.append((f"{cap}:{ns}", f"{CAPABILITIES[cap]} in {ns}", err.holder.get_username()))
    for cap, ns in sorted(mine - ticked):
        # Only what the form showed: work of a namespace (or capability) no longer listed stays as it is.
        if ns in namespaces and cap in _offered():
            delegation.give_up(request.user, cap, ns)
    if held:
        return _render_delegation(request, 409, ticked=ticked, held=held)
    if not request.htmx:
        messages.success(request, "Saved: the work you ticked runs with your token.")
        return redirect(reverse("jobs-delegation"))
    return _render_delegation(request, saved=True)
