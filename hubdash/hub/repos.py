"""Reading repos from the Hub: listings with its cursor, info by revision, refs, files, commits, cards, tags.

Every call goes through `translated()` (deadline, slots, breaker, hubdash's errors), parses the Hub's JSON
with `parse` inside it (an answer of the wrong shape is "could not read", never a crash), and is
cached in the shared cache per token. Listing, tree and commit pages use the client's session and
error handling with the Hub's `Link` cursor: `huggingface_hub`'s paginators cannot resume from a
cursor and sleep through a 429, and no Hub call may sleep inside a web request.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx2
from django.conf import settings
from django.core.cache import cache as django_cache
from django.views.decorators.debug import sensitive_variables
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

from . import cache, errors, facts, parse, transport
from .client import HubClient, translated
from .parse import valid_repo_id
from .repo_types import (
    KINDS,
    PLURAL,
    WEB_PREFIX,
    CommitPage,
    FileText,
    Kind,
    Listing,
    Metric,
    RepoDetail,
    RepoRefs,
    RepoSummary,
    TagVocabulary,
    Tree,
)

T = TypeVar("T")
logger = logging.getLogger(__name__)

# hubdash's sort names and the Hub's. The Hub sorts descending only; Spaces have no downloads.
SORT_KEYS = {
    "trending": "trendingScore",
    "likes": "likes",
    "downloads": "downloads",
    "created": "createdAt",
    "updated": "lastModified",
}
# Up to this many repos (one team's or organisation's) are fetched whole and ordered here.
ASCENDING_LIMIT = 1000
CARD_MAX_BYTES = 512 * 1024
TEXT_PREVIEW_BYTES = 256 * 1024
TAGS_CACHE_S = 3600
PAGE_BUDGET_S = 8.0
FRAGMENT_BUDGET_S = 5.0

# What a result row shows, asked for explicitly: the Hub's default list items are minimal.
_LIST_EXPAND: dict[Kind, tuple[str, ...]] = {
    "model": ("author", "private", "gated", "downloads", "likes", "trendingScore", "createdAt", "lastModified",
              "pipeline_tag", "library_name", "tags"),
    "dataset": ("author", "private", "gated", "downloads", "likes", "trendingScore", "createdAt", "lastModified",
                "tags"),
    "space": ("author", "private", "likes", "trendingScore", "createdAt", "lastModified", "sdk", "tags"),
}  # fmt: skip

_REVISION = re.compile(r"[A-Za-z0-9._/+-]{1,200}")

_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="hub-call")


def valid_path(path: str) -> bool:
    """A file or folder path inside a repo: any printable name, but no `.`/`..` step and no empty one."""
    parts = path.split("/")
    return (
        0 < len(path) <= 1000
        and all(part not in ("", ".", "..") for part in parts)
        and not any(ord(c) < 32 or ord(c) == 127 for c in path)
    )


def valid_revision(revision: str) -> bool:
    return bool(_REVISION.fullmatch(revision)) and ".." not in revision and not revision.startswith("/")


def hub_url(kind: Kind, repo_id: str, *rest: str) -> str:
    """The repo's page on the Hub itself (or a page below it: commit/<sha>, tree/<rev>)."""
    tail = "/".join(quote(part, safe="") for part in rest)
    return f"{settings.HF_ENDPOINT}/{WEB_PREFIX[kind]}{repo_id}" + (f"/{tail}" if tail else "")


@dataclass(frozen=True)
class ListQuery:
    """A listing as the Hub's list endpoints understand it."""

    kind: Kind
    search: str = ""
    author: str = ""
    filters: tuple[str, ...] = ()
    sort: str = "trending"
    ascending: bool = False
    limit: int = 30
    full: bool = False
    config: bool = False

    def params(self) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if self.search:
            params.append(("search", self.search))
        if self.author:
            params.append(("author", self.author))
        params += [("filter", tag) for tag in self.filters]
        params.append(("sort", SORT_KEYS[self.sort]))
        if self.full or (self.config and self.kind == "model"):
            # `expand` cannot be combined with these; they bring their own richer fields.
            if self.full:
                params.append(("full", "true"))
            if self.config and self.kind == "model":
                params.append(("config", "true"))
        else:
            params += [("expand[]", prop) for prop in _LIST_EXPAND[self.kind]]
        return params


# -- calls -------------------------------------------------------------------------------------------


def auth_headers(client: HubClient) -> dict[str, str]:
    # The client keeps its token private (templates reach attributes, never `_` ones); only here is it sent.
    return build_hf_headers(token=client._token or False, library_name="hubdash")


