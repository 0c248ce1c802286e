"""A repo's discussions and pull requests for the inbox's mirror (shared/hub-api.md §15.5).

Two raw calls, sent with the client's own session, headers and error handling (`get_session()`,
`build_hf_headers`, `hf_raise_for_status`), as hub.access does:

- `list_open(client, kind, repo_id)`: `GET /api/{type}s/{repo}/discussions?status=open&p=N`, every page (50
  items each on the Hub), keeping what `HfApi.get_repo_discussions` drops (`numComments`, `pinned`) and never
  its paginator, which sleeps through rate limits. The Hub's `open` includes drafts.
- `details(client, kind, repo_id, num)`: `GET …/discussions/{num}` **without** `?diff=1` (the official client
  always asks for the diff, which the mirror does not need), as the raw JSON dict `discussions.mirror
  .record_details` reads.

Each call is one `translated()`; a `before_call` hook (a job's pacer) runs before each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2
from django.conf import settings
from huggingface_hub.utils import get_session, hf_raise_for_status

from . import errors
from .client import HubClient, translated
from .parse import Unreadable, valid_repo_id
from .repo_types import PLURAL, Kind
from .repos import auth_headers, moved_or_refused

MAX_PAGES = 200  # 10,000 open items on one repo: a list that pages further is not the Hub's
STATUSES = ("draft", "open", "closed", "merged")


@dataclass(frozen=True)
class ListedItem:
    """One discussion or pull request as the Hub's list shows it."""

    num: int
    title: str
    status: str  # draft, open, closed or merged
    is_pull_request: bool
    author: str  # "deleted" when the Hub names nobody
    created_at: datetime
    num_comments: int
    pinned: bool = False


def list_open(
    client: HubClient, kind: Kind, repo_id: str, before_call: Callable[[], object] | None = None
) -> list[ListedItem]:
    """Every open or draft item of one repo, one call per page. Raises NotFound (no such repo, or discussions
    disabled), NoAccess, Moved, RateLimited (with the Hub's wait), HubUnavailable."""
    url = _url(kind, repo_id)
    found: list[ListedItem] = []
    seen: set[int] = set()
    for page in range(MAX_PAGES):
        if before_call is not None:
            before_call()
        with translated():
            data = _object(_get(client, url, {"status": "open", "p": str(page)}).json())
            items = data.get("discussions")
            count, start = data.get("count"), data.get("start", page)
            if not isinstance(items, list) or not isinstance(count, int):
                raise Unreadable("expected {discussions, count}")
            for item in items:
                listed = _item(item)
                if listed.num not in seen:  # an item opened while paging shifts another into the next page
                    seen.add(listed.num)
                    found.append(listed)
        if not items or (isinstance(start, int) and start + len(items) >= count) or len(found) >= count:
            return found
    raise errors.HubUnavailable("The Hub's list of discussions does not end; try again later.")


def details(
    client: HubClient, kind: Kind, repo_id: str, num: int, before_call: Callable[[], object] | None = None
) -> dict[str, Any]:
    """The Hub's details of one item, without the diff: the raw JSON (num, title, status, author, createdAt,
    events…). Raises NotFound (no such item or repo), NoAccess, RateLimited, HubUnavailable."""
    if before_call is not None:
        before_call()
    with translated():
        data = _object(_get(client, f"{_url(kind, repo_id)}/{int(num)}", {}).json())
        if not isinstance(data.get("num"), int) or not isinstance(data.get("events", []), list):
            raise Unreadable("expected a discussion's details")
        if data.get("status") not in STATUSES:
            raise Unreadable("unknown discussion status")
        return data


# -- calls -----------------------------------------------------------------------------------------------


def _url(kind: Kind, repo_id: str) -> str:
    if kind not in PLURAL:
        raise ValueError(f"unknown repo kind {kind!r}")
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.NotFound("That is not a valid repo name.")
    return f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}/{repo_id}/discussions"


def _get(client: HubClient, url: str, params: dict[str, str]) -> httpx2.Response:
    response = get_session().get(url, params=params, headers=auth_headers(client), follow_redirects=False)
    if response.is_redirect:
        raise moved_or_refused(response)
    hf_raise_for_status(response)
    return response


# -- the Hub's answers -----------------------------------------------------------------------------------


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable("expected a JSON object")
    return value


def _when(value: object) -> datetime:
    if not isinstance(value, str):
        raise Unreadable("expected a date")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable("expected a date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _item(data: object) -> ListedItem:
    item = _object(data)
    num, status = item.get("num"), item.get("status")
    if not isinstance(num, int) or isinstance(num, bool) or status not in STATUSES:
        raise Unreadable("expected a discussion with a number and a known status")
    author = item.get("author")
    name = author.get("name") if isinstance(author, dict) else None
    comments = item.get("numComments")
    return ListedItem(
        num=num,
        title=str(item.get("title") or ""),
        status=str(status),
        is_pull_request=item.get("isPullRequest") is True,
        author=name if isinstance(name, str) and name else "deleted",
        created_at=_when(item.get("createdAt")),
        num_comments=comments if isinstance(comments, int) and comments >= 0 else 0,
        pinned=item.get("pinned") is True,
    )
