"""What the repo pages and their tabs share (repos' views, and the Upload tab of `uploads`): a repo page's
context, the page for a repo the Hub will not show, and the access check that answers with the refusal,
as a page or as the listing row a switch was used on."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import hub_error_page
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import KINDS, Kind, RepoSummary

from .access import RepoAccess, may_write, repo_for
from .models import last_visibility

# The tag groups shown as facets, in order, with their headings.
FACET_GROUPS: dict[Kind, tuple[tuple[str, str], ...]] = {
    "model": (("pipeline_tag", "Tasks"), ("library", "Libraries"), ("language", "Languages"),
              ("license", "Licenses"), ("dataset", "Datasets"), ("other", "Other")),
    "dataset": (("task_categories", "Tasks"), ("modality", "Modalities"), ("format", "Formats"),
                ("size_categories", "Sizes"), ("language", "Languages"), ("license", "Licenses"),
                ("library", "Libraries"), ("benchmark", "Benchmarks")),
    "space": (),
}  # fmt: skip


def facet_rank(kind: Kind, group: str) -> int:
    """Where a tag group goes: the facet groups in their order, then the others."""
    order = [g for g, _ in FACET_GROUPS[kind]]
    return order.index(group) if group in order else len(order)


def _grouped_tags(kind: Kind, tags: tuple[str, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
    """A repo's tags by type: `type:value` tags by their prefix, the others by the Hub's vocabulary when known."""
    vocabulary = hub_repos.cached_tag_vocabulary(kind)
    headings = dict(FACET_GROUPS[kind])
    groups: dict[str, list[tuple[str, str]]] = {}
    for tag in tags:
        group = vocabulary.group_of(tag) if vocabulary else None
        if group is None:
            group = tag.split(":", 1)[0] if ":" in tag else "other"
        label = vocabulary.label_of(tag) if vocabulary else tag
        groups.setdefault(group, []).append((tag, label))
    return [
        (headings.get(group) or group.replace("_", " ").capitalize(), items)
        for group, items in sorted(groups.items(), key=lambda i: (facet_rank(kind, i[0]), i[0]))
    ]


def _visibility(access: Any) -> dict[str, Any]:
    """What the page may say of a repo's visibility. Repo info tells only `private`, so a readable Space is
    public or protected: hubdash's last settings answer for it says which (with its age), else nobody here knows."""
    repo = access.detail.summary
    if repo.private or access.kind != "space":
        return {"visibility": "private" if repo.private else "public"}
    answer = last_visibility(access.kind, access.repo_id)
    if answer is not None and answer.visibility != "private":  # private answered: made readable elsewhere since
        return {"visibility": answer.visibility, "visibility_answer": answer}
    try:  # an organisation's admins may read its repositories settings, which say
        listed = hub_repos.within_budget(
            lambda: hub_repos.org_repo_visibility(access.client, access.kind, access.repo_id),
            hub_repos.FRAGMENT_BUDGET_S,
        )
    except hub.HubError:
        listed = None  # not an organisation, not its admin, or the Hub did not answer: say it is not known
    if listed in ("public", "protected"):
        return {"visibility": listed, "visibility_listed": True}
    return {"visibility": "", "visibility_unknown": True}


def repo_context(access: Any, tab: str) -> dict[str, Any]:
    refs = access.results.get("refs")
    return {
        **_visibility(access),
        "access": access,
        "repo": access.detail.summary,
        "detail": access.detail,
        "kind": access.kind,
        "tab": tab,
        "page": "repo" if tab == "overview" else tab,
        "refs": refs if not isinstance(refs, hub.HubError) else None,
        "hub_url": hub_repos.hub_url(access.kind, access.repo_id),
        "tag_groups": _grouped_tags(access.kind, access.detail.summary.tags),
    }


def repo_failure(request: AuthedRequest, err: hub.HubError, repo_id: str) -> HttpResponse:
    """The page for a repo the Hub will not show; a renamed repo sends the person to its new name."""
    if isinstance(err, hub.Moved) and request.resolver_match is not None:
        namespace, name = err.new_id.split("/", 1)
        kwargs = {k: v for k, v in request.resolver_match.kwargs.items() if k != "kind"}
        url = reverse(request.resolver_match.view_name, kwargs={**kwargs, "namespace": namespace, "name": name})
        return redirect(url + (f"?{request.GET.urlencode()}" if request.GET else ""))
    kind = request.resolver_match.kwargs.get("kind") if request.resolver_match else None
    link = hub_repos.hub_url(kind, repo_id) if kind in KINDS and hub_repos.valid_repo_id(repo_id) else ""
    return hub_error_page(request, err, what=repo_id, hub_link=link if isinstance(err, hub.NoAccess) else "")


# What a listing row may show beyond the listing's own fields (the Full details and Model config choices).
LAYOUTS = {"full", "config"}


