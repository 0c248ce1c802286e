"""Changing repos: the create page, and each repo's settings (visibility, gating, move, delete).

Every view checks access first (the person's stored token must write in that namespace), sends the
change with the person's own token, records the outcome in the activity feed, and shows what the Hub
answered. Visibility and gating change in place with htmx; create, move and delete are whole-page posts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from hubdash import hub
from hubdash.activity import record
from hubdash.core.guardrails import Change
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region, hub_error_page
from hubdash.hub import manage as hub_manage
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import PLURAL, Kind, RepoSummary

from . import guard
from .access import RepoAccess, person_client
from .manage_forms import CreateRepoForm, DeleteRepoForm, GatingForm, MoveForm, VisibilityForm, name_problem, owners_of
from .models import remember_visibility, repo_deleted, repo_moved
from .pages import (
    from_row,
    oauth_gap,
    read_only,
    repo_context,
    row_answer,
    writable_or_refusal,
    write_refusal,
)

UNREAD = "The Hub accepted the change, but hubdash could not read the repo back: reload to see its state."

# -- what the Hub's refusals mean, in plain words --------------------------------------------------


def _refusal(request: AuthedRequest, err: hub.HubError, namespace: str, scope: str = "write-repos") -> str:
    status = hub.token_status(request.user)
    gap = oauth_gap(status, namespace, scope) if isinstance(err, hub.NoAccess | hub.NotFound) else None
    if gap is not None:
        return gap
    if isinstance(err, hub.NoToken):
        return "Connect a Hub token with write access first."
    if isinstance(err, hub.BadToken):
        return "The Hub rejected your token (revoked or expired). Connect it again, then retry."
    if isinstance(err, hub.NoAccess):
        if status is not None and status.role == "read":
            return "Your Hub token is read-only: connect a token with write access to change repos."
        return f"The Hub refused: you may not do this in {namespace}. {err.message}"
    if isinstance(err, hub.RateLimited):
        return err.message
    if isinstance(err, hub.HubUnavailable):
        # The change was sent and its answer lost: it may have happened. Never claim nothing changed.
        return f"{err.message} The Hub did not confirm the change: check the repo before trying again."
    return err.message


def _record(
    request: AuthedRequest,
    action: str,
    kind: Kind,
    repo_id: str,
    summary: str,
    private: bool | None,
    error: str | None = None,
    override: guard.Override | None = None,
    **details: Any,
) -> None:
    outcome = {"outcome": "failed", "reason": error} if error else {"outcome": "success"}
    if not error:  # the repo's page on the Hub, where it now is
        details.setdefault("url", hub_repos.hub_url(kind, repo_id))
    summary = f"{summary} failed" if error else summary
    if override is not None:  # an admin went ahead against the guardrails: the feed says so, and why
        details.update(override.details())
        summary = f"{summary} (guardrail overridden: {override.reason})"
    record(
        action=action,
        summary=summary,
        member=request.user,
        repo_type=kind,
        repo_id=repo_id,
        private=private,
        details={**outcome, **details},
    )


def _owners(request: AuthedRequest) -> tuple[list[str], dict[str, Any] | None]:
    try:
        return owners_of(hub.identity_for(request.user)), None
    except hub.TokenKeyError:
        return [], error_region(request, hub.BadToken("hubdash can no longer decrypt your stored token."))
    except hub.HubError as err:
        return [], error_region(request, err)


def _guarded(
    request: AuthedRequest, access: RepoAccess | None, change: Change
) -> guard.Refusal | guard.Override | None:
    """The guardrails' word on a change (`access`: the repo as just read, for a row's refusal to say where
    an admin may override)."""
    checked = guard.refusal(request, [change])
    if isinstance(checked, guard.Refusal) and access is not None and from_row(request):
        where = " An admin may override it with a reason on the repo's Settings tab." if checked.may_override else ""
        checked.message += where
    return checked


# -- create ------------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def new_repo(request: AuthedRequest) -> HttpResponse:
    """`/new/`: a model, dataset or Space in your namespace or an organisation's."""
    token = hub.token_status(request.user)
    owners, owners_error = _owners(request) if token is not None else ([], None)
    initial = {"kind": request.GET.get("type") if request.GET.get("type") in PLURAL else "model"}
    if request.GET.get("owner") in owners:
        initial["owner"] = request.GET["owner"]
    chosen = request.POST.get("owner", "")
    if owners_error is not None and hub_repos.valid_repo_id(f"{chosen}/x"):
        owners = [chosen]  # the Hub could not say where they may create: the owner chosen stays for a retry
    form = CreateRepoForm(request.POST or None, owners=owners, initial=initial)
    context: dict[str, Any] = {
        "form": form,
        "token": token,
        "owners_error": owners_error,
        "read_only": read_only(request),
    }
    if request.method != "POST":
        return render(request, "repos/new.html", context)
    if owners_error is not None:  # the Hub's state (its region above the form), not a missing right
        return render(request, "repos/new.html", context, status=owners_error["error"].status)
    if token is None or not owners:
        context["refusal"] = "Connect a Hub token with write access first."
        return render(request, "repos/new.html", context, status=403)
    if not form.is_valid():
        return render(request, "repos/new.html", context, status=400)
    data = form.cleaned_data
    kind: Kind = data["kind"]
    if context["read_only"]:
        context["refusal"] = "Your Hub token is read-only: connect a token with write access to create repos."
        return render(request, "repos/new.html", context, status=403)
    private = data["visibility"] == "private"
    new_facts = {"private": private, "gated": "off", "license": data["license"] or None, "downloads": 0}
    checked = guard.refusal(request, [Change(kind, form.repo_id, "visibility", None, data["visibility"], new_facts)])
    if isinstance(checked, guard.Refusal):
        context["guardrail"] = checked
        return render(request, "repos/new.html", context, status=guard.STATUS)
    try:
        created = hub_manage.create_repo(
            person_client(request),
            kind,
            data["owner"],
            data["name"],
            data["visibility"],
            sdk=data["sdk"] or None,
            license=data["license"] or None,
        )
    except hub_manage.AlreadyExists as err:
        _record(request, "create", kind, form.repo_id, "create", private, err.message, checked)
        context["exists"] = {"kind": kind, "repo_id": err.repo_id}
        return render(request, "repos/new.html", context, status=409)
    except hub.HubError as err:
        reason = _refusal(request, err, data["owner"], "manage-repos")
        _record(request, "create", kind, form.repo_id, "create", private, reason, checked)
        context["refusal"] = reason
        return render(request, "repos/new.html", context, status=err.status)
    details: dict[str, Any] = {"visibility": data["visibility"]}
    if data["license"]:
        details["license"] = data["license"] if not created.license_error else None
    remember_visibility(kind, created.repo_id, data["visibility"])
    _record(request, "create", kind, created.repo_id, "created", private, None, checked, url=created.url, **details)
    messages.success(request, f"Created {created.repo_id}.")
    if created.license_error:
        messages.warning(request, f"The repo was created, but its license could not be set: {created.license_error}")
    return redirect(reverse(f"{kind}-repo", kwargs=_id_kwargs(created.repo_id)))


