"""Gated repos' access requests on the Hub (shared/hub-api.md §15.1): the lists, one decision, a batch, a grant.

Lists never use the client's paginator (which sleeps through rate limits): they follow the Hub's `Link` themselves
with `limit=1000`, one call per page, each in its own `translated()`. The batch endpoint is not wrapped by
huggingface_hub: it is sent with the client's own session, headers and error handling (`get_session()`,
`build_hf_headers`, `hf_raise_for_status`), as settings are; so are the other calls, to keep the fields the client
drops (`user._id`, `reviewedAt`, `grantedBy`, `orgs`, `isPro`) and to address a request by user id. Mutations are
never retried: a lost answer is reported, and the next read shows what the Hub holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import httpx2
from django.conf import settings
from huggingface_hub.errors import BadRequestError, HfHubHTTPError
from huggingface_hub.utils import get_session, hf_raise_for_status

from . import errors
from .client import HubClient, _server_message, translated
from .parse import Unreadable, absolute_avatar, valid_repo_id
from .repo_types import PLURAL, Kind
from .repos import auth_headers, moved_or_refused

Status = Literal["pending", "accepted", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "accepted", "rejected")
REASON_MAX = 200  # characters of a rejection reason, as the Hub allows
BATCH_MAX = 100  # requests per batch call


class NotGated(errors.InvalidRequest):
    """The repo is not gated (any more): the Hub answers 400 to every access-request call."""

    kind = "not-gated"


@dataclass(frozen=True)
class Requester:
    """Who asked, as the Hub shows them (absent when the repo hides its requesters)."""

    username: str
    user_id: str | None  # the Hub's 24-hex id (`user._id`), which batch calls may address
    fullname: str
    email: str | None  # None when not shared, or access was granted manually
    verified_orgs: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    is_pro: bool = False
    avatar_url: str | None = None


@dataclass(frozen=True)
class AccessRequest:
    status: Status
    requested_at: datetime
    requester: Requester | None  # None: the repo hides its requesters' details
    request_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # the gate form's answers, label -> the Hub's string
    reviewed_at: datetime | None = None
    granted_by: str | None = None  # username in the Hub's `grantedBy`, when it names one


@dataclass(frozen=True)
class Target:
    """Whom a decision is about: a username, else a Hub user id, else (hidden requesters) a request id."""

    user: str | None = None
    user_id: str | None = None
    request_id: str | None = None


@dataclass(frozen=True)
class BatchOutcome:
    target: Target
    ok: bool
    error: str | None = None  # the Hub's code, e.g. "user_not_found", "request_not_found"


T = TypeVar("T")
PAGE_LIMIT = 1000  # requests per list page, the most the Hub gives
MAX_PAGES = 1000  # a list that pages further than this is not the Hub's
_USER_ID = re.compile(r"[0-9a-f]{24}")


def list_requests(
    client: HubClient, kind: Kind, repo_id: str, status: Status, before_page: Callable[[], object] | None = None
) -> list[AccessRequest]:
    """Every request of one status on one repo (one call per page of up to 1,000; `before_page` is called before
    each, e.g. a pacer's). Raises NotGated, NotFound, NoAccess, RateLimited (with the Hub's reset time),
    HubUnavailable."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    url: str | None = f"{_url(kind, repo_id, status)}?limit={PAGE_LIMIT}"
    headers = auth_headers(_needs_token(client))
    found: list[AccessRequest] = []
    seen: set[str] = set()
    while url is not None:
        if url in seen or len(seen) >= MAX_PAGES:
            raise errors.HubUnavailable("The Hub's list of access requests does not end; try again later.")
        seen.add(url)
        if before_page is not None:
            before_page()
        with translated():
            response = _checked(get_session().get(url, headers=headers, follow_redirects=False))
            found += [_request(item) for item in _array(response.json())]
            url = _next_page(response)  # the next link carries its own query
    return found


