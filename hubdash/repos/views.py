"""Home, listings, repo pages by revision, tags and metrics: what people browse on the Hub."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from markupsafe import Markup

from hubdash import hub
from hubdash.accounts.account_menu import shell_parts
from hubdash.activity.feed import recent as recent_activity
from hubdash.core import row_figures
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region, hub_error_page
from hubdash.core.page_cache import BODY_MARK, cached_page, page_key, render_framed
from hubdash.hub import HubClient
from hubdash.hub import cache as hub_cache
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import KINDS, PLURAL, Kind, TagVocabulary
from hubdash.lists import render_list

from .access import person_client, repo_for, writable_namespaces
from .cards import render_card
from .forms import ListingForm
from .models import protected_among
from .pages import FACET_GROUPS, facet_rank, repo_context, repo_failure

FACETS_SHOWN = 10
# One URL answers with a page, the results fragment or the next rows, depending on these.
FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
KIND_TITLES: dict[Kind, str] = {"model": "Models", "dataset": "Datasets", "space": "Spaces"}


def _wants_fragment(request: AuthedRequest) -> bool:
    # With the history cache off, Back is a history-restore request: it needs the whole page.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _budget(request: AuthedRequest) -> float:
    return hub_repos.FRAGMENT_BUDGET_S if _wants_fragment(request) else hub_repos.PAGE_BUDGET_S


# -- home ---------------------------------------------------------------------------------------------


@require_safe
def home(request: AuthedRequest) -> HttpResponse:
    status = hub.token_status(request.user)
    context: dict[str, Any] = {"token": status, "identity": None, "identity_error": None, "recent": []}
    if status is not None:
        try:
            identity = hub.identity_for(request.user)
        except hub.TokenKeyError:
            context["identity_error"] = error_region(
                request, hub.BadToken("hubdash can no longer decrypt your stored token. Connect it again.")
            )
        except hub.HubError as err:
            context["identity_error"] = error_region(request, err)
        else:
            context["identity"] = identity
            namespaces = frozenset([identity.name, *(org.name for org in identity.orgs)])
            context["activity"] = recent_activity(request.user, namespaces=namespaces)
            client = person_client(request)
            calls: dict[str, Callable[[], Any]] = {
                kind: (
                    lambda k: (
                        lambda: hub_repos.list_repos(
                            client, hub_repos.ListQuery(k, author=identity.name, sort="updated", limit=5)
                        )
                    )
                )(kind)
                for kind in KINDS
            }
            for kind, result in hub_repos.run_together(calls, hub_repos.PAGE_BUDGET_S).items():
                entry: dict[str, Any] = {"kind": kind, "title": KIND_TITLES[cast(Kind, kind)]}
                if isinstance(result, hub.HubError):
                    entry["error"] = error_region(request, result)
                else:
                    entry.update(repos=result.repos, more=result.next_cursor is not None)
                context["recent"].append(entry)
    return render(request, "repos/home.html", context)


# -- listings -----------------------------------------------------------------------------------------


def _filter_links(request: AuthedRequest) -> Callable[[list[str]], str]:
    """Links to this listing with other tag filters, back on the first page (the rest encoded once)."""
    params = request.GET.copy()
    params.pop("filter", None)
    params.pop("cursor", None)
    base = f"{request.path}?{params.urlencode()}"

    def link(tags: list[str]) -> str:
        return base + ("&" if params else "") + urlencode([("filter", tag) for tag in tags])

    return link


# Facet links differ between queries only in their prefix (the listing's other parameters), so the facet
# groups are drawn once per process for each vocabulary and selection with this mark where the prefix goes
# (templates/jinja2/repos/facets.html), then the page's own prefix is put in. Drawn with escaping on,
# no text from the Hub can read as the mark: its "<" would be "&lt;".
_PREFIX_MARK = Markup("<facet-link-prefix>")
# Per kind, for the vocabulary object last seen (each process keeps the one it read for a while) and
# then by selection: comparing the object is free, where hashing the Hub's thousands of tags on every
# page was not; a new vocabulary drops the markup drawn from the old one.
_FACETS_HTML: dict[Kind, tuple[TagVocabulary, dict[tuple[str, ...], Markup]]] = {}
# A selection's markup holds a link per tag (about 250 bytes each, thousands of tags), and any member can
# ask for any selection: a few are kept, the most asked (no filter, one filter) among them.
_FACETS_HTML_MAX = 16


class Facets:
    """The listing's tag facets from the Hub's vocabulary, and the chosen tags as removable chips.

    Built only when the template asks: a warm listing takes its rendered facets from the cache.
    """

    def __init__(
        self, request: AuthedRequest, kind: Kind, selected: tuple[str, ...], vocabulary: TagVocabulary | None
    ) -> None:
        self.kind, self.selected, self.vocabulary = kind, selected, vocabulary
        self.with_filters = _filter_links(request)

    @cached_property
    def chips(self) -> list[dict[str, str]]:
        return [
            {
                "id": tag,
                "label": self.vocabulary.label_of(tag) if self.vocabulary else tag,
                "remove_url": self.with_filters([t for t in self.selected if t != tag]),
            }
            for tag in self.selected
        ]

    def _groups(self) -> list[dict[str, Any]]:
        """The facet groups, each tag with the query string of the filters it adds to the selection."""
        groups = []
        for group, heading in FACET_GROUPS[self.kind] if self.vocabulary else ():
            tags = [
                {"id": t.id, "label": t.label, "query": urlencode([("filter", tag) for tag in (*self.selected, t.id)])}
                for t in self.vocabulary.groups.get(group, ())  # type: ignore[union-attr]
                if t.id not in self.selected
            ]
            if tags:
                shown, more = tags[:FACETS_SHOWN], tags[FACETS_SHOWN:]
                groups.append({"id": group, "heading": heading, "shown": shown, "more": more})
        return groups

    @cached_property
    def groups_html(self) -> Markup:
        """The facet groups' markup: drawn once per vocabulary and selection, this page's links put in."""
        if self.vocabulary is None:
            return Markup()
        kept = _FACETS_HTML.get(self.kind)
        if kept is None or kept[0] is not self.vocabulary:
            kept = _FACETS_HTML[self.kind] = (self.vocabulary, {})
        by_selection = kept[1]
        html = by_selection.get(self.selected)
        if html is None:
            html = render_list("repos/facets.html", "groups", self._groups())
            if len(by_selection) >= _FACETS_HTML_MAX:
                by_selection.clear()
            by_selection[self.selected] = html
        # Markup's replace escapes the prefix (this listing's own parameters, ending in "?" or "&").
        return html.replace(_PREFIX_MARK, self.with_filters([]))


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
def listing(request: AuthedRequest, kind: Kind) -> HttpResponse:
    try:
        client = person_client(request)
        writable = writable_namespaces(request)
    except hub.HubError as err:
        return hub_error_page(request, err)
    more = _wants_fragment(request) and request.htmx.target == "load-more"
    # A warm listing is one cache read: the rendered results (or the whole page), for this person and this
    # exact query, are reused as long as the Hub's answer would be (no Hub call, no template).
    # Creating, deleting, moving or changing a repo's visibility in hubdash drops every listing at once.
    # Rows of repos this person may write carry a visibility switch: what they may write is part of the key,
    # so that a body rendered for one person never shows its switches to another who shares the scope.
    # The form sends every field, a link only what differs from the defaults: both mean one listing, so
    # the page is drawn from (and kept under) the short form, and its links are built from it.
    request.GET = QueryDict(urlencode(_canonical_params(request)))
    address = request.path + (f"?{request.GET.urlencode()}" if request.GET else "")
    generation = hub_cache.listings_generation()
    # Figures other apps add to rows (hubdash.core.row_figures: the usage app's trends) are part of the key too.
    scope = f"{client.cache_scope}:{generation}:{_digest(sorted(writable))}:{_digest([row_figures.version()])}"
    body_key = _body_key(scope, address)
    page = None
    if not _wants_fragment(request):
        # The page also draws the shell: the key holds what it shows of the person.
        page = page_key(request, body_key, *shell_parts(request.user))
        kept = cached_page(request, page)
        if kept is not None:
            return kept
    form = ListingForm(kind, request.GET)
    context: dict[str, Any] = {
        "kind": kind,
        "title": KIND_TITLES[kind],
        "form": form,
        "listing": None,
        "writable": writable,
    }
    asked = _Asked(request, kind, form, client, context, generation)
    if more:
        status = _fill_listing(asked, keep_answer=True)
        return render(request, "repos/listing.html#more", context, status=status)
    # Kept whole from its second asking on: a query asked once (most searches) costs no page write.
    body_html, status, asked_before = _drawn_body(asked, body_key)
    if not _wants_fragment(request):
        keep = page if asked_before else None
        return _listing_page(request, kind, context, body_html, status, keep)
    return push_url(HttpResponse(body_html, status=status), address)


# Where the typed search and author go in a listing's frame. Safe strings, the form's inputs show them as
# they are, where any text typed or from the Hub is escaped: nothing anyone writes can read as them.
_SEARCH_MARK = SafeString("<listing-search>")
_AUTHOR_MARK = SafeString("<listing-author>")
# The form's other fields: the frame shows their choice, so there is a frame per combination.
_FRAME_CHOICES = ("sort", "direction", "limit", "full", "config")


def _listing_page(
    request: AuthedRequest, kind: Kind, context: dict[str, Any], body_html: str, status: int, keep: str | None
) -> HttpResponse:
    """The whole listing page: the frame around the results (shell, heading, form) is drawn once per
    process for each person, kind and choice of the selects; the typed search and author are put in."""
    form: ListingForm = context["form"]
    choices = [str(form[name].value()) for name in _FRAME_CHOICES if name in form.fields]
    frame_key = page_key(request, "listing-frame", kind, request.path, *choices, *shell_parts(request.user))

    def draw_frame() -> str:
        marked = request.GET.copy()
        marked.setlist("search", [_SEARCH_MARK])
        marked.setlist("author", [_AUTHOR_MARK])
        frame_context = {**context, "form": ListingForm(kind, marked), "body_html": BODY_MARK}
        return render_to_string("repos/listing.html", frame_context, request)

    fills: dict[str, str] = {
        _SEARCH_MARK: escape(form["search"].value() or ""),
        _AUTHOR_MARK: escape(form["author"].value() or ""),
    }
    return render_framed(
        request, frame_key, draw_frame, fills, body_html, status, keep=(keep, settings.HUB_CACHE_SECONDS)
    )


def _canonical_params(request: AuthedRequest) -> list[tuple[str, str]]:
    """The query's parameters without the empty ones and those that say the default."""
    defaults = ListingForm.DEFAULTS
    return [
        (key, value)
        for key in request.GET
        for value in request.GET.getlist(key)
        if value.strip() and defaults.get(key) != value
    ]


