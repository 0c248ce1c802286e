"""What the Hub says of a namespace's usage (shared/hub-api.md §15.3): downloads, likes and storage of every repo
through the list endpoints with `expand`, and the namespace's repositories-settings list (visibility including
protected, storage per repo). What the usage app's daily snapshots are made of.

One call per page of results, never one per repo: `GET /api/{models|datasets|spaces}?author=…&expand=…` with
`limit=1000`, following the Hub's absolute `Link: <…>; rel="next"` verbatim (its cursor) on the Hub itself, each
page in its own `translated()`. The client's paginators are not used: they sleep through a 429 (`http_backoff`),
and a job must see the rate limit to pace itself (hub.ratelimit). Nothing here is cached: a snapshot wants the
figures of now.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import httpx2
from django.conf import settings
from huggingface_hub.utils import get_session, hf_raise_for_status

from . import errors
from .client import HubClient, translated
from .parse import Unreadable, valid_repo_id
from .repo_types import KINDS, PLURAL, Kind
from .repos import auth_headers, moved_or_refused

PAGE_LIMIT = 1000  # repos per list page: the most the Hub is seen to give
MAX_PAGES = 1000  # a list that pages further than this is not the Hub's

# What each kind can be asked for (Spaces have no downloads, and `gated` is not expandable on them).
EXPAND: dict[Kind, tuple[str, ...]] = {
    "model": ("downloads", "downloadsAllTime", "likes", "usedStorage", "private", "gated", "lastModified"),
    "dataset": ("downloads", "downloadsAllTime", "likes", "usedStorage", "private", "gated", "lastModified"),
    "space": ("likes", "usedStorage", "private", "lastModified"),
}

Gated = Literal[False, "auto", "manual"]
T = TypeVar("T")


@dataclass(frozen=True)
class RepoUsage:
    """One repo's figures as one list answer gave them; None wherever the Hub gave nothing."""

    kind: Kind
    repo_id: str
    hub_id: str | None  # the Hub's own id (`_id`, 24 hex): it stays when the repo is renamed or moved
    downloads_30d: int | None  # downloads of the last 30 days, as the Hub counts them
    downloads_all_time: int | None
    likes: int | None
    used_storage: int | None  # bytes
    private: bool | None
    gated: Gated | None  # False: not gated
    last_modified: datetime | None


@dataclass(frozen=True)
class RepoSetting:
    """One repo in a namespace's repositories-settings list."""

    kind: str  # model, dataset, space (also bucket, kernel: kinds hubdash does not show)
    repo_id: str
    visibility: str  # public, private or protected (a Space whose files are private and app public)
    storage: int  # bytes
    storage_percent: float | None  # its share of the namespace's storage
    updated_at: datetime | None


def namespace_usage(
    client: HubClient, namespace: str, kinds: Sequence[Kind] = ("model", "dataset", "space")
) -> list[RepoUsage]:
    """Every repo of `namespace` this client may see, with its usage figures: one call per page of up to
    PAGE_LIMIT repos per kind. Private repos need a token that sees them. Raises NoAccess, BadToken,
    RateLimited (with the Hub's wait), HubUnavailable; a namespace the Hub does not know has no repos."""
    _check_namespace(namespace)
    found: list[RepoUsage] = []
    for kind in kinds:
        if kind not in KINDS:
            raise ValueError(f"unknown repo kind {kind!r}")
        query = [("author", namespace), *(("expand", prop) for prop in EXPAND[kind]), ("limit", str(PAGE_LIMIT))]
        # A stable order: a repo's creation date does not change while the pages are read (trending does).
        query.append(("sort", "createdAt"))
        first = f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}?{urlencode(query)}"
        seen: set[str] = set()
        for usage in _pages(client, first, "list of repos", functools.partial(_usage, kind)):
            if usage.repo_id not in seen:  # a repo made while paging may shift one into the next page again
                seen.add(usage.repo_id)
                found.append(usage)
    return found