def decide(
    client: HubClient, kind: Kind, repo_id: str, target: Target, status: Status, reason: str | None = None
) -> None:
    """One request to `status` (`pending` = back to pending, access lost); one call. Raises NotFound when the
    request is gone or already in that state, NotGated, NoAccess, RateLimited, InvalidRequest (reason too long)."""
    body: dict[str, Any] = {**_address(target, allow_request_id=True), "status": _status(status)}
    reason = _reason(status, reason)
    if reason is not None:
        body["rejectionReason"] = reason
    missing = f"That request is not on the Hub any more, or it is already {status}"
    _post(client, kind, repo_id, "handle", body, missing, _ignored)


def decide_batch(
    client: HubClient,
    kind: Kind,
    repo_id: str,
    targets: Sequence[Target],
    status: Status,
    reason: str | None = None,
) -> list[BatchOutcome]:
    """Up to BATCH_MAX requests (addressed by user or user id) to one status in one call; outcomes in input
    order. A whole-call refusal raises as `decide` does."""
    if len(targets) > BATCH_MAX:
        raise ValueError(f"at most {BATCH_MAX} requests per batch call, not {len(targets)}")
    items = [_address(target, allow_request_id=False) for target in targets]
    if not items:
        return []
    body: dict[str, Any] = {"status": _status(status), "requests": items}
    reason = _reason(status, reason)
    if reason is not None:
        body["rejectionReason"] = reason
    answer = _post(
        client, kind, repo_id, "batch", body, "The Hub found nothing there", lambda r: _outcomes(r.json(), len(items))
    )
    return [BatchOutcome(target, ok, error) for target, (ok, error) in zip(targets, answer, strict=True)]


def grant(client: HubClient, kind: Kind, repo_id: str, username: str) -> None:
    """Give `username` access without a request; one call. Raises InvalidRequest when they already have it,
    NotFound for an unknown user, NotGated, NoAccess, RateLimited."""
    if not username or not valid_repo_id(username) or "/" in username:
        raise errors.InvalidRequest("That is not a Hub username.")
    _post(client, kind, repo_id, "grant", {"user": username}, f"The Hub has no user named {username}", _ignored)


# -- calls ---------------------------------------------------------------------------------------------


def _url(kind: Kind, repo_id: str, tail: str) -> str:
    if kind not in PLURAL:
        raise ValueError(f"unknown repo kind {kind!r}")
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.NotFound("That is not a valid repo name.")
    return f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}/{repo_id}/user-access-request/{tail}"


def _needs_token(client: HubClient) -> HubClient:
    if not client._token:
        raise errors.NoToken("Connect a Hub token with write access first.")
    return client


def _checked(response: httpx2.Response) -> httpx2.Response:
    """The Hub's refusals as hubdash's errors; "not gated" (a 400 on every access-request call) as NotGated."""
    if response.is_redirect:
        raise moved_or_refused(response)
    try:
        hf_raise_for_status(response)
    except BadRequestError as err:
        if "not gated" in _server_message(err).lower():
            raise NotGated("This repo is not gated (any more): it has no access requests.") from None
        raise
    return response


def _post(
    client: HubClient,
    kind: Kind,
    repo_id: str,
    tail: str,
    body: dict[str, Any],
    missing: str,
    read: Callable[[httpx2.Response], T],
) -> T:
    """One POST, never retried; a plain 404 (no repo error code) is the request or user the call names."""
    url = _url(kind, repo_id, tail)
    headers = auth_headers(_needs_token(client))
    with translated():
        response = get_session().post(url, json=body, headers=headers, follow_redirects=False)
        try:
            _checked(response)
        except HfHubHTTPError as err:
            if response.status_code == 404 and not response.headers.get("X-Error-Code"):
                raise errors.NotFound(f"{missing} (the Hub says: {_server_message(err)}).") from None
            raise
        return read(response)


def _ignored(response: httpx2.Response) -> None:
    """An answer hubdash does not read (the Hub does not specify it): the status said it all."""