@require_safe
def check_name(request: AuthedRequest) -> HttpResponse:
    """As you type on `/new/`: whether the name follows the Hub's rules, then whether the owner already has a
    repo of that type and name (the Hub's repo info, through the shared cache; the field waits for a pause)."""
    name = request.GET.get("name", "").strip()
    owner = request.GET.get("owner", "").strip()
    kind: Kind = request.GET["kind"] if request.GET.get("kind") in PLURAL else "model"  # type: ignore[assignment]
    problem = name_problem(name) if name else None
    context: dict[str, Any] = {"name": name, "problem": problem, "form": CreateRepoForm(owners=[]), "kind": kind}
    repo_id = f"{owner}/{name}"
    if name and problem is None and owner and hub_repos.valid_repo_id(repo_id):
        context["owner"] = owner
        try:
            client = person_client(request)
            hub_repos.within_budget(
                lambda: hub_repos.repo_detail(client, kind, repo_id, None), hub_repos.FRAGMENT_BUDGET_S
            )
            context["taken"] = repo_id
        except (hub.NotFound, hub.Moved):
            context["free"] = True  # a renamed repo's old name may be taken again
        except hub.HubError as err:
            context["unchecked"] = err.message
    return render(request, "repos/new.html#name-check", context)


def _id_kwargs(repo_id: str) -> dict[str, str]:
    namespace, name = repo_id.split("/", 1)
    return {"namespace": namespace, "name": name}


# -- the settings panel ------------------------------------------------------------------------------