def _get(client: HubClient, path: str, params: Sequence[tuple[str, str]] | None = None) -> httpx2.Response:
    """One GET of the Hub's API; the answer must come from the Hub itself, not a redirect elsewhere."""
    response = get_session().get(
        f"{settings.HF_ENDPOINT}{path}", params=list(params or []), headers=auth_headers(client), follow_redirects=False
    )
    if response.is_redirect:
        raise moved_or_refused(response)
    hf_raise_for_status(response)
    return response


_MOVED = re.compile(r"/api/(?:models|datasets|spaces)/([^/?#]+/[^/?#]+)")


def moved_or_refused(response: httpx2.Response) -> errors.HubError:
    """A renamed repo answers with a redirect to its new id on the Hub itself; any other redirect is refused."""
    location = urlsplit(str(response.next_request.url)) if response.next_request else None
    hub = urlsplit(settings.HF_ENDPOINT)
    if location and (location.scheme, location.netloc) == (hub.scheme, hub.netloc):
        match = _MOVED.match(location.path)
        if match and valid_repo_id(match.group(1)):
            return errors.Moved(f"This repo moved to {match.group(1)}.", match.group(1))
    return errors.HubUnavailable("The Hub answered with a redirect hubdash does not follow; try again later.")


def _next_cursor(response: httpx2.Response) -> str | None:
    """The cursor of the Hub's `Link: <...>; rel="next"`, only when the link points at the Hub itself.

    Lists and trees page with an opaque `cursor`; commits with a page number `p` (kept as `p:N`).
    """
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    parts, hub = urlsplit(url), urlsplit(settings.HF_ENDPOINT)
    if (parts.scheme, parts.netloc) != (hub.scheme, hub.netloc):
        return None
    query = parse_qs(parts.query)
    if query.get("cursor"):
        return query["cursor"][0]
    if query.get("p") and query["p"][0].isdigit():
        return f"p:{query['p'][0]}"
    return None


def _cursor_params(cursor: str | None) -> list[tuple[str, str]]:
    if not cursor:
        return []
    if cursor.startswith("p:") and cursor[2:].isdigit():
        return [("p", cursor[2:])]
    return [("cursor", cursor)]


def _scope(client: HubClient) -> str:
    return client.cache_scope


def _remember(client: HubClient, parts: tuple[object, ...], fetch: Callable[[], T], wait_s: float = 10) -> T:
    # Waiting for the same call made by another page ends with this page's budget too.
    wait_s = transport.time_left(wait_s)
    return cache.remember(cache.key(_scope(client), *parts), settings.HUB_CACHE_SECONDS, fetch, wait_s)


def list_repos(
    client: HubClient, query: ListQuery, cursor: str | None = None, generation: int | None = None, keep: bool = True
) -> Listing:
    """One page of a listing. Ascending order is honoured when the whole set fits in one call.

    `generation`: the listings generation when the caller has just read it (one cache read fewer).
    `keep=False`: the caller keeps what it draws from the answer (and coalesces on that), so the answer
    itself is not cached; a whole set fetched for ascending order always is, as its pages share it.
    """
    if generation is None:
        generation = cache.listings_generation()
    if query.ascending:
        everything = _list_page(client, replace(query, ascending=False, limit=ASCENDING_LIMIT), None, generation)
        if everything.next_cursor is None:
            return _ascending_page(everything.repos, query, cursor)
        descending = _list_page(client, replace(query, ascending=False), cursor, generation, keep)
        return replace(descending, descending_only=True)
    return _list_page(client, query, cursor, generation, keep)


def _list_page(client: HubClient, query: ListQuery, cursor: str | None, generation: int, keep: bool = True) -> Listing:
    params = [*query.params(), ("limit", str(query.limit)), *_cursor_params(cursor)]

    def fetch() -> Listing:
        with translated():
            response = _get(client, f"/api/{PLURAL[query.kind]}", params)
            return Listing(parse.listing(query.kind, response.json()), _next_cursor(response))

    if not keep:
        return fetch()
    return _remember(client, ("list", query.kind, params, generation), fetch)