@dataclass(frozen=True)
class _Asked:
    """A listing being answered: who asks, with which Hub client, for which kind and query, what its
    templates are given (filled in as the answer comes), and the listings generation it read."""

    request: AuthedRequest
    kind: Kind
    form: ListingForm
    client: HubClient
    context: dict[str, Any]
    generation: int


def _drawn_body(asked: _Asked, body_key: str) -> tuple[str, int, bool]:
    """The results region (its HTML, status, and whether it was kept from before), from the Hub's answer
    and kept for whoever shares this scope and query.

    The drawn region is what is cached, not the Hub's answer under it as well (one cache write per
    cold page, not two), so identical listings asked at once coalesce here: the first asks the Hub,
    the others wait for its region. A region drawn around a failure is for its own page only.
    """
    request, context = asked.request, asked.context
    drawn: dict[str, int] = {}

    def draw() -> str:
        drawn["status"] = _fill_listing(asked, keep_answer=False)
        return render_to_string("repos/listing.html#body", context, request)

    def keep(_html: str) -> bool:
        return drawn["status"] == 200 and "facet_error" not in context

    try:
        html = hub_cache.remember(body_key, settings.HUB_CACHE_SECONDS, draw, _budget(request), keep=keep)
    except hub.HubError as err:  # waited longer than the page may for the same listing asked just before
        context["error"] = error_region(request, err)
        return render_to_string("repos/listing.html#body", context, request), err.status, False
    return html, drawn.get("status", 200), "status" not in drawn


