"""One discussion or pull request as its reader's own token sees it, and acting on it (shared/hub-api.md §15.5).

Reading: the details with the diff (`get_discussion_details`), and for a pull request the files it changes at the
target branch's head and at `refs/pr/N` (`get_paths_info`, one call each). Both are cached per token (never
across people: private repos differ per person) under the repo's generation, which webhooks and hubdash's
changes move, and the item's own, which every action here moves.

Acting: comment, close or reopen, merge, through the client's own methods with the person's token; never
retried (a lost answer is reported, and the next read shows what the Hub holds). Whether the person's token may
act at all (`acting_gap`) is known before any call: the OAuth scope `write-discussions`, or a fine-grained
token's `discussion.write`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.cache import cache as django_cache
from huggingface_hub import DiscussionWithDetails
from huggingface_hub.hf_api import RepoFile

from . import cache, errors, oauth, transport
from .client import HubClient, translated
from .parse import Unreadable, absolute_avatar, valid_repo_id
from .repo_types import WEB_PREFIX, Kind
from .repos import hub_url
from .tokens import current_identity, token_status

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Role = Literal["owner", "member", "outsider"]
SCOPE = "write-discussions"  # the OAuth scope acting needs
PERMISSION = "discussion.write"  # the fine-grained token permission
MAX_NUM = 10**9
COMMENT_MAX = 65536  # characters, as the Hub allows
PATHS_MAX = 1000  # paths asked in one paths-info call
DIFF_KEPT_MAX = 20 * 1024 * 1024  # characters of a diff kept in the cache and served whole


@dataclass(frozen=True)
class Author:
    name: str  # "deleted" when the account is gone
    role: Role  # as the Hub marks them on the event: the repo's owner, a member of its organisation, or neither
    avatar_url: str | None = None


@dataclass(frozen=True)
class Event:
    id: str
    type: str  # comment, status-change, title-change, commit, or another the page names plainly
    created_at: datetime
    author: Author
    content: str = ""  # a comment's markdown (empty when hidden)
    hidden: bool = False
    hidden_reason: str = ""
    edited: bool = False
    updated_at: str = ""  # a comment's latest version, as the Hub dates it: an edit changes it
    new_status: str = ""
    old_title: str = ""
    new_title: str = ""
    commit_oid: str = ""
    commit_summary: str = ""


@dataclass(frozen=True)
class Thread:
    """A discussion or pull request with its events in order; for a pull request its target and raw diff."""

    kind: Kind
    repo_id: str
    num: int
    title: str
    status: str  # draft, open, closed, merged
    is_pull_request: bool
    author: Author
    created_at: datetime
    events: tuple[Event, ...]
    target_branch: str | None = None  # "main" (the Hub says refs/heads/main)
    conflicting_files: tuple[str, ...] = ()
    conflicts_unlisted: bool = False  # the Hub says there are conflicts it cannot list
    merge_commit_oid: str | None = None
    diff: str = ""
    diff_cut: bool = False  # the Hub's diff was longer than DIFF_KEPT_MAX
    diff_digest: str = ""  # names the diff's text: what is drawn from it is kept under this name
    details: DiscussionWithDetails | None = None  # the client's object without the diff, for the inbox's mirror

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "draft")

    @property
    def pr_ref(self) -> str:
        return f"refs/pr/{self.num}"

    @property
    def has_conflicts(self) -> bool:
        return bool(self.conflicting_files) or self.conflicts_unlisted

    @property
    def hub_url(self) -> str:
        return f"{settings.HF_ENDPOINT}/{WEB_PREFIX[self.kind]}{self.repo_id}/discussions/{self.num}"


@dataclass(frozen=True)
class PathState:
    """A file at one revision: its size, and for an LFS file the size and SHA-256 of its content."""

    size: int
    lfs_sha256: str | None = None


# -- reading -----------------------------------------------------------------------------------------


def _check(kind: Kind, repo_id: str, num: int) -> None:
    if kind not in WEB_PREFIX or not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.NotFound("That is not a valid repo name.")
    if not 0 < num <= MAX_NUM:
        raise errors.NotFound("There is no discussion with that number.")


def _item_key(kind: Kind, repo_id: str, num: int) -> str:
    return f"hub:gen:discussion:{kind}:{repo_id}:{num}"


def _item_generation(kind: Kind, repo_id: str, num: int) -> int:
    value: object = django_cache.get(_item_key(kind, repo_id, num), 0)
    return value if isinstance(value, int) else 0


def forget(kind: Kind, repo_id: str, num: int) -> None:
    """Drop every cached answer about this item, for every person and every worker."""
    django_cache.set(_item_key(kind, repo_id, num), secrets.randbits(62) + 1, None)


def _remember(client: HubClient, parts: tuple[object, ...], fetch: Any) -> Any:
    kind, repo_id, num = parts[1], parts[2], parts[3]
    generations = (cache.repo_generation(kind, repo_id), _item_generation(kind, repo_id, num))  # type: ignore[arg-type]
    key = cache.key(client.cache_scope, *parts, *generations)
    return cache.remember(key, settings.HUB_CACHE_SECONDS, fetch, transport.time_left(10))


def thread(client: HubClient, kind: Kind, repo_id: str, num: int) -> Thread:
    """The discussion or pull request as this token sees it (one call, cached). Raises NotFound for a missing
    item, or a repo this token may not read (private), NoAccess, RateLimited, HubUnavailable."""
    _check(kind, repo_id, num)

    def fetch() -> Thread:
        with translated():
            details = client._api.get_discussion_details(repo_id, num, repo_type=kind, token=client._token or False)
            return _thread(kind, repo_id, details)

    return _remember(client, ("discussion", kind, repo_id, num), fetch)  # type: ignore[no-any-return]


def path_states(
    client: HubClient, kind: Kind, repo_id: str, num: int, revision: str, paths: tuple[str, ...]
) -> dict[str, PathState]:
    """Each of `paths` that exists at `revision` (the target branch, or `refs/pr/N`): one paths-info call,
    cached. A path missing there is missing from the answer (added or deleted by the pull request)."""
    _check(kind, repo_id, num)
    asked = list(paths[:PATHS_MAX])
    if not asked:
        return {}

    def fetch() -> dict[str, PathState]:
        with translated():
            found = client._api.get_paths_info(
                repo_id, asked, revision=revision, repo_type=kind, token=client._token or False
            )
            return {
                item.path: PathState(item.size, item.lfs.sha256 if item.lfs else None)
                for item in found
                if isinstance(item, RepoFile)
            }

    return _remember(client, ("paths", kind, repo_id, num, revision, tuple(asked)), fetch)  # type: ignore[no-any-return]


def _thread(kind: Kind, repo_id: str, details: DiscussionWithDetails) -> Thread:
    events = tuple(_event(event._event) for event in details.events)
    author_name = details.author or "deleted"
    roles = [event.author for event in events if event.author.name == author_name]
    author = roles[0] if roles else Author(author_name, "outsider")
    conflicts = details.conflicting_files
    diff = details.diff or ""
    if not isinstance(diff, str):
        raise Unreadable("expected the diff as text")
    target = details.target_branch
    return Thread(
        kind=kind,
        repo_id=repo_id,
        num=int(details.num),
        title=str(details.title),
        status=_status(details.status),
        is_pull_request=bool(details.is_pull_request),
        author=author,
        created_at=_aware(details.created_at),
        events=events,
        target_branch=target.removeprefix("refs/heads/") if isinstance(target, str) else None,
        conflicting_files=tuple(str(path) for path in conflicts) if isinstance(conflicts, list) else (),
        conflicts_unlisted=conflicts is True,
        merge_commit_oid=str(details.merge_commit_oid) if details.merge_commit_oid else None,
        diff=diff[:DIFF_KEPT_MAX],
        diff_cut=len(diff) > DIFF_KEPT_MAX,
        diff_digest=hashlib.blake2b(diff[:DIFF_KEPT_MAX].encode(), digest_size=20).hexdigest() if diff else "",
        details=dataclasses.replace(details, diff=None),
    )


def _status(value: object) -> str:
    if value not in ("draft", "open", "closed", "merged"):
        raise Unreadable("unknown discussion status")
    return str(value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _role(author: dict[str, Any]) -> Role:
    if author.get("isOwner") is True:
        return "owner"
    if author.get("isOrgMember") is True:
        return "member"
    return "outsider"


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _event(raw: dict[str, Any]) -> Event:
    """One event of the Hub's details, from its raw JSON (the client keeps it in `_event`)."""
    author_data = _object(raw.get("author"))
    name = author_data.get("name")
    author = Author(
        name if isinstance(name, str) and name else "deleted",
        _role(author_data),
        absolute_avatar(author_data.get("avatarUrl") if isinstance(author_data.get("avatarUrl"), str) else None),
    )
    data = _object(raw.get("data"))
    created = datetime.fromisoformat(str(raw["createdAt"]).replace("Z", "+00:00"))
    common: dict[str, Any] = {"id": str(raw["id"]), "type": str(raw["type"]), "created_at": _aware(created)}
    match raw["type"]:
        case "comment":
            latest = _object(data.get("latest"))
            hidden = data.get("hidden") is True
            content = latest.get("raw")
            return Event(
                **common,
                author=author,
                content="" if hidden or not isinstance(content, str) else content,
                hidden=hidden,
                hidden_reason=str(data.get("hiddenReason") or ""),
                edited=data.get("edited") is True,
                updated_at=str(latest.get("updatedAt") or ""),
            )
        case "status-change":
            return Event(**common, author=author, new_status=str(data.get("status") or ""))
        case "title-change":
            return Event(
                **common, author=author, old_title=str(data.get("from") or ""), new_title=str(data.get("to") or "")
            )
        case "commit":
            return Event(
                **common,
                author=author,
                commit_oid=str(data.get("oid") or ""),
                commit_summary=str(data.get("subject") or ""),
            )
    return Event(**common, author=author)