def _ascending_page(repos: tuple[RepoSummary, ...], query: ListQuery, cursor: str | None) -> Listing:
    try:
        offset = max(0, int(cursor or 0))
    except ValueError:
        raise errors.InvalidRequest("That page link is not valid for ascending order; start again.") from None
    attr = {"trending": "trending", "likes": "likes", "downloads": "downloads", "created": "created_at",
            "updated": "last_modified"}[query.sort]  # fmt: skip
    floor = datetime.min.replace(tzinfo=UTC)

    def sort_key(repo: RepoSummary) -> tuple[Any, str]:
        value = getattr(repo, attr)
        return (value if value is not None else (floor if attr in ("created_at", "last_modified") else -1), repo.id)

    ordered = sorted(repos, key=sort_key)
    page = tuple(ordered[offset : offset + query.limit])
    more = offset + query.limit < len(ordered)
    return Listing(page, str(offset + query.limit) if more else None)


def _repo_path(kind: Kind, repo_id: str) -> str:
    if not valid_repo_id(repo_id):
        raise errors.NotFound("That is not a valid repo name.")
    return f"/api/{PLURAL[kind]}/{repo_id}"


def _rev(revision: str) -> str:
    if not valid_revision(revision):
        raise errors.NotFound("That is not a valid revision.")
    return quote(revision, safe="")


def repo_detail(client: HubClient, kind: Kind, repo_id: str, revision: str | None) -> RepoDetail:
    path = _repo_path(kind, repo_id) + (f"/revision/{_rev(revision)}" if revision else "")

    def fetch() -> RepoDetail:
        with translated():
            detail = parse.detail(kind, _get(client, path).json())
        if revision is None and detail.summary.id == repo_id:
            facts.remember_detail(detail)  # what guardrails judging a webhook may then know without a call
        return detail

    return _remember(client, ("info", kind, repo_id, revision, cache.repo_generation(kind, repo_id)), fetch)


def org_repo_visibility(client: HubClient, kind: Kind, repo_id: str) -> str | None:
    """A repo's visibility (public, private or protected) as its organisation's repositories settings list
    it: besides a settings PUT's answer, the one place that tells a protected Space. None when the list has
    no such repo, or when this token may not read the list (only an organisation's admins may). Not wrapped
    by huggingface_hub 2.4."""
    namespace, _, name = repo_id.partition("/")
    path = f"/api/organizations/{quote(namespace, safe='')}/settings/repositories"

    def fetch() -> str | None:
        try:
            with translated():
                data = _get(client, path, [("search", name), ("type", kind)]).json()
        except (errors.NoAccess, errors.NotFound):
            return None  # not an organisation, or not its admin: kept, so that each page does not ask again
        for item in data if isinstance(data, list) else ():
            if isinstance(item, dict) and item.get("id") == repo_id and item.get("type") == kind:
                visibility = item.get("visibility")
                return visibility if visibility in ("public", "private", "protected") else None
        return None

    return _remember(client, ("org-visibility", kind, repo_id, cache.repo_generation(kind, repo_id)), fetch)


def repo_refs(client: HubClient, kind: Kind, repo_id: str) -> RepoRefs:
    path = _repo_path(kind, repo_id) + "/refs"

    def fetch() -> RepoRefs:
        with translated():
            return parse.refs(_get(client, path, [("include_prs", "1")]).json())

    return _remember(client, ("refs", kind, repo_id, cache.repo_generation(kind, repo_id)), fetch)


def repo_tree(client: HubClient, kind: Kind, repo_id: str, revision: str, folder: str = "") -> Tree:
    folder = folder.strip("/")
    if folder and not valid_path(folder):
        raise errors.NotFound("That is not a valid folder.")
    path = _repo_path(kind, repo_id) + f"/tree/{_rev(revision)}" + (f"/{quote(folder)}" if folder else "")

    def fetch() -> Tree:
        with translated():
            response = _get(client, path)
            entries = parse.tree_entries(response.json())
            return Tree(entries, response.headers.get("X-Repo-Commit"), _next_cursor(response) is not None)

    return _remember(client, ("tree", kind, repo_id, revision, folder, cache.repo_generation(kind, repo_id)), fetch)


def repo_commits(client: HubClient, kind: Kind, repo_id: str, revision: str, cursor: str | None = None) -> CommitPage:
    path = _repo_path(kind, repo_id) + f"/commits/{_rev(revision)}"
    params = _cursor_params(cursor)

    def fetch() -> CommitPage:
        with translated():
            response = _get(client, path, params)
            return CommitPage(parse.commits(response.json()), _next_cursor(response))

    gen = cache.repo_generation(kind, repo_id)
    return _remember(client, ("commits", kind, repo_id, revision, cursor, gen), fetch)