def _body_key(scope: str, address: str) -> str:
    return f"listing-body:{scope}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


def _digest(names: list[str]) -> str:
    return hashlib.sha256("\x1f".join(names).encode()).hexdigest()[:16]


def _fill_listing(asked: _Asked, keep_answer: bool) -> int:
    """Ask the Hub for the results and the tag vocabulary (for the facets) at once, within one budget.

    `keep_answer`: cache the Hub's answer itself (when the caller does not keep what it draws from it).
    """
    request, kind, form, client, context = asked.request, asked.kind, asked.form, asked.client, asked.context
    status = 200
    calls: dict[str, Callable[[], Any]] = {}
    vocabulary = hub_repos.kept_tag_vocabulary(kind)
    if vocabulary is None and kind != "space":
        calls["tags"] = lambda: hub_repos.tag_vocabulary(kind)
    query = form.query() if form.is_valid() else None
    if query is not None:
        cursor = form.cleaned_data["cursor"] or None
        calls["listing"] = lambda: hub_repos.list_repos(client, query, cursor, asked.generation, keep_answer)
        context.update(query=query, selected=query.filters, paged=bool(cursor))
    else:
        status = 400
        context.update(query=None, selected=())
    results = hub_repos.run_together(calls, _budget(request))
    listing = results.get("listing")
    if isinstance(listing, hub.HubError):
        context["error"] = error_region(request, listing)
        status = listing.status
    else:
        context["listing"] = listing
        # Repo info cannot tell a protected Space: hubdash's own last answer for it can.
        context["protected"] = protected_among(kind, [repo.id for repo in listing.repos] if listing else [])
    vocabulary = results.get("tags", vocabulary)
    if isinstance(vocabulary, hub.HubError):
        context["facet_error"] = error_region(request, vocabulary)
        vocabulary = None
    context["facets"] = Facets(request, kind, context["selected"], vocabulary)
    return status


