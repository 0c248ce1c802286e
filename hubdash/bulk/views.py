"""The bulk app's pages: making a plan from a listing's selection, the plan page (preview, confirmation,
progress, summary, undo), the person's plans, and the approvals list the Team page loads by URL name."""

from __future__ import annotations

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRefresh

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.permissions import admins_only, is_admin
from hubdash.lists import render_list

from . import flow, planning, runs, saved
from .models import (
    AWAITING,
    CHANGES,
    DONE,
    PENDING,
    PREVIEW,
    QUEUED,
    RUNNING,
    STOPPED,
    ApprovalSetting,
    Plan,
)

# The Hub calls a run makes for each repo it changes, after reading the repo again (GET its info).
CALL_WORDS = {
    "visibility": "PUT …/settings",
    "gating": "PUT …/settings",
    "discussions": "PUT …/settings",
    "move": "POST /api/repos/move",
    "delete": "DELETE /api/repos/delete",
}
HF_CONFIRMED_KEY = "hubdash_hf_confirmed_at"  # where a fresh Hugging Face sign-in is noted (accounts.oauth_fresh)
HF_FRESH_FOR_S = 300
ACTIONS = [
    ("visibility:private", "Make private"),
    ("visibility:public", "Make public"),
    ("visibility:protected", "Make protected (Spaces)"),
    ("gating:off", "Turn gating off"),
    ("gating:auto", "Gate: approve automatically"),
    ("gating:manual", "Gate: approve by hand"),
    ("discussions:on", "Turn discussions on"),
    ("discussions:off", "Turn discussions off"),
    ("move:", "Move to another namespace"),
    ("delete:", "Delete"),
]


def _plan_for(request: AuthedRequest, plan_id: int) -> Plan:
    """A plan its maker, or an admin, may see; anyone else is told it does not exist."""
    plan = Plan.objects.select_related("maker", "decided_by", "undo_of").filter(pk=plan_id).first()
    if plan is None or (plan.maker_id != request.user.pk and not is_admin(request.user)):
        raise Http404("No such plan.")
    return flow.shown(plan)


@require_safe
def plans(request: AuthedRequest) -> HttpResponse:
    mine = [flow.shown(plan) for plan in Plan.objects.filter(maker=request.user).order_by("-created_at")[:50]]
    return render(request, "bulk/plans.html", {"plans": mine, "describe": planning.describe})


@require_http_methods(["GET", "HEAD", "POST"])
def make_plan(request: AuthedRequest) -> HttpResponse:
    """From a listing (or a saved view): the rows ticked, or all that match its query, and a change. A GET (the
    listing's bar without JavaScript) shows the choice again in a form of its own, which posts here."""
    if request.method != "POST":
        return _choose_again(request, "", status=200)
    data = request.POST
    action = data.get("action", "")
    change, _, target = action.partition(":")
    namespace, prefix = data.get("namespace", "").strip(), data.get("prefix", "").strip()
    everything = data.get("scope") == "all"
    try:
        kind = planning.kind_of(data.get("kind", ""))
        if change not in CHANGES:
            raise planning.BadSelection("Choose a change.")
        client = hub.client_for(request.user)
        calls, more = 0, False
        if data.get("view"):  # every repo a saved view matches (its query and hubdash's own filters)
            picked, more, source = _from_saved_view(request, client, data.get("view", ""))
            calls = 1
        elif everything:
            query = {k: data.get(k, "") for k in ("search", "author", "sort")} | {"filter": data.getlist("filter")}
            picked, more, calls = planning.match_all(client, kind, query)
            source = _source_words(kind, query, more)
        else:
            picked = planning.parse_picked(kind, data.getlist("repo"))
            source = f"{len(picked)} selected {kind}{'s' if len(picked) != 1 else ''}"
        plan = planning.make_plan(
            request.user,
            client,
            picked,
            change,
            target=namespace if change == "move" else target,
            prefix=prefix,
            source=source,
            more_matched=more,
            calls_so_far=calls,
        )
    except planning.BadSelection as err:
        return _choose_again(request, str(err))
    except hub.HubError as err:
        return _choose_again(request, err.message, status=err.status if 400 <= err.status < 600 else 502)
    return redirect("bulk-plan", plan.pk)


def _from_saved_view(
    request: AuthedRequest, client: hub.HubClient, view_id: str
) -> tuple[list[planning.Picked], bool, str]:
    """The repos a saved view matches (one Hub call, at most 1,000 scanned), as its page shows them."""
    if not view_id.isdigit():
        raise planning.BadSelection("No such saved view.")
    view = saved.visible_to(request.user).filter(pk=int(view_id)).first()
    if view is None:
        raise planning.BadSelection("No such saved view.")
    kind = planning.kind_of(view.kind)
    found = saved.scan(client, view)
    picked = [planning.Picked(kind, r.id, r.private, r.gated) for r in found.repos[: planning.MAX_REPOS]]
    more = found.more or len(found.repos) > planning.MAX_REPOS
    return picked, more, f"All that the saved view “{view.name}” matches" + (" (more may match)" if more else "")