def _resolve_path(kind: Kind, repo_id: str, revision: str, file_path: str) -> str:
    if not valid_repo_id(repo_id) or not valid_path(file_path):
        raise errors.NotFound("That is not a valid file path.")
    return f"/{WEB_PREFIX[kind]}{repo_id}/resolve/{_rev(revision)}/{quote(file_path)}"


@sensitive_variables("headers")
def _read_text(client: HubClient, path: str, cap: int) -> tuple[str | None, int | None, bool]:
    """The start of a file as text (None when it is binary), its size when known, whether it was cut."""
    url = f"{settings.HF_ENDPOINT}{path}"
    headers = {**auth_headers(client), "Range": f"bytes=0-{cap - 1}"}
    # The Hub may redirect file content to its storage; httpx drops the token on a redirect elsewhere.
    with get_session().stream("GET", url, headers=headers, follow_redirects=True) as response:
        if response.status_code == 416:  # a range of an empty file: there is nothing to show, and that is fine
            return "", 0, False
        hf_raise_for_status(response)
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) >= cap:
                break
    size = _total_size(response)
    truncated = len(body) >= cap and (size is None or size > cap)
    body = body[:cap]
    if b"\x00" in body[:8192]:
        return None, size, truncated
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        if not truncated or err.start < len(body) - 4:
            return None, size, truncated
        text = body[: err.start].decode("utf-8")  # a character cut in two at the cap
    return text, size, truncated


def _total_size(response: httpx2.Response) -> int | None:
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length", "")
    return int(length) if length.isdigit() and response.status_code == 200 else None


def repo_card(client: HubClient, kind: Kind, repo_id: str, revision: str) -> str | None:
    """The README's markdown at that revision, or None when the repo has none."""
    path = _resolve_path(kind, repo_id, revision, "README.md")

    def fetch() -> str | None:
        try:
            with translated():
                text, _, _ = _read_text(client, path, CARD_MAX_BYTES)
        except errors.UnknownRevision:
            raise
        except errors.NotFound:
            return None  # no README.md: a repo without a card
        return text

    return _remember(client, ("card", kind, repo_id, revision, cache.repo_generation(kind, repo_id)), fetch)


def file_text(client: HubClient, kind: Kind, repo_id: str, revision: str, file_path: str) -> FileText:
    path = _resolve_path(kind, repo_id, revision, file_path)

    def fetch() -> FileText:
        with translated():
            text, size, truncated = _read_text(client, path, TEXT_PREVIEW_BYTES)
        return FileText(file_path, text, size, truncated)

    gen = cache.repo_generation(kind, repo_id)
    return _remember(client, ("file", kind, repo_id, revision, file_path, gen), fetch)


# A download holds a worker thread for as long as it lasts: a few at a time, so pages keep their threads.
DOWNLOADS_PER_PROCESS = 6
_downloads = threading.BoundedSemaphore(DOWNLOADS_PER_PROCESS)


class Download:
    """An open download from the Hub, iterated by Django's streaming response, which closes it at the end."""

    def __init__(self, response: httpx2.Response, filename: str) -> None:
        self.response = response
        self.filename = filename
        self._closed = False

    @property
    def size(self) -> str | None:
        length = self.response.headers.get("Content-Length", "")
        return length if length.isdigit() else None

    content_type = "application/octet-stream"

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.response.iter_raw(64 * 1024)
        except httpx2.HTTPError:
            return  # the person sees a cut-off download; nothing else can be said mid-stream

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.response.close()
            _downloads.release()


def open_download(client: HubClient, kind: Kind, repo_id: str, revision: str, file_path: str) -> Download:
    """Start a download with the person's token; the body is streamed, never held in memory."""
    url = f"{settings.HF_ENDPOINT}{_resolve_path(kind, repo_id, revision, file_path)}"
    if not _downloads.acquire(blocking=False):
        raise errors.HubUnavailable("hubdash is busy with other downloads; try again in a moment.")
    session = get_session()
    try:
        with translated():
            # The bytes as stored, never re-encoded on the way: Content-Length then matches what is sent.
            headers = {**auth_headers(client), "Accept-Encoding": "identity"}
            response = session.send(
                session.build_request("GET", url, headers=headers), stream=True, follow_redirects=True
            )
            try:
                hf_raise_for_status(response)
            except Exception:
                response.close()
                raise
    except BaseException:
        _downloads.release()
        raise
    return Download(response, file_path.rpartition("/")[2])