# What each change asks before it is made: the question, what it does to people, the button that does it.
CONFIRMATIONS = {
    ("visibility", "public"): (
        "Make {id} public?",
        "Everyone on the Hub will be able to see its files, history and card.",
        "Yes, make it public",
    ),
    ("visibility", "private"): (
        "Make {id} private?",
        "Only people with access to {ns}'s repos will see it: everyone else's downloads, and apps that load it, "
        "stop working.",
        "Yes, make it private",
    ),
    ("visibility", "protected"): (
        "Make {id} protected?",
        "Its app will be public, and only people with access to {ns}'s repos will see its files: everyone "
        "else's downloads of them stop working.",
        "Yes, make it protected",
    ),
    ("gating", "auto"): (
        "Gate {id}, approving requests automatically?",
        "People will have to request access before they download its files: downloads by anyone not yet "
        "granted access stop working until they ask.",
        "Yes, gate it",
    ),
    ("gating", "manual"): (
        "Gate {id}, approving requests by hand?",
        "People will have to request access before they download its files: downloads by anyone not yet "
        "granted access stop working until you approve them.",
        "Yes, gate it",
    ),
    ("gating", "off"): (
        "Turn off access requests for {id}?",
        "Anyone who can see it will be able to download its files without asking.",
        "Yes, turn them off",
    ),
}


def _confirmation(repo: RepoSummary, field: str, value: str) -> dict[str, str]:
    question, consequence, yes = CONFIRMATIONS[(field, value)]
    namespace, name = repo.id.split("/", 1)
    return {
        "field": field,
        "value": value,
        "question": question.format(id=repo.id),
        "consequence": consequence.format(ns=namespace),
        "yes": yes,
        "url": reverse(f"{repo.kind}-{field}", kwargs={"namespace": namespace, "name": name}),
    }


def _settings_context(request: AuthedRequest, access: RepoAccess, **forms: Any) -> dict[str, Any]:
    owners, _ = _owners(request)
    namespace, name = access.repo_id.split("/", 1)
    if namespace not in owners:
        owners = [namespace, *owners]
    repo = access.detail.summary
    context = repo_context(access, "settings")
    context.update(
        visibility_form=forms.get("visibility") or VisibilityForm(kind=access.kind),
        gating_form=forms.get("gating") or GatingForm(initial={"gating": repo.gated or "off"}),
        move_form=forms.get("move")
        or MoveForm(owners=owners, current=access.repo_id, initial={"owner": namespace, "name": name}),
        delete_form=forms.get("delete") or DeleteRepoForm(repo_id=access.repo_id, request=request),
    )
    return context