# -- acting --------------------------------------------------------------------------------------------


def _token(client: HubClient) -> str:
    if not client._token:
        raise errors.NoToken("Connect your Hub token first.")
    return client._token


def comment(client: HubClient, kind: Kind, repo_id: str, num: int, text: str) -> None:
    """Add a comment as the token's owner; one call."""
    _check(kind, repo_id, num)
    token = _token(client)
    try:
        with translated():
            client._api.comment_discussion(repo_id, num, text, token=token, repo_type=kind)
    finally:
        forget(kind, repo_id, num)


def change_status(
    client: HubClient, kind: Kind, repo_id: str, num: int, status: Literal["open", "closed"], text: str = ""
) -> None:
    """Close (`closed`) or reopen (`open`), with an optional comment; one call."""
    _check(kind, repo_id, num)
    if status not in ("open", "closed"):
        raise ValueError(f"not a status one may set: {status!r}")
    token = _token(client)
    try:
        with translated():
            client._api.change_discussion_status(
                repo_id,
                num,
                status,
                token=token,
                comment=text or None,
                repo_type=kind,
            )
    finally:
        forget(kind, repo_id, num)


def merge(client: HubClient, kind: Kind, repo_id: str, num: int, text: str = "") -> None:
    """Merge a pull request into its target branch, with an optional comment; one call. The target branch moves,
    so every cached answer about the repo is dropped."""
    _check(kind, repo_id, num)
    token = _token(client)
    try:
        with translated():
            client._api.merge_pull_request(repo_id, num, token=token, comment=text or None, repo_type=kind)
    finally:
        forget(kind, repo_id, num)
        cache.forget_repo(kind, repo_id)