def _source_words(kind: str, query: dict[str, Any], more: bool) -> str:
    parts = [f"All {kind}s that match"]
    if query.get("search"):
        parts.append(f"“{query['search']}”")
    if query.get("author"):
        parts.append(f"by {query['author']}")
    if query.get("filter"):
        parts.append("tagged " + ", ".join(query["filter"]))
    words = " ".join(parts)
    return words + (f" (the first {planning.MAX_REPOS:,}; more match)" if more else "")


def _choose_again(request: AuthedRequest, error: str, status: int = 400) -> HttpResponse:
    """The selection and the change as they were typed, with what is wrong: nothing is lost."""
    data = request.POST if request.method == "POST" else request.GET
    context = {
        "error": error,
        "actions": ACTIONS,
        "kind": data.get("kind", ""),
        "action": data.get("action", ""),
        "namespace": data.get("namespace", ""),
        "prefix": data.get("prefix", ""),
        "scope": data.get("scope", ""),
        "view": data.get("view", ""),
        "repos": data.getlist("repo"),
        "query": [(k, v) for k in ("search", "author", "sort") if (v := data.get(k))]
        + [("filter", f) for f in data.getlist("filter")],
    }
    template = "bulk/_choose.html" if request.htmx and error else "bulk/choose.html"
    return render(request, template, context, status=status)


def _plan_context(request: AuthedRequest, plan: Plan) -> dict[str, Any]:
    counts = runs.counts(plan)
    user = request.user
    return {
        "plan": plan,
        "describe": planning.describe(plan),
        "counts": counts,
        "to_change": counts["total"] - counts["skipped"] if plan.state == PREVIEW else counts["todo"] + counts["done"],
        "rows": render_list("bulk/items.html", "rows", plan.items.all(), planning.FIELD[plan.change]),
        "mine": plan.maker_id == user.pk,
        "may_decide": plan.state == AWAITING and is_admin(request.user) and plan.maker_id != user.pk,
        "needs_password": plan.needs_confirmation and user.has_usable_password(),
        "fresh_sign_in": plan.needs_confirmation and not user.has_usable_password(),
        "hf_confirmed": _hf_confirmed(request),
        "hf_confirm_url": reverse("hf-confirm") + "?" + urlencode({"next": reverse("bulk-plan", args=[plan.pk])}),
        "share_percent": round(plan.quota_share * 100) if plan.quota_share is not None else None,
        "duration": _duration(plan.estimated_seconds),
        "call_words": CALL_WORDS.get(plan.change, ""),
        "polling": plan.state in (QUEUED, RUNNING),
        "approval_required": ApprovalSetting.current(),
    }


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"about {round(seconds)} seconds"
    if seconds < 90 * 60:
        return f"about {round(seconds / 60)} minutes"
    return f"about {seconds / 3600:.1f} hours"


@require_safe
@never_cache
def plan_page(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    return render(request, "bulk/plan.html", _plan_context(request, plan))


@require_safe
@never_cache
def progress(request: AuthedRequest, plan_id: int) -> HttpResponse:
    """The progress region, polled while the run is queued or running; at its end the page is drawn again."""
    plan = _plan_for(request, plan_id)
    if plan.state not in (QUEUED, RUNNING) and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "bulk/plan.html#progress", _plan_context(request, plan))


def _hf_confirmed(request: AuthedRequest) -> bool:
    at = request.session.get(HF_CONFIRMED_KEY)
    return isinstance(at, int | float) and 0 <= time.time() - at <= HF_FRESH_FOR_S


@sensitive_variables("password")
def _password_ok(request: AuthedRequest, password: str) -> bool:
    """The person's password, checked as sign-in checks it: through axes, so failures count towards the same
    locks (and a locked account is refused whatever it types)."""
    user = request.user
    if not password:
        return False
    confirmed = authenticate(request, username=user.get_username(), password=password)
    if confirmed is None or confirmed.pk != user.pk:
        return False
    AxesProxyHandler.get_implementation().reset_user_attempts(request, get_credentials(user.get_username()))
    return True