def _next_page(response: httpx2.Response) -> str | None:
    """The Hub's `Link: <…>; rel="next"`, followed only when it points at the Hub itself."""
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    parts, hub = urlsplit(url), urlsplit(settings.HF_ENDPOINT)
    if (parts.scheme, parts.netloc) != (hub.scheme, hub.netloc):
        raise errors.HubUnavailable("The Hub's next page of access requests points elsewhere; it is not followed.")
    return str(url)


def _address(target: Target, allow_request_id: bool) -> dict[str, str]:
    """How a call names the request: a username, else a Hub user id, else (one at a time) a request id."""
    if target.user:
        return {"user": target.user}
    if target.user_id:
        if not _USER_ID.fullmatch(target.user_id):
            raise ValueError(f"not a Hub user id: {target.user_id!r}")
        return {"userId": target.user_id}
    if target.request_id and allow_request_id:
        return {"requestId": target.request_id}
    raise ValueError("a batch names each request by user or user id" if not allow_request_id else "empty target")


def _status(status: str) -> str:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    return status


def _reason(status: Status, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason is None:
        return None
    if status != "rejected":
        raise errors.InvalidRequest("A reason goes with a rejection only.")
    if len(reason) > REASON_MAX:
        raise errors.InvalidRequest(
            f"A rejection reason is at most {REASON_MAX} characters (this one has {len(reason)})."
        )
    return reason


# -- the Hub's answers -----------------------------------------------------------------------------------


def _array(data: object) -> list[Any]:
    if not isinstance(data, list):
        raise Unreadable("expected a JSON array")
    return data


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unreadable("expected a string")
    return value


def _when(value: object) -> datetime:
    try:
        when = datetime.fromisoformat(_text(value) or "")
    except ValueError:
        raise Unreadable("expected a date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _names(items: object) -> tuple[str, ...]:
    if not isinstance(items, list):
        return ()
    names = (item.get("name") if isinstance(item, dict) else item for item in items)
    return tuple(name for name in names if isinstance(name, str) and name)


def _requester(user: object) -> Requester | None:
    if not isinstance(user, dict) or not user.get("user"):
        return None  # the repo hides its requesters
    username = _text(user.get("user")) or ""
    user_id = user.get("_id")
    return Requester(
        username=username,
        user_id=user_id if isinstance(user_id, str) and _USER_ID.fullmatch(user_id) else None,
        fullname=_text(user.get("fullname")) or username,
        email=_text(user.get("email")) or None,
        verified_orgs=_names(user.get("verifiedOrgNames")),
        orgs=_names(user.get("orgs")),
        is_pro=user.get("isPro") is True,
        avatar_url=absolute_avatar(_text(user.get("avatarUrl"))),
    )


def _request(data: object) -> AccessRequest:
    if not isinstance(data, dict):
        raise Unreadable("expected a JSON object")
    status = data.get("status")
    if status not in STATUSES:
        raise Unreadable("unknown access-request status")
    fields = data.get("fields")
    granted_by = data.get("grantedBy")
    return AccessRequest(
        status=status,
        requested_at=_when(data.get("timestamp")),
        requester=_requester(data.get("user")),
        request_id=_text(data.get("requestId")),
        fields={str(k): v if isinstance(v, str) else str(v) for k, v in fields.items()}
        if isinstance(fields, dict)
        else {},
        reviewed_at=_when(data["reviewedAt"]) if data.get("reviewedAt") else None,
        granted_by=_text(granted_by.get("user")) if isinstance(granted_by, dict) else None,
    )


def _outcomes(data: object, expected: int) -> list[tuple[bool, str | None]]:
    """Each item's outcome, in input order; an answer that does not have one per item is not read."""
    if len(_array(data)) != expected:
        raise Unreadable("expected one outcome per request")
    outcomes = []
    for item in _array(data):
        if not isinstance(item, dict) or not isinstance(item.get("ok"), bool):
            raise Unreadable("expected {ok} for each request")
        outcomes.append((item["ok"], None if item["ok"] else (_text(item.get("error")) or "refused")))
    return outcomes
