"""Saved views (save from a listing, open, narrow, rename, delete; the nav's and home page's fragments) and
the guardrails page.

The listings (repos) post to `saved-view-save` by URL name; the nav and the home page load
`saved-views-nav` and `saved-views-home`, which read only hubdash's own rows: drawing them asks the Hub
nothing. Opening a view asks the Hub once (its query, up to 1,000 repos) and keeps what this person saw.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from hubdash import hub
from hubdash.activity import record
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region
from hubdash.core.permissions import is_admin

from . import saved
from .forms_saved import GuardrailForm, RenameForm, SaveViewForm, ViewFiltersForm
from .models_saved import Guardrail, SavedView

LIST_NAMES = {"model": "model-list", "dataset": "dataset-list", "space": "space-list"}
NAV_SHOWN = 8  # the nav and home page show this many views, then a link to all
CHANGED = "savedViewsChanged"  # regions showing saved views refresh on it


def _view_for(request: AuthedRequest, view_id: int, edit: bool = False) -> SavedView:
    """The view if this person may see it (and, with `edit`, change it): others' own views do not exist."""
    view = saved.visible_to(request.user).filter(pk=view_id).first()
    if view is None:
        raise Http404("There is no such saved view, or it is someone else's own.")
    if edit and not saved.may_edit(request.user, view):
        raise PermissionDenied("Only its owner, or an admin for a team view, may change a saved view.")
    return view


def _listing_url(view: SavedView) -> str:
    return reverse(LIST_NAMES[view.kind]) + (f"?{view.query}" if view.query else "")


# -- the list, the nav and the home page -----------------------------------------------------------


@require_safe
def saved_views(request: AuthedRequest) -> HttpResponse:
    views = saved.with_openings(request.user, saved.visible_to(request.user).select_related("owner"))
    return render(request, "bulk/views/list.html", {"views": views, "list_names": LIST_NAMES})


@require_safe
def nav_fragment(request: AuthedRequest) -> HttpResponse:
    """The nav's saved views: their names, each with the count and age of this person's last opening."""
    views = saved.with_openings(request.user, saved.visible_to(request.user)[: NAV_SHOWN + 1])
    context = {"views": views[:NAV_SHOWN], "more": len(views) > NAV_SHOWN}
    return render(request, "bulk/views/_nav.html", context)


@require_safe
def home_fragment(request: AuthedRequest) -> HttpResponse:
    views = saved.with_openings(request.user, saved.visible_to(request.user).select_related("owner")[: NAV_SHOWN + 1])
    context = {"views": views[:NAV_SHOWN], "more": len(views) > NAV_SHOWN}
    return render(request, "bulk/views/_home.html", context)


# -- saving --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def save_view(request: AuthedRequest) -> HttpResponse:
    """From a listing's "Save this view" form: with htmx a post answered in place; without JavaScript its
    GET opens this page, the form filled in, which posts with its CSRF token."""
    if request.method != "POST":
        initial = {k: request.GET.get(k, "") for k in ("name", "kind", "query", "scope")}
        form = SaveViewForm(initial={**initial, "scope": initial["scope"] or "own"})
        return render(request, "bulk/views/save.html", {"form": form, "describe": _query_words(request.GET)})
    form = SaveViewForm(request.POST)
    if not form.is_valid():
        template = "bulk/views/_save_form.html" if request.htmx else "bulk/views/save.html"
        context = {"form": form, "describe": _query_words(request.POST)}
        return render(request, template, context, status=400)
    view = form.save(commit=False)
    view.owner = request.user
    view.team = form.cleaned_data["scope"] == "team"
    view.save()
    url = reverse("saved-view", args=[view.pk])
    if request.htmx:
        response = render(request, "bulk/views/_save_form.html", {"saved": view, "saved_url": url})
        return trigger_client_event(response, CHANGED)
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(url)


def _query_words(data: QueryDict) -> str:
    kind = data.get("kind", "")
    if kind not in LIST_NAMES:
        return ""
    probe = SavedView(kind=kind, query=data.get("query", ""))
    return ", ".join(saved.describe(probe))