@require_safe
def repo_settings(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    access = writable_or_refusal(request, kind, f"{namespace}/{name}")
    if isinstance(access, HttpResponse):
        return access
    return render(request, "repos/settings.html", _settings_context(request, access))


def _panel(
    request: AuthedRequest, access: RepoAccess, repo: RepoSummary, which: str, status: int = 200, **extra: Any
) -> HttpResponse:
    """The visibility or gating panel alone (htmx), or the whole settings page."""
    context = _settings_context(request, access)
    context.update(repo=repo, **extra)
    if request.htmx:
        return render(request, f"repos/settings.html#{which}", {**context, "oob_badges": True}, status=status)
    return render(request, "repos/settings.html", context, status=status)


def _answer(
    request: AuthedRequest,
    access: RepoAccess,
    repo: RepoSummary,
    which: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """The settings panel (`which`: visibility or gating), or the listing row the switch was used from
    (`place=row`), as the Hub now has it."""
    for field in ("visibility", "gating"):
        if extra.get(f"confirm_{field}"):
            extra["confirm"] = _confirmation(repo, field, extra[f"confirm_{field}"])
    if from_row(request):
        return row_answer(request, repo, status, writable=True, **extra)
    return _panel(request, access, repo, which, status, **extra)


@require_http_methods(["GET", "HEAD", "POST"])
def repo_visibility(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """Change visibility. Each change asks first (on a row, in the panel, or as a page without JavaScript:
    a GET, from a row's switch, only asks): hiding a repo breaks people's downloads and apps, showing it
    shows it to everyone. Nothing changes without `confirm`."""
    repo_id = f"{namespace}/{name}"
    access = writable_or_refusal(request, kind, repo_id, row_field="visibility")
    if isinstance(access, HttpResponse):
        return access
    repo = access.detail.summary
    if request.POST.get("cancel"):  # a listing row's confirmation, dismissed: the row as it was
        return _answer(request, access, repo, "visibility", focus=request.POST["cancel"])
    form = VisibilityForm(request.POST if request.method == "POST" else request.GET, kind=kind)
    if not form.is_valid():
        if request.method != "POST":
            return redirect(reverse(f"{kind}-settings", kwargs=_id_kwargs(repo_id)))
        choices = "public, private or protected" if kind == "space" else "public or private"
        return _answer(request, access, repo, "visibility", 400, visibility_error=f"Choose {choices}.")
    wanted = form.cleaned_data["visibility"]
    was = form.cleaned_data["was"] or None
    if request.method != "POST" or not form.cleaned_data["confirm"]:
        return _answer(request, access, repo, "visibility", confirm_visibility=wanted, visibility=was or "")
    before = "private" if repo.private else (was or "public")
    checked = _guarded(request, access, Change(kind, repo_id, "visibility", before, wanted, guard.facts(access.detail)))
    if isinstance(checked, guard.Refusal):
        checked.values = {"visibility": wanted, "confirm": "1", **({"was": was} if was else {})}
        return _answer(request, access, repo, "visibility", guard.STATUS, visibility_error=checked.message,
                       guardrail=checked, visibility=was or "")  # fmt: skip
    try:
        changed = hub_manage.update_settings(access.client, kind, repo_id, visibility=wanted)
    except hub.HubError as err:
        reason = _refusal(request, err, namespace)
        _record(request, "settings", kind, repo_id, f"visibility to {wanted}", repo.private, reason, checked,
                visibility=wanted)  # fmt: skip
        return _answer(request, access, repo, "visibility", err.status, visibility_error=reason)
    if changed is None:
        _record(request, "settings", kind, repo_id, f"visibility to {wanted}", wanted == "private", None, checked,
                visibility=wanted)  # fmt: skip
        return _answer(request, access, repo, "visibility", visibility_error=UNREAD)
    repo, shown = changed.repo, changed.visibility
    remember_visibility(kind, repo_id, shown)
    _record(request, "settings", kind, repo_id, f"visibility to {shown}", repo.private, None, checked, visibility=shown)
    if not request.htmx:
        messages.success(request, f"{repo_id} is now {shown}.")
        return redirect(reverse(f"{kind}-settings", kwargs=_id_kwargs(repo_id)))
    return _answer(request, access, repo, "visibility", visibility=shown, visibility_done=f"The Hub says: now {shown}.")


@require_http_methods(["GET", "HEAD", "POST"])
def repo_gating(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    repo_id = f"{namespace}/{name}"
    access = writable_or_refusal(request, kind, repo_id, row_field="gating")
    if isinstance(access, HttpResponse):
        return access
    repo = access.detail.summary
    if request.POST.get("cancel"):  # a listing row's confirmation, dismissed: the row as it was
        return _answer(request, access, repo, "gating", focus=request.POST["cancel"])
    form = GatingForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        if request.method != "POST":
            return redirect(reverse(f"{kind}-settings", kwargs=_id_kwargs(repo_id)))
        return _answer(request, access, repo, "gating", 400, gating_error="Choose off, automatic or manual.")
    wanted = form.cleaned_data["gating"]
    # Gating stops the downloads of everyone not yet granted access: asked first (turning it off is not).
    risky = wanted != "off" and wanted != (repo.gated or "off")
    if request.method != "POST" or (risky and not form.cleaned_data["confirm"]):
        return _answer(request, access, repo, "gating", confirm_gating=wanted, gating_form=form)
    checked = _guarded(
        request, access, Change(kind, repo_id, "gating", repo.gated or "off", wanted, guard.facts(access.detail))
    )
    if isinstance(checked, guard.Refusal):
        checked.values = {"gating": wanted, "confirm": "1"}
        extra = {"gating_error": checked.message, "gating_form": form, "guardrail": checked}
        return _answer(request, access, repo, "gating", guard.STATUS, **extra)
    try:
        changed = hub_manage.update_settings(access.client, kind, repo_id, gating=wanted)
    except hub.HubError as err:
        reason = _refusal(request, err, namespace)
        _record(request, "settings", kind, repo_id, f"gating to {wanted}", repo.private, reason, checked, gating=wanted)
        extra = {"gating_error": reason, "gating_form": form}
        return _answer(request, access, repo, "gating", err.status, **extra)
    if changed is None:
        _record(request, "settings", kind, repo_id, f"gating to {wanted}", repo.private, None, checked, gating=wanted)
        return _answer(request, access, repo, "gating", gating_error=UNREAD, gating_form=form)
    repo, shown = changed.repo, changed.gating
    remember_visibility(kind, repo_id, changed.visibility)
    _record(request, "settings", kind, repo_id, f"gating to {shown}", repo.private, None, checked, gating=shown)
    if not request.htmx:
        messages.success(request, f"Gating of {repo_id} is now {shown}.")
        return redirect(reverse(f"{kind}-settings", kwargs=_id_kwargs(repo_id)))
    done = "The Hub says: access requests are off." if shown == "off" else f"The Hub says: gated, {shown} approval."
    form = GatingForm(initial={"gating": shown})
    return _answer(request, access, repo, "gating", visibility=changed.visibility, gating_done=done, gating_form=form)


@require_POST
def repo_move(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    repo_id = f"{namespace}/{name}"
    access = writable_or_refusal(request, kind, repo_id)
    if isinstance(access, HttpResponse):
        return access
    owners, _ = _owners(request)
    form = MoveForm(request.POST, owners=sorted({namespace, *owners}), current=repo_id)
    if not form.is_valid():
        return render(request, "repos/settings.html", _settings_context(request, access, move=form), status=400)
    private = access.detail.summary.private
    checked = _guarded(request, None, Change(kind, repo_id, "move", repo_id, form.new_id, guard.facts(access.detail)))
    if isinstance(checked, guard.Refusal):
        context = _settings_context(request, access, move=form)
        context.update(move_error=checked.message, move_guardrail=checked)
        return render(request, "repos/settings.html", context, status=guard.STATUS)
    try:
        new_id = hub_manage.move_repo(access.client, kind, repo_id, form.new_id)
    except hub.HubError as err:
        reason = _refusal(request, err, form.cleaned_data["owner"], "manage-repos")
        context = _settings_context(request, access, move=form)
        if isinstance(err, hub_manage.AlreadyExists):
            context["move_exists"] = {"kind": kind, "repo_id": err.repo_id}
        else:
            context["move_error"] = reason
        _record(request, "move", kind, repo_id, f"move to {form.new_id}", private, reason, checked, to=form.new_id)
        return render(request, "repos/settings.html", context, status=err.status)
    repo_moved(kind, repo_id, new_id)
    _record(request, "move", kind, new_id, f"moved from {repo_id}", private, None, checked,
            **{"from": repo_id, "to": new_id})  # fmt: skip
    messages.success(request, f"Moved {repo_id} to {new_id}.")
    url = reverse(f"{kind}-repo", kwargs=_id_kwargs(new_id))
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@sensitive_post_parameters("password")
def repo_delete(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """Delete after the typed full name and the person's password; a repo already gone counts as deleted."""
    repo_id = f"{namespace}/{name}"
    if not hub_repos.valid_repo_id(repo_id):
        return hub_error_page(request, hub.NotFound("That is not a valid repo name."), what=repo_id)
    refusal = write_refusal(request, repo_id)
    if refusal is not None:
        return refusal
    form = DeleteRepoForm(request.POST, repo_id=repo_id, request=request)
    if not form.is_valid():
        access = writable_or_refusal(request, kind, repo_id)
        if isinstance(access, HttpResponse):
            return access
        context = _settings_context(request, access, delete=form)
        return render(request, "repos/settings.html", context, status=400)
    checked = _guarded(request, None, Change(kind, repo_id, "delete", facts=_delete_facts(request, kind, repo_id)))
    if isinstance(checked, guard.Refusal):
        access = writable_or_refusal(request, kind, repo_id)
        if isinstance(access, HttpResponse):
            return access
        context = _settings_context(request, access, delete=DeleteRepoForm(repo_id=repo_id, request=request))
        context.update(delete_error=checked.message, delete_guardrail=checked)
        return render(request, "repos/settings.html", context, status=guard.STATUS)
    try:
        client = person_client(request)
        deleted = hub_manage.delete_repo(client, kind, repo_id)
    except hub.HubError as err:
        reason = _refusal(request, err, namespace, "manage-repos")
        _record(request, "delete", kind, repo_id, "delete", None, reason, checked)
        access = writable_or_refusal(request, kind, repo_id)
        if isinstance(access, HttpResponse):
            return access
        context = _settings_context(request, access, delete=form)
        context["delete_error"] = reason
        return render(request, "repos/settings.html", context, status=err.status)
    repo_deleted(kind, repo_id)
    _record(request, "delete", kind, repo_id, "deleted" if deleted else "deleted (already gone)", None, None, checked)
    messages.success(request, f"Deleted {repo_id}." if deleted else f"{repo_id} was already gone: nothing to delete.")
    url = reverse(f"{kind}-list") + "?" + urlencode({"author": namespace})
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _delete_facts(request: AuthedRequest, kind: Kind, repo_id: str) -> dict[str, Any]:
    """The repo's downloads and the rest for the guardrails (the settings page just read it: from the cache).
    A repo the Hub no longer shows has none to tell: its delete is "already gone"."""
    try:
        client = person_client(request)
        detail = hub_repos.within_budget(
            lambda: hub_repos.repo_detail(client, kind, repo_id, None), hub_repos.PAGE_BUDGET_S
        )
    except hub.HubError:
        return {}
    return guard.facts(detail)