@require_POST
@sensitive_post_parameters("password")
def confirm(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    if plan.state == PREVIEW and not plan.items.filter(state=PENDING).exists():
        # the page offers no Confirm then; a post made anyway is told so, before any password is asked
        return _refused(request, plan, flow.NOTHING_TO_DO)
    if plan.needs_confirmation:
        if request.user.has_usable_password():
            if not _password_ok(request, request.POST.get("password", "")):
                context = _plan_context(request, plan) | {"password_error": "That is not your password."}
                return render(request, "bulk/plan.html", context, status=400)
        elif not _hf_confirmed(request):
            context = _plan_context(request, plan) | {
                "password_error": "Confirm with Hugging Face first: sign in there again, then confirm the plan."
            }
            return render(request, "bulk/plan.html", context, status=400)
    try:
        plan = flow.confirm(plan, request.user, request.POST.get("override_reason", ""))
    except flow.NotAllowed as err:
        return _refused(request, plan, str(err))
    if plan.state == AWAITING:
        messages.info(request, "The plan waits for another admin's approval on the Team page.")
    return redirect("bulk-plan", plan.pk)


def _refused(request: AuthedRequest, plan: Plan, why: str, status: int = 409) -> HttpResponse:
    context = _plan_context(request, plan) | {"refused": why}
    return render(request, "bulk/plan.html", context, status=status)


@require_POST
def cancel(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    try:
        flow.cancel(plan, request.user)
    except flow.NotAllowed as err:
        return _refused(request, plan, str(err))
    messages.info(request, "Plan cancelled: nothing was changed.")
    return redirect("bulk-plan", plan.pk)


@require_POST
def stop(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    if plan.maker_id != request.user.pk:
        return _refused(request, plan, "Only the person who made a plan may stop it.", status=403)
    if not Plan.objects.filter(pk=plan.pk, state__in=[QUEUED, RUNNING]).update(
        state=STOPPED, outcome="Stopped by its maker: start it again to do the rest."
    ):
        return _refused(request, plan, "This plan is not running.")
    messages.info(request, "Stopped after the repo in progress. Start it again to do the rest.")
    return redirect("bulk-plan", plan.pk)


@require_POST
def start(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    if plan.maker_id != request.user.pk:
        return _refused(request, plan, "Only the person who made a plan may start it again.", status=403)
    runs.stop_stale(plan.pk)  # its worker gone: stopped now, if the periodic sweep has not done it yet
    if plan.state != STOPPED or not runs.start(plan):
        return _refused(request, plan, "Only a stopped plan can be started again.")
    return redirect("bulk-plan", plan.pk)


@require_POST
def undo(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    if plan.state not in (DONE, STOPPED):
        return _refused(request, plan, "Only a plan that ran can be undone.")
    try:
        new = flow.undo(plan, request.user)
    except flow.NotAllowed as err:
        return _refused(request, plan, str(err))
    return redirect("bulk-plan", new.pk)


@require_POST
@admins_only
def decide(request: AuthedRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for(request, plan_id)
    verdict = request.POST.get("decision")
    if verdict not in ("approve", "decline"):
        return _refused(request, plan, "Choose approve or decline.", status=400)
    reason = request.POST.get("reason", "").strip()[:300]
    try:
        flow.decide(plan, request.user, verdict == "approve", reason)
    except flow.NotAllowed as err:
        return _refused(request, plan, str(err))
    if request.htmx and request.POST.get("from") == "approvals":
        return _approvals(request)
    messages.success(request, "Plan approved: it runs now." if verdict == "approve" else "Plan declined.")
    return redirect("bulk-plan", plan.pk)


@require_safe
@never_cache
def approvals(request: AuthedRequest) -> HttpResponse:
    """The plans waiting for a second admin: the Team page's region (by URL name), or a page of its own."""
    return _approvals(request)


def _approvals(request: AuthedRequest) -> HttpResponse:
    """The approvals region or page, drawn (also after a decision or a setting posted by htmx)."""
    waiting = [
        plan
        for plan in Plan.objects.filter(state=AWAITING).select_related("maker").order_by("confirmed_at")
        if flow.shown(plan).state == AWAITING  # past its days it is expired, even before the job says so
    ]
    context = {
        "waiting": [(plan, planning.describe(plan), plan.items.filter(state="pending").count()) for plan in waiting],
        "is_admin": is_admin(request.user),
        "required": ApprovalSetting.current(),
        "admins": flow.active_admins(),
    }
    fragment = request.htmx and not request.htmx.history_restore_request  # a history restore needs the page
    template = "bulk/approvals.html#region" if fragment else "bulk/approvals.html"
    return render(request, template, context)


@require_POST
@admins_only
def approval_setting(request: AuthedRequest) -> HttpResponse:
    required = request.POST.get("required") == "on"
    try:
        flow.set_approvals(request.user, required)
    except flow.NotAllowed as err:
        messages.error(request, str(err))
        response = _approvals(request)
        response.status_code = 409
        return response
    messages.success(
        request,
        "Plans that make repos public or delete them now need another admin's approval."
        if required
        else "Plans no longer need another admin's approval.",
    )
    if request.htmx:
        return _approvals(request)
    return redirect("bulk-approvals")