# The vocabularies are public and change rarely: each process keeps the one it last read for a minute
# rather than reading and unpickling it from the shared cache on every listing page (the Hub's has
# thousands of tags). What a minute's delay costs: a new tag shows as a facet up to a minute later.
KEEP_VOCABULARY_S = 60.0
_kept_vocabularies: dict[Kind, tuple[float, TagVocabulary]] = {}


def kept_tag_vocabulary(kind: Kind) -> TagVocabulary | None:
    """The vocabulary this process read less than KEEP_VOCABULARY_S ago, if any: no cache read, no Hub call."""
    kept = _kept_vocabularies.get(kind)
    return kept[1] if kept is not None and kept[0] > time.monotonic() else None


def tag_vocabulary(kind: Kind) -> TagVocabulary | None:
    """The Hub's tags by type for models and datasets (public, shared by everyone); None for Spaces."""
    if kind == "space":
        return None
    kept = kept_tag_vocabulary(kind)
    if kept is not None:
        return kept

    def fetch() -> TagVocabulary:
        with translated():
            response = get_session().get(
                f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}-tags-by-type",
                headers=build_hf_headers(token=False, library_name="hubdash"),
                follow_redirects=False,
            )
            hf_raise_for_status(response)
            return parse.tag_vocabulary(kind, response.json())

    vocabulary = cache.remember(cache.key("public", "tags", kind), TAGS_CACHE_S, fetch, 10)
    _kept_vocabularies[kind] = (time.monotonic() + KEEP_VOCABULARY_S, vocabulary)
    return vocabulary


def cached_tag_vocabulary(kind: Kind) -> TagVocabulary | None:
    """The vocabulary only if some page already fetched it: for labels that are worth no Hub call."""
    if kind == "space":
        return None
    value = django_cache.get(cache.key("public", "tags", kind))
    return value if isinstance(value, TagVocabulary) else None


def metrics(client: HubClient) -> tuple[Metric, ...] | None:
    """The seed's `/api/metrics` list, or None where the Hub no longer serves it (today's Hub: 404)."""

    def fetch() -> tuple[Metric, ...] | None:
        try:
            with translated():
                return parse.metrics(_get(client, "/api/metrics").json())
        except errors.NotFound:
            return None

    return _remember(client, ("metrics",), fetch)


def run_together(calls: Mapping[str, Callable[[], Any]], budget_s: float) -> dict[str, Any]:
    """Run independent Hub calls at once within one time budget. Each result is a value or a HubError.

    A lone call runs in the caller's own thread, every socket operation cut to the budget: handing it
    to the pool and waiting for it cost a cold listing half a millisecond of CPU for nothing. Cut there,
    it ends with the page rather than finishing into the cache unseen; the next page asks again.
    """
    if len(calls) == 1:
        [(name, call)] = calls.items()
        with transport.deadline(budget_s):
            return {name: _outcome(name, call)}
    futures = {name: _pool.submit(_outcome, name, call) for name, call in calls.items()}
    deadline = time.monotonic() + budget_s
    results: dict[str, Any] = {}
    for name, future in futures.items():
        remaining = max(0.0, deadline - time.monotonic())
        try:
            results[name] = future.result(timeout=remaining)
        except FutureTimeout:
            future.cancel()  # still queued: nobody will read it, so it is never sent
            results[name] = errors.HubUnavailable("The Hub did not answer in time; try again in a moment.")
    return results


def _outcome(name: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except errors.HubError as err:
        return err
    except Exception:
        logger.exception("Hub call %s failed unexpectedly", name)
        return errors.HubUnavailable("Something went wrong talking to the Hub; try again later.")


def within_budget(call: Callable[[], T], budget_s: float) -> T:
    """One Hub call that may take at most `budget_s` of this request."""
    result = run_together({"call": call}, budget_s)["call"]
    if isinstance(result, errors.HubError):
        raise result
    return result  # type: ignore[no-any-return]


__all__ = [
    "ASCENDING_LIMIT",
    "FRAGMENT_BUDGET_S",
    "KINDS",
    "PAGE_BUDGET_S",
    "SORT_KEYS",
    "Download",
    "ListQuery",
    "cached_tag_vocabulary",
    "file_text",
    "hub_url",
    "kept_tag_vocabulary",
    "list_repos",
    "metrics",
    "open_download",
    "org_repo_visibility",
    "repo_card",
    "repo_commits",
    "repo_detail",
    "repo_refs",
    "repo_tree",
    "run_together",
    "tag_vocabulary",
    "valid_repo_id",
    "within_budget",
]
