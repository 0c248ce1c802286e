"""/usage/ (everyone signed in), its settings (admins), a repo's Usage tab and the CSV of each chart's figures.

Every page reads hubdash's snapshots only: no Hub call. A private repo's own figures are shown to people
whose Hub rights may read it (hub.rights.readable_namespaces); others see the namespaces' totals only.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime, time

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hubdash import activity
from hubdash.activity import history
from hubdash.core.http import AuthedRequest
from hubdash.core.permissions import admins_only, is_admin
from hubdash.hub.repos import valid_repo_id
from hubdash.hub.rights import readable_namespaces
from hubdash.jobs.delegation import delegate_of, pause_of, watch_candidates
from hubdash.jobs.forms import watch_change_summary

from . import drawing, jobs, series
from .forms import WatchForm, quota_field
from .models import TrackedRepo, Watched


def _period(request: AuthedRequest) -> int:
    try:
        days = int(request.GET.get("days", series.DEFAULT_PERIOD))
    except ValueError:
        return series.DEFAULT_PERIOD
    return days if days in series.PERIODS else series.DEFAULT_PERIOD


@require_safe
@never_cache
def usage_page(request: AuthedRequest) -> HttpResponse:
    """The namespaces' and the team's charts are the same for everyone and change once a day: rendered once per
    version of the figures and period, kept in the cache. The growers depend on whose private repos one may
    read: kept per set of readable namespaces."""
    days = _period(request)
    context: dict[str, object] = {"days": days, "periods": series.PERIODS, "watched": Watched.objects.exists()}
    span = series.window(days)
    if span is not None and context["watched"]:
        start, end = span
        version = drawing.version()
        blocks_html = drawing.blocks_html(days, start, end, version)
        readable = ",".join(sorted(readable_namespaces(request.user)))
        key = f"usage:growers:{version}:{days}:{hashlib.sha256(readable.encode()).hexdigest()[:24]}"
        growers_html = cache.get(key)
        if growers_html is None:
            by_storage, by_downloads = series.growers(request.user, start, end)
            growers_html = render_to_string(
                "usage/_growers.html", {"by_storage": by_storage, "by_downloads": by_downloads, "days": days}
            )
            cache.set(key, growers_html, drawing.CACHE_SECONDS)
        context.update(start=start, end=end, blocks_html=blocks_html, growers_html=growers_html)
    return render(request, "usage/page.html", context)


def _csv_response(one: series.Series, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    header = ["date", "downloads_gained", "days_missed_before", "downloads_30d", "likes", "used_storage_bytes"]
    writer.writerow(header + (["visibility"] if one.of_repo else []))
    for day, point in zip(one.days, one.points, strict=True):
        if point is None:
            writer.writerow([day.isoformat()] + [""] * (len(header) - 1 + one.of_repo))  # a gap: no snapshot
            continue
        writer.writerow(
            [
                day.isoformat(),
                "" if point.downloads is None else point.downloads,
                point.gap_days,
                "" if point.downloads_30d is None else point.downloads_30d,
                "" if point.likes is None else point.likes,
                "" if point.storage is None else point.storage,
            ]
            + ([point.visibility] if one.of_repo else [])
        )
    return response


@require_safe
@never_cache
def usage_csv(request: AuthedRequest, scope: str) -> HttpResponse:
    span = series.window(_period(request))
    if span is None:
        raise Http404("No snapshot yet.")
    per, team = series.namespace_series(*span)
    if not scope:  # the whole team (a namespace may be called "team": its own URL is apart)
        return _csv_response(team, "usage-team.csv")
    for one in per:
        if one.name == scope:
            return _csv_response(one, f"usage-{scope}.csv")
    raise Http404("That namespace is not watched.")


def _tracked(request: AuthedRequest, kind: str, namespace: str, name: str) -> TrackedRepo | None:
    repo_id = f"{namespace}/{name}"
    if not valid_repo_id(repo_id):  # a name the Hub could not have (a NUL, say) is no repo, on every database
        raise Http404("No such repo, or you may not see its figures.")
    repo = TrackedRepo.objects.filter(kind=kind, repo_id=repo_id).first()
    if repo is not None and not series.may_see(request.user, repo):
        raise Http404("No such repo, or you may not see its figures.")
    return repo


@require_safe
@never_cache
def repo_usage(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponse:
    repo = _tracked(request, kind, namespace, name)
    context: dict[str, object] = {"kind": kind, "repo_id": f"{namespace}/{name}", "namespace": namespace, "name": name}
    if repo is not None:
        one = series.repo_series(repo)
        since = datetime.combine(repo.first_day, time.min, tzinfo=UTC)
        events = history.repo_events(kind, [repo.repo_id, *repo.former_ids], since)
        marks = sorted({event.when.astimezone(UTC).date() for event in events})
        csv_url = reverse("usage-repo-csv", args=[kind, namespace, name])
        block = drawing.Block(repo.repo_id, repo.repo_id, one, csv_url, drawing.charts_of(one, marks))
        context.update(repo=repo, usage_block=block, events=events, marks=marks)
    return render(request, "usage/repo.html", context)


@require_safe
@never_cache
def repo_csv(request: AuthedRequest, kind: str, namespace: str, name: str) -> HttpResponse:
    repo = _tracked(request, kind, namespace, name)
    if repo is None:
        raise Http404("hubdash has no snapshot of this repo.")
    return _csv_response(series.repo_series(repo), f"usage-{namespace}-{name}.csv")


# -- settings (admins) ------------------------------------------------------------------------------------


def _settings_context(form: WatchForm) -> dict[str, object]:
    rows = []
    for name in form.candidates:
        person = delegate_of("usage", name)
        pause = pause_of("usage", name)
        rows.append(
            {
                "name": name,
                "checkbox": form.checkbox(name),
                "quota": form[quota_field(name)],
                "person": person.get_username() if person else None,
                "paused": pause.reason if pause else None,
            }
        )
    watched = {w.namespace: w for w in Watched.objects.all()}
    return {"form": form, "rows": rows, "watched": watched}


@require_http_methods(["GET", "HEAD", "POST"])
@admins_only
@never_cache
def settings_page(request: AuthedRequest) -> HttpResponse:
    candidates = watch_candidates("usage", Watched.objects.values_list("namespace", flat=True))
    if request.method == "POST":
        form = WatchForm(request.POST, candidates=candidates)
        if not form.is_valid():
            return render(request, "usage/settings.html", _settings_context(form), status=400)
        chosen = form.watched()
        with transaction.atomic():
            before = set(Watched.objects.values_list("namespace", flat=True))
            Watched.objects.exclude(namespace__in=list(chosen)).delete()
            for name, quota in chosen.items():
                Watched.objects.update_or_create(
                    namespace=name, defaults={"quota_bytes": quota}, create_defaults={"quota_bytes": quota,
                                                                                     "added_by": request.user}
                )  # fmt: skip
            added, removed = sorted(set(chosen) - before), sorted(before - set(chosen))
            if summary := watch_change_summary("whose usage is snapshotted", added, removed):
                activity.record(action="team", summary=summary, member=request.user)
        messages.success(request, "Usage settings saved.")
        return redirect("usage-settings")
    watched = {w.namespace: w for w in Watched.objects.all()}
    initial: dict[str, object] = {"watch": list(watched)}
    for name, w in watched.items():
        if w.quota_bytes:
            initial[quota_field(name)] = round(w.quota_bytes / 1_000_000_000, 3)
    form = WatchForm(initial=initial, candidates=candidates)
    return render(request, "usage/settings.html", _settings_context(form))


@require_POST
@admins_only
def take_now(request: AuthedRequest) -> HttpResponse:
    if not Watched.objects.exists():
        messages.error(request, "Tick a namespace to watch first.")
        return redirect("usage-settings")
    jobs.take_one_now(by=request.user)
    messages.success(request, "A snapshot will be taken in a moment; its outcome shows on the jobs page.")
    return redirect("usage-settings")


@require_safe
@never_cache
def setup_line(request: AuthedRequest) -> HttpResponse:
    """The home page's line for admins until a namespace is watched (nothing otherwise, nor for others)."""
    show = is_admin(request.user) and not Watched.objects.exists()
    return render(request, "usage/_setup_line.html", {"show": show})