# -- may this person act? --------------------------------------------------------------------------------


def acting_gap(user: User | AnonymousUser, repo_id: str) -> str | None:
    """Why this person's token may not comment, close, reopen or merge here, and how to grant it; None if it may.

    Classic write tokens may; read tokens may not; a fine-grained token needs `discussion.write` (for every repo,
    or in a scope naming the repo or its namespace); a Hugging Face sign-in needs the `write-discussions` scope.
    Raises a HubError when the Hub cannot say what a fine-grained token may do (its whoami failed).
    """
    status = token_status(user)
    if status is None:
        return "Connect your Hub token on your profile to comment, close or merge here."
    if status.state == "rejected":
        return "The Hub rejected your stored token (revoked or expired): connect it again on your profile."
    if status.is_oauth:
        if status.has_scope(SCOPE):
            return None
        where = (
            "sign in with Hugging Face again and approve it"
            if SCOPE in oauth.scopes()
            else f"ask an admin to add {SCOPE} to HUBDASH_HF_OAUTH_SCOPES, then sign in with Hugging Face again"
        )
        return (
            f"Your Hugging Face sign-in did not grant hubdash the {SCOPE} scope that acting on discussions "
            f"needs: {where}."
        )
    if status.role == "read":
        return (
            "Your Hub token is read-only: connect a write token, or a fine-grained one with "
            f"“{PERMISSION}” (Interact with discussions), to comment, close or merge here."
        )
    if status.role == "fineGrained":
        namespace = repo_id.split("/", 1)[0]
        if any(PERMISSION in scope.permissions and scope.name in (namespace, repo_id) for scope in status.scopes):
            return None
        identity = current_identity(user)
        if identity is not None and PERMISSION in identity.global_permissions:
            return None
        return (
            f"Your fine-grained Hub token lacks the “{PERMISSION}” permission (Interact with discussions) for "
            f"{namespace}: add it to the token on the Hub ({oauth.tokens_page()}), or connect another token."
        )
    return None


__all__ = [
    "COMMENT_MAX",
    "PERMISSION",
    "SCOPE",
    "Author",
    "Event",
    "PathState",
    "Thread",
    "acting_gap",
    "change_status",
    "comment",
    "forget",
    "hub_url",
    "merge",
    "path_states",
    "thread",
]
