"""Home, listings, repo pages by revision, tags and metrics: what people browse on the Hub."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from typing import Any, cast
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url
from markupsafe import Markup

from hubdash import hub
from hubdash.accounts.account_menu import shell_parts
from hubdash.activity.feed import recent as recent_activity
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region, hub_error_page
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


def _filter_links(path: str, params: QueryDict) -> Callable[[list[str]], str]:
    """Links to this listing with other tag filters, back on the first page (the rest encoded once)."""
    others = params.copy()
    others.pop("filter", None)
    others.pop("cursor", None)
    base = f"{path}?{others.urlencode()}"

    def link(tags: list[str]) -> str:
        return base + ("&" if others else "") + urlencode([("filter", tag) for tag in tags])

    return link


# Facet links differ between queries only in their prefix (the listing's other parameters), so the facet
# groups are drawn once per process for each vocabulary and selection with this mark where the prefix goes
# (templates/jinja2/repos/facets.html), then the page's own prefix is put in. Drawn with escaping on,
# no text from the Hub can read as the mark: its "<" would be "&lt;".
_PREFIX_MARK = Markup("<facet-link-prefix>")
# Per kind, for the vocabulary object last seen (each process keeps the one it read for a while) and
# then by selection: a new vocabulary drops the markup drawn from the old one.
_FACETS_HTML: dict[Kind, tuple[TagVocabulary, dict[tuple[str, ...], Markup]]] = {}
# A selection's markup holds a link per tag (about 250 bytes each, thousands of tags), and any member can
# ask for any selection: a few are kept, the most asked (no filter, one filter) among them.
_FACETS_HTML_MAX = 16


class Facets:
    """The listing's tag facets from the Hub's vocabulary, and the chosen tags as removable chips.

    Built only when the template asks: a warm listing takes its rendered facets from the cache.
    """

    def __init__(
        self, path: str, params: QueryDict, kind: Kind, selected: tuple[str, ...], vocabulary: TagVocabulary | None
    ) -> None:
        self.kind, self.selected, self.vocabulary = kind, selected, vocabulary
        self.with_filters = _filter_links(path, params)

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
    """A listing: the whole page, its results region (htmx) or the next rows ("load more").

    What it draws is kept in the cache, for this person and this exact query, as long as the Hub's answer
    would be: the results region from its first asking, the whole page from its second. Creating, deleting,
    moving or changing a repo's visibility in hubdash drops every listing at once (the generation).
    """
    try:
        client = person_client(request)
        writable = writable_namespaces(request)
    except hub.HubError as err:
        return hub_error_page(request, err)
    # The form sends every field, a link only what differs from the defaults: both mean one listing, so it
    # is drawn from (and kept under) the short form, and its links are built from it.
    params = _canonical_params(request.GET)
    address = request.path + (f"?{params.urlencode()}" if params else "")
    # Rows of repos this person may write carry a visibility switch: what they may write is part of the
    # key, so that results drawn for one person never show their switches to another who shares the scope.
    generation = hub_cache.listings_generation()
    scope = f"{client.cache_scope}:{generation}:{_digest(*sorted(writable))}"
    page_key = None if _wants_fragment(request) else _page_key(request, scope, address)
    if page_key is not None and (page := cache.get(page_key)) is not None:
        get_token(request)  # sets the CSRF cookie, whose token htmx sends (hubdash.js), as the shell would
        return HttpResponse(page)
    form = ListingForm(kind, params)
    context = {"kind": kind, "title": KIND_TITLES[kind], "form": form, "params": params, "writable": writable}
    if _wants_fragment(request) and request.htmx.target == "load-more":
        found, status = _ask_hub(request, form, params, client, generation, keep_answer=True)
        return render(request, "repos/listing.html#more", {**context, **found}, status=status)
    body_key = f"listing-body:{scope}:{_digest(address)}"
    body = cache.get(body_key)
    asked_before = body is not None
    status = 200
    if body is None:
        body, status = _results_region(request, context, client, generation, body_key)
    if _wants_fragment(request):
        return push_url(HttpResponse(body, status=status), address)
    response = render(request, "repos/listing.html", {**context, "body_html": body}, status=status)
    if page_key is not None and asked_before:  # a query asked once (most searches) costs no page write
        cache.set(page_key, response.content.decode(), settings.HUB_CACHE_SECONDS)
    return response


def _canonical_params(query: QueryDict) -> QueryDict:
    """The query without the empty parameters and those that say the default."""
    defaults = ListingForm.DEFAULTS
    kept = [
        (key, value)
        for key, values in query.lists()
        for value in values
        if value.strip() and defaults.get(key) != value
    ]
    return QueryDict(urlencode(kept))


def _page_key(request: AuthedRequest, scope: str, address: str) -> str | None:
    """The whole page's key: the query, the token's scope, and what the shell shows of the person. None when
    a message waits to be shown: that page is drawn for this answer only."""
    if len(messages.get_messages(request)):  # counts without marking them shown
        return None
    return f"listing-page:{_digest(scope, address, *shell_parts(request.user))}"


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]


def _results_region(
    request: AuthedRequest, context: dict[str, Any], client: HubClient, generation: int, body_key: str
) -> tuple[str, int]:
    """The results region drawn from the Hub's answer, and its status; kept for whoever shares this scope
    and query. Identical listings asked at once wait for the first to draw it: one Hub call. A region drawn
    around a failure is for its own page only."""
    form, params = context["form"], context["params"]
    status, shareable = 200, False

    def draw() -> str:
        nonlocal status, shareable
        found, status = _ask_hub(request, form, params, client, generation, keep_answer=False)
        shareable = status == 200 and "facet_error" not in found
        return render_to_string("repos/listing.html#body", {**context, **found}, request)

    try:
        html = hub_cache.remember(
            body_key, settings.HUB_CACHE_SECONDS, draw, _budget(request), keep=lambda _html: shareable
        )
    except hub.HubError as err:  # waited longer than the page may for the same listing asked just before
        failed = {**context, "error": error_region(request, err)}
        return render_to_string("repos/listing.html#body", failed, request), err.status
    return html, status


def _ask_hub(
    request: AuthedRequest,
    form: ListingForm,
    params: QueryDict,
    client: HubClient,
    generation: int,
    keep_answer: bool,
) -> tuple[dict[str, Any], int]:
    """What the results region shows, and its status: the results and the tag vocabulary (for the facets),
    asked of the Hub at once within the page's budget.

    `generation`: the listings generation the caller read. `keep_answer`: cache the Hub's answer itself
    (when the caller does not keep what it draws from it).
    """
    kind = form.kind
    calls: dict[str, Callable[[], Any]] = {}
    vocabulary = hub_repos.kept_tag_vocabulary(kind)
    if vocabulary is None and kind != "space":
        calls["tags"] = lambda: hub_repos.tag_vocabulary(kind)
    query = form.query() if form.is_valid() else None
    cursor = form.cleaned_data.get("cursor") or None
    if query is not None:
        calls["listing"] = lambda: hub_repos.list_repos(client, query, cursor, generation, keep_answer)
    answers = hub_repos.run_together(calls, _budget(request))
    found: dict[str, Any] = {"query": query, "paged": bool(query and cursor), "listing": None}
    status = 200 if query is not None else 400
    listing = answers.get("listing")
    if isinstance(listing, hub.HubError):
        found["error"] = error_region(request, listing)
        status = listing.status
    elif listing is not None:
        found["listing"] = listing
        # Repo info cannot tell a protected Space: hubdash's own last answer for it can.
        found["protected"] = protected_among(kind, [repo.id for repo in listing.repos])
    vocabulary = answers.get("tags", vocabulary)
    if isinstance(vocabulary, hub.HubError):
        found["facet_error"] = error_region(request, vocabulary)
        vocabulary = None
    selected = query.filters if query is not None else ()
    found["facets"] = Facets(request.path, params, kind, selected, vocabulary)
    return found, status


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