def repositories_settings(client: HubClient, namespace: str) -> list[RepoSetting] | None:
    """The namespace's repositories-settings list: an organisation's (its admins only), or the caller's own.
    None when this client may not read it (no token, not an admin, someone else's account). Not wrapped by
    huggingface_hub 2.4.0's own paginator here (it sleeps on a 429); no `limit` is sent, as the client sends
    none (the OpenAPI calls it the most to return, not a page size). Raises BadToken, RateLimited,
    HubUnavailable."""
    _check_namespace(namespace)
    if not client._token:
        return None
    org_url = f"{settings.HF_ENDPOINT}/api/organizations/{quote(namespace, safe='')}/settings/repositories"
    try:
        return list(_pages(client, org_url, "repositories settings", _setting))
    except errors.NoAccess:
        return None
    except errors.NotFound:
        pass  # not an organisation: perhaps the caller's own account
    if client.whoami().name != namespace:
        return None
    own_url = f"{settings.HF_ENDPOINT}/api/settings/repositories"
    try:
        return list(_pages(client, own_url, "repositories settings", _setting))
    except errors.NoAccess:
        return None


# -- calls -----------------------------------------------------------------------------------------------


def _check_namespace(namespace: str) -> None:
    if not namespace or "/" in namespace or not valid_repo_id(namespace):
        raise errors.InvalidRequest("That is not a Hub user or organisation name.")


def _pages(client: HubClient, url: str, what: str, read: Callable[[object], T]) -> Iterator[T]:
    """The items of every page, from `url` on along the Hub's `Link`, each read by `read`; one call and one
    `translated()` (which the reading is inside of) a page."""
    headers = auth_headers(client)
    seen: set[str] = set()
    next_url: str | None = url
    while next_url is not None:
        if next_url in seen or len(seen) >= MAX_PAGES:
            raise errors.HubUnavailable(f"The Hub's {what} does not end; try again later.")
        seen.add(next_url)
        with translated():
            response = get_session().get(next_url, headers=headers, follow_redirects=False)
            if response.is_redirect:
                raise moved_or_refused(response)
            hf_raise_for_status(response)
            items = response.json()
            if not isinstance(items, list):
                raise Unreadable("expected a JSON array")
            page = [read(item) for item in items]
            next_url = _next_page(response, what)
        yield from page


def _next_page(response: httpx2.Response, what: str) -> str | None:
    """The Hub's `Link: <…>; rel="next"`, followed only when it points at the Hub itself."""
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    parts, hub = urlsplit(url), urlsplit(settings.HF_ENDPOINT)
    if (parts.scheme, parts.netloc) != (hub.scheme, hub.netloc):
        raise errors.HubUnavailable(f"The Hub's next page of its {what} points elsewhere; it is not followed.")
    return str(url)


# -- the Hub's answers (read inside translated(): a wrong shape is "could not read") -----------------------


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable("expected a JSON object")
    return value


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Unreadable("expected a number")
    return int(value)


def _bool(value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise Unreadable("expected true or false")


def _when(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unreadable("expected a date")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise Unreadable("expected a date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _gated(value: object) -> Gated | None:
    if value is None:
        return None
    if value is False or value == "false":
        return False
    if value in ("auto", "manual"):
        return "auto" if value == "auto" else "manual"
    raise Unreadable("expected false, auto or manual")


def _repo_id(value: object) -> str:
    if not isinstance(value, str) or "/" not in value or not valid_repo_id(value):
        raise Unreadable("expected a repo id")
    return value


def _usage(kind: Kind, data: object) -> RepoUsage:
    item = _object(data)
    hub_id = item.get("_id")
    return RepoUsage(
        kind=kind,
        repo_id=_repo_id(item.get("id")),
        hub_id=hub_id if isinstance(hub_id, str) and hub_id else None,
        downloads_30d=_int(item.get("downloads")),
        downloads_all_time=_int(item.get("downloadsAllTime")),
        likes=_int(item.get("likes")),
        used_storage=_int(item.get("usedStorage")),
        private=_bool(item.get("private")),
        gated=_gated(item.get("gated")),
        last_modified=_when(item.get("lastModified")),
    )


def _setting(data: object) -> RepoSetting:
    item = _object(data)
    kind, visibility = item.get("type"), item.get("visibility")
    if not isinstance(kind, str) or not isinstance(visibility, str):
        raise Unreadable("expected a type and a visibility")
    storage = _int(item.get("storage"))
    percent = item.get("storagePercent")
    if percent is not None and (isinstance(percent, bool) or not isinstance(percent, int | float)):
        raise Unreadable("expected a number")
    return RepoSetting(
        kind=kind,
        repo_id=_repo_id(item.get("id")),
        visibility=visibility,
        storage=storage or 0,
        storage_percent=float(percent) if percent is not None else None,
        updated_at=_when(item.get("updatedAt")),
    )