# -- opening -------------------------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request")
def open_view(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = _view_for(request, view_id)
    context: dict[str, Any] = _view_context(request, view)
    status = 200
    try:
        client = hub.client_for(request.user)
        found = saved.scan(client, view)
    except hub.TokenKeyError:
        err: hub.HubError = hub.BadToken("hubdash can no longer decrypt your stored token. Connect it again.")
        context["error"], status = error_region(request, err), err.status
    except hub.HubError as err:
        context["error"], status = error_region(request, err), err.status
    except saved.BadQuery as err:
        context["query_error"], status = str(err), 400
    else:
        page = _page(request)
        start = (page - 1) * found.limit
        context.update(
            found=found,
            rows=found.repos[start : start + found.limit],
            page=page,
            pages=max(1, -(-len(found.repos) // found.limit)),
            opening=saved.remember(view, request.user, found),
        )
    return render(request, "bulk/views/view.html", context, status=status)


def _page(request: AuthedRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(1, min(int(raw), 1000)) if raw.isdigit() else 1


def _view_context(request: AuthedRequest, view: SavedView, **forms: Any) -> dict[str, Any]:
    editable = saved.may_edit(request.user, view)
    return {
        "view": view,
        "words": saved.describe(view),
        "listing_url": _listing_url(view),
        "editable": editable,
        "filters_form": forms.get("filters") or ViewFiltersForm(instance=view),
        "rename_form": forms.get("rename") or RenameForm(initial={"name": view.name}),
        "scan_limit": saved.SCAN_LIMIT,
    }


def _refused(request: AuthedRequest, view: SavedView, **forms: Any) -> HttpResponse:
    """The view's page with a refused form, what was typed kept; the Hub is not asked again."""
    return render(request, "bulk/views/view.html", _view_context(request, view, **forms), status=400)


@require_POST
def update_filters(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = _view_for(request, view_id, edit=True)
    form = ViewFiltersForm(request.POST, instance=view)
    if not form.is_valid():
        view.refresh_from_db()
        return _refused(request, view, filters=form)
    form.save()
    messages.success(request, f"“{view.name}” now narrows by what you chose.")
    return redirect("saved-view", view.pk)


@require_POST
def rename_view(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = _view_for(request, view_id, edit=True)
    form = RenameForm(request.POST)
    if not form.is_valid():
        return _refused(request, view, rename=form)
    old, view.name = view.name, form.cleaned_data["name"]
    view.save(update_fields=["name"])
    messages.success(request, f"Renamed “{old}” to “{view.name}”.")
    return redirect("saved-view", view.pk)


@require_POST
def delete_view(request: AuthedRequest, view_id: int) -> HttpResponse:
    view = _view_for(request, view_id, edit=True)
    name = view.name
    view.delete()
    messages.success(request, f"Deleted the saved view “{name}”.")
    url = reverse("saved-views")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# -- guardrails ----------------------------------------------------------------------------------


@require_safe
def guardrails_page(request: AuthedRequest) -> HttpResponse:
    """Everyone may read the team's rules; admins add and remove them."""
    return _guardrails(request, GuardrailForm())


def _guardrails(request: AuthedRequest, form: GuardrailForm, status: int = 200) -> HttpResponse:
    context = {
        "rules": Guardrail.objects.select_related("created_by"),
        "form": form,
        "admin": is_admin(request.user),
    }
    return render(request, "bulk/guardrails/guardrails.html", context, status=status)


def _admin_only(request: AuthedRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied("Only admins may change the team's guardrails.")


@require_POST
def add_guardrail(request: AuthedRequest) -> HttpResponse:
    _admin_only(request)
    form = GuardrailForm(request.POST)
    if not form.is_valid():
        return _guardrails(request, form, 400)
    rule = form.save(commit=False)
    rule.created_by = request.user
    rule.save()
    record(action="team", summary=f"added the guardrail “{rule.title}”", member=request.user)
    messages.success(request, f"Added the guardrail “{rule.title}”.")
    return redirect("guardrails")


@require_POST
def delete_guardrail(request: AuthedRequest, rule_id: int) -> HttpResponse:
    _admin_only(request)
    rule = Guardrail.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("There is no such guardrail.")
    title = rule.title
    rule.delete()
    record(action="team", summary=f"removed the guardrail “{title}”", member=request.user)
    messages.success(request, f"Removed the guardrail “{title}”.")
    return redirect("guardrails")