# -- repo pages ---------------------------------------------------------------------------------------


def _revision(request: AuthedRequest) -> str | None:
    return request.GET.get("revision", "").strip() or None


def _card_html(access: Any, markdown: str | None) -> str | None:
    if markdown is None:
        return None
    base = hub_repos.hub_url(access.kind, access.repo_id, "resolve", access.detail.sha or access.revision) + "/"
    return render_card(markdown, base)


@require_safe
def repo(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """A repo's overview at a revision: facts, card, top-level files, made as concurrent Hub calls."""
    repo_id = f"{namespace}/{name}"
    try:
        access = repo_for(
            request,
            kind,
            repo_id,
            _revision(request),
            also={
                "refs": lambda c, rev: hub_repos.repo_refs(c, kind, repo_id),
                "tree": lambda c, rev: hub_repos.repo_tree(c, kind, repo_id, rev),
                "card": lambda c, rev: hub_repos.repo_card(c, kind, repo_id, rev),
            },
        )
    except hub.HubError as err:
        return repo_failure(request, err, repo_id)
    context = repo_context(access, "overview")
    tree, card = access.results["tree"], access.results["card"]
    context["tree"] = None if isinstance(tree, hub.HubError) else tree
    context["tree_error"] = error_region(request, tree) if isinstance(tree, hub.HubError) else None
    context["card_html"] = None if isinstance(card, hub.HubError) else _card_html(access, card)
    context["card_error"] = error_region(request, card) if isinstance(card, hub.HubError) else None
    context["refs_error"] = (
        error_region(request, access.results["refs"]) if isinstance(access.results["refs"], hub.HubError) else None
    )
    context["activity"] = recent_activity(request.user, repo=(kind, repo_id))
    context["activity_url"] = reverse("activity") + "?" + urlencode({"repo": repo_id, "type": kind})
    return render(request, "repos/repo.html", context)


@require_safe
def repo_files(request: AuthedRequest, kind: Kind, namespace: str, name: str, path: str = "") -> HttpResponse:
    """A folder's entries, or a file shown in place when it is text (size-capped, escaped)."""
    repo_id = f"{namespace}/{name}"
    path = path.strip("/")
    as_file = request.GET.get("view") == "file"
    also: dict[str, Callable[[hub.HubClient, str], Any]] = {
        "refs": lambda c, rev: hub_repos.repo_refs(c, kind, repo_id)
    }
    if as_file:
        also["file"] = lambda c, rev: hub_repos.file_text(c, kind, repo_id, rev, path)
    else:
        also["tree"] = lambda c, rev: hub_repos.repo_tree(c, kind, repo_id, rev, path)
    try:
        access = repo_for(request, kind, repo_id, _revision(request), also=also)
    except hub.HubError as err:
        return repo_failure(request, err, repo_id)
    context = repo_context(access, "files")
    result = access.results["file" if as_file else "tree"]
    if isinstance(result, hub.NotFound) and path and not as_file:
        # A file's own address (typed, or shaped as the Hub's) says no `?view=file`: the Hub has no folder
        # there, so it may be a file. Shown as one when it is.
        try:
            result = hub_repos.within_budget(
                lambda: hub_repos.file_text(access.client, kind, repo_id, access.revision, path),
                hub_repos.PAGE_BUDGET_S,
            )
            as_file = True
        except hub.HubError as err:
            result = err if not isinstance(err, hub.NotFound) else result
    if isinstance(result, hub.NotFound):
        return hub_error_page(request, hub.NotFound(f"There is no “{path}” at this revision."), what=repo_id)
    context.update(path=path, crumbs=_crumbs(path), as_file=as_file)
    status = 200
    if isinstance(result, hub.HubError):
        context["files_error"] = error_region(request, result)
        status = result.status
    else:
        context["file" if as_file else "tree"] = result
    return render(request, "repos/files.html", context, status=status)


@require_safe
def repo_blob(request: AuthedRequest, kind: Kind, namespace: str, name: str, revision: str, path: str) -> HttpResponse:
    """A file or folder address as the Hub shapes it (`…/blob/<revision>/<path>`, `…/tree/…`): the same
    file or folder here, at that revision."""
    url = reverse(f"{kind}-files", kwargs={"namespace": namespace, "name": name, "path": path})
    query = {"revision": revision} if revision != "main" else {}
    return redirect(url + (f"?{urlencode(query)}" if query else ""))


def _crumbs(path: str) -> list[tuple[str, str]]:
    parts = [p for p in path.split("/") if p]
    return [(part, "/".join(parts[: i + 1])) for i, part in enumerate(parts)]


@require_safe
def repo_download(
    request: AuthedRequest, kind: Kind, namespace: str, name: str, path: str
) -> HttpResponse | StreamingHttpResponse:
    """Any file, through hubdash with the person's token: streamed, never held in memory."""
    repo_id = f"{namespace}/{name}"
    try:
        access = repo_for(request, kind, repo_id, _revision(request))
        # Not within the page budget: a stream abandoned in another thread would hold its connection.
        download = hub_repos.open_download(access.client, kind, repo_id, access.revision, path)
    except hub.HubError as err:
        return repo_failure(request, err, repo_id)
    response = StreamingHttpResponse(download, content_type=download.content_type)  # closes it when done
    response["Content-Disposition"] = _attachment(download.filename)
    if download.size:
        response["Content-Length"] = download.size
    return response


def _attachment(filename: str) -> str:
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@require_safe
@vary_on_headers(*FRAGMENT_HEADERS)
def repo_history(request: AuthedRequest, kind: Kind, namespace: str, name: str) -> HttpResponse:
    """The commits of a revision, newest first, paged with the Hub's cursor ("load more")."""
    repo_id = f"{namespace}/{name}"
    cursor = request.GET.get("cursor", "").strip()[:1000] or None
    also = {
        "refs": lambda c, rev: hub_repos.repo_refs(c, kind, repo_id),
        "commits": lambda c, rev: hub_repos.repo_commits(c, kind, repo_id, rev, cursor),
    }
    try:
        access = repo_for(request, kind, repo_id, _revision(request), also=also, budget_s=_budget(request))
    except hub.HubError as err:
        return repo_failure(request, err, repo_id)
    context = repo_context(access, "history")
    commits = access.results["commits"]
    status = 200
    if isinstance(commits, hub.HubError):
        context["commits_error"] = error_region(request, commits)
        status = commits.status
    else:
        context["commits"] = commits
    template = "repos/history.html#commits" if _wants_fragment(request) else "repos/history.html"
    return render(request, template, context, status=status)


# -- tags and metrics ---------------------------------------------------------------------------------


@require_safe
def tags(request: AuthedRequest, kind: Kind) -> HttpResponse:
    context: dict[str, Any] = {"kind": kind, "singular": kind.capitalize(), "plural": PLURAL[kind]}
    status = 200
    try:
        vocabulary = hub_repos.within_budget(lambda: hub_repos.tag_vocabulary(kind), hub_repos.PAGE_BUDGET_S)
    except hub.HubError as err:
        context["error"] = error_region(request, err)
        status = err.status
    else:
        groups = vocabulary.groups if vocabulary else {}
        headings = dict(FACET_GROUPS[kind])
        context["groups"] = [
            {"id": group, "heading": headings.get(group) or group.replace("_", " ").capitalize(), "tags": tags}
            for group, tags in sorted(groups.items(), key=lambda item: (facet_rank(kind, item[0]), item[0]))
        ]
    return render(request, "repos/tags.html", context, status=status)


@require_safe
def metrics(request: AuthedRequest) -> HttpResponse:
    """The seed's metrics list; today's Hub answers 404, so then the `evaluate-metric` Spaces instead."""
    context: dict[str, Any] = {"metrics": None, "spaces": None}
    status = 200
    try:
        client = person_client(request)
        context["metrics"] = hub_repos.within_budget(lambda: hub_repos.metrics(client), hub_repos.PAGE_BUDGET_S)
        if context["metrics"] is None:
            query = hub_repos.ListQuery("space", author="evaluate-metric", sort="likes", limit=100)
            context["spaces"] = hub_repos.within_budget(
                lambda: hub_repos.list_repos(client, query), hub_repos.PAGE_BUDGET_S
            )
    except hub.HubError as err:
        context["error"] = error_region(request, err)
        status = err.status
    return render(request, "repos/metrics.html", context, status=status)