def oauth_gap(status: hub.TokenStatus | None, namespace: str, scope: str) -> str | None:
    """What a Hugging Face sign-in's token was not granted for this action, and how to grant it; None if nothing."""
    if status is None or not status.is_oauth:
        return None
    if not status.reaches(namespace):
        return (
            f"Your Hugging Face sign-in did not grant hubdash the organisation {namespace}. Sign in with Hugging "
            f"Face again (your profile has the button) and tick {namespace} on the Hub's consent screen."
        )
    if not status.has_scope(scope):
        return (
            f"Your Hugging Face sign-in did not grant the {scope} scope this needs. Ask an admin to add it to "
            "HUBDASH_HF_OAUTH_SCOPES, then sign in with Hugging Face again and approve it."
        )
    return None


def read_only(request: AuthedRequest) -> bool:
    status = hub.token_status(request.user)
    return status is not None and status.role == "read"


def writable_or_refusal(
    request: AuthedRequest, kind: Kind, repo_id: str, row_field: str | None = None
) -> RepoAccess | HttpResponse:
    """The repo if this person may change it; else the page that says why (missing, or no right).

    With `row_field` ("visibility", "gating") and a switch used on a listing row, the refusal is that row
    instead, its `<row_field>_error` saying why and without switches.
    """
    on_row = row_field is not None and from_row(request)
    try:
        access = repo_for(request, kind, repo_id, None)
    except hub.HubError as err:
        if not on_row:
            return repo_failure(request, err, repo_id)
        status = 404 if isinstance(err, hub.Moved) else err.status  # a row cannot follow a redirect
        return row_answer(
            request, RepoSummary(kind, repo_id), status, writable=False, **{f"{row_field}_error": err.message}
        )
    if access.rights_error is not None:  # the Hub could not say who the person is: not a refusal
        if not on_row:
            return hub_error_page(request, access.rights_error, what=repo_id)
        error = {f"{row_field}_error": access.rights_error.message}
        return row_answer(request, access.detail.summary, access.rights_error.status, writable=False, **error)
    if not access.can_write:
        if not on_row:
            return no_right(request, repo_id)
        reason = no_right_reason(request, repo_id)
        return row_answer(request, access.detail.summary, 403, writable=False, **{f"{row_field}_error": reason})
    return access


def write_refusal(request: AuthedRequest, repo_id: str) -> HttpResponse | None:
    """Without reading the repo: the page that says why this person may not change it, or None if they may.
    A Hub that cannot say who they are gets its own state (503, 429), never a refusal."""
    try:
        allowed = may_write(request, repo_id.split("/", 1)[0])
    except hub.HubError as err:
        return hub_error_page(request, err, what=repo_id)
    return None if allowed else no_right(request, repo_id)


def no_right(request: AuthedRequest, repo_id: str) -> HttpResponse:
    return hub_error_page(request, hub.NoAccess(no_right_reason(request, repo_id)), what=repo_id)


def no_right_reason(request: AuthedRequest, repo_id: str) -> str:
    gap = oauth_gap(hub.token_status(request.user), repo_id.split("/", 1)[0], "write-repos")
    if gap is not None:
        return gap
    if read_only(request):
        return "Your Hub token is read-only: connect a token with write access to change repos."
    return "Your Hub token may not change this repo."


def from_row(request: AuthedRequest) -> bool:
    """The switch was used on a listing row: the answer is that row, never a panel or a whole page."""
    return bool(request.htmx) and request.POST.get("place") == "row"


def row_answer(
    request: AuthedRequest, repo: RepoSummary, status: int = 200, *, writable: bool, **extra: Any
) -> HttpResponse:
    """The listing row, drawn as its listing drew it: the repo is read back whole (commit, files, config),
    but a row shows only what its listing asked the Hub for (`layout`, sent by the row's switches)."""
    layout = sorted(name for name in LAYOUTS if request.POST.get(name))
    repo = replace(
        repo,
        sha=repo.sha if "full" in layout else None,
        files=repo.files if "full" in layout else (),
        config=repo.config if "config" in layout else None,
    )
    if not extra.get("visibility") and not repo.private:  # as the listing drew it (`protected_among`)
        answer = last_visibility(repo.kind, repo.id) if repo.kind == "space" else None
        extra["visibility"] = answer.visibility if answer and answer.visibility == "protected" else ""
    context = {"repo": repo, "writable": {repo.namespace} if writable else set(), **extra}
    if "confirm" in extra:  # the row's own buttons answer: with the row's place and layout
        row_values = {"place": "row", **dict.fromkeys(layout, "1")}
        field, value = extra["confirm"]["field"], extra["confirm"]["value"]
        extra["confirm"]["yes_values"] = json.dumps({**row_values, field: value, "confirm": "1"})
        extra["confirm"]["cancel_values"] = json.dumps({**row_values, "cancel": f"{field}:{value}"})
    return render(request, "repos/_repo_item.html", context, status=status, using="jinja2")
