"""The Hub's JSON turned into hubdash's typed objects, strictly.

Each parser takes whatever `response.json()` gave (any JSON value) and returns a typed object or raises
`Unreadable` (a ValueError). They run only inside `translated()`, which turns that into "The Hub sent
an answer hubdash could not read": an answer of an unexpected shape is never a crash, for every Hub
call. A parser called anywhere else refuses to run, so a new call site cannot forget. A hypothesis
test feeds arbitrary JSON to each of them.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urljoin

from django.conf import settings

from .repo_types import (
    CommitInfo,
    GitRef,
    Kind,
    Metric,
    RepoDetail,
    RepoRefs,
    RepoSummary,
    TagInfo,
    TagVocabulary,
    TreeEntry,
)
from .types import HubIdentity, HubOrg, TokenScope


class Unreadable(ValueError):
    """The Hub's answer does not have the shape hubdash reads."""


_translating: ContextVar[bool] = ContextVar("hubdash_hub_translating", default=False)
P = ParamSpec("P")
R = TypeVar("R")


@contextlib.contextmanager
def translating() -> Iterator[None]:
    """Mark the block where parse errors become hubdash's errors (entered by `translated()` only)."""
    token = _translating.set(True)
    try:
        yield
    finally:
        _translating.reset(token)


def _inside_translated(parser: Callable[P, R]) -> Callable[P, R]:
    """A parser called outside `translated()` is a bug that would turn a bad answer into a 500: say so."""

    @functools.wraps(parser)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if not _translating.get():
            raise RuntimeError(f"parse.{parser.__name__} must run inside hubdash.hub.client.translated()")
        return parser(*args, **kwargs)

    return checked


_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"(?:{_NAME}/)?{_NAME}")


def valid_repo_id(repo_id: str) -> bool:
    """The Hub's rule: 1-96 letters, digits, `-_.` per part, optional namespace, no `--` or `..`."""
    return bool(_REPO_ID.fullmatch(repo_id)) and "--" not in repo_id and ".." not in repo_id


# -- the Hub's answers -------------------------------------------------------------------------------


@_inside_translated
def identity(data: object) -> HubIdentity:
    """whoami-v2: who the token belongs to, its role and fine-grained scopes."""
    item = _object(data)
    access = _dict_or_empty(_dict_or_empty(item.get("auth")).get("accessToken"))
    fine = _dict_or_empty(access.get("fineGrained"))
    name = _str(item.get("name"), required=True)
    if not name:
        raise Unreadable("whoami names nobody")
    return HubIdentity(
        name=name,
        fullname=_str(item.get("fullname")) or name,
        avatar_url=absolute_avatar(_str(item.get("avatarUrl"))),
        email=_str(item.get("email")) or None,
        is_pro=item.get("isPro") is True,
        orgs=tuple(_org(org) for org in _list(item.get("orgs"))),
        token_role=_str(access.get("role")) or "unknown",
        token_name=_str(access.get("displayName")),
        scopes=tuple(_scope(scope) for scope in _list(fine.get("scoped"))),
        global_permissions=tuple(_str(p) for p in _list(fine.get("global"))),
    )


@_inside_translated
def listing(kind: Kind, data: object) -> tuple[RepoSummary, ...]:
    """A listing page. A repo id without a namespace (long gone from the Hub) has no page here: left out."""
    return tuple(repo for repo in (summary(kind, item) for item in _list(data, required=True)) if repo.namespace)


@_inside_translated
def summary(kind: Kind, data: object) -> RepoSummary:
    item = _object(data)
    repo_id = _str(item.get("id") or item.get("modelId"), required=True)
    if not valid_repo_id(repo_id):
        raise Unreadable("not a repo id")
    card = _dict_or_empty(item.get("cardData"))
    config = item.get("config")
    card_sdk = card.get("sdk")
    return RepoSummary(
        kind=kind,
        id=repo_id,
        private=item.get("private") is True,
        gated=_gated(item.get("gated")),
        disabled=item.get("disabled") is True,
        downloads=_int(item.get("downloads")) if kind != "space" else None,
        likes=_int(item.get("likes")) or 0,
        trending=float(_int(item.get("trendingScore")) or 0),
        created_at=_when(item.get("createdAt")),
        last_modified=_when(item.get("lastModified")),
        task=_str(item.get("pipeline_tag")) or None,
        library=_str(item.get("library_name")) or None,
        sdk=_str(item.get("sdk")) or (card_sdk if isinstance(card_sdk, str) else None) or None,
        tags=tuple(_str(tag) for tag in _list(item.get("tags"))),
        sha=_str(item.get("sha")) or None,
        files=tuple(_str(_object(s).get("rfilename")) for s in _list(item.get("siblings"))),
        config=config if isinstance(config, dict) else None,
    )


@_inside_translated
def detail(kind: Kind, data: object) -> RepoDetail:
    """A repo's info at one revision."""
    item = _object(data)
    base = summary(kind, item)
    card = _dict_or_empty(item.get("cardData"))
    safetensors = _dict_or_empty(item.get("safetensors"))
    by_dtype = _dict_or_empty(safetensors.get("parameters"))
    runtime = _dict_or_empty(item.get("runtime"))
    hardware = _dict_or_empty(runtime.get("hardware"))
    tags = base.tags

    def tagged(prefix: str) -> tuple[str, ...]:
        return tuple(t.split(":", 1)[1] for t in tags if t.startswith(prefix))

    license_ = card.get("license")
    languages = card.get("language")
    if isinstance(languages, str):
        languages = [languages]
    title = card.get("title")
    return RepoDetail(
        summary=base,
        sha=_str(item.get("sha")),
        used_storage=_int(item.get("usedStorage")),
        parameters=_int(safetensors.get("total")),
        parameters_by_dtype={str(k): v for k, v in by_dtype.items() if isinstance(v, int) and not isinstance(v, bool)},
        license=(license_ if isinstance(license_, str) else None) or (tagged("license:") or (None,))[0],
        languages=tuple(str(x) for x in languages) if isinstance(languages, list) else tagged("language:"),
        datasets=tuple(_str(x) for x in _list(item.get("datasets"))) or tagged("dataset:"),
        models=tuple(_str(x) for x in _list(item.get("models"))),
        spaces=tuple(_str(x) for x in _list(item.get("spaces"))),
        runtime_stage=_str(runtime.get("stage")) or None,
        runtime_hardware=_str(hardware.get("current")) or None,
        card_data=card,
        config=base.config,
        title=title if isinstance(title, str) else None,
    )


@_inside_translated
def refs(data: object) -> RepoRefs:
    item = _object(data)
    return RepoRefs(
        branches=tuple(_ref(r) for r in _list(item.get("branches"))),
        tags=tuple(_ref(r) for r in _list(item.get("tags"))),
        pulls=tuple(_ref(r) for r in _list(item.get("pullRequests"))),
    )


@_inside_translated
def tree_entries(data: object) -> tuple[TreeEntry, ...]:
    return tuple(_tree_entry(item) for item in _list(data, required=True))


@_inside_translated
def commits(data: object) -> tuple[CommitInfo, ...]:
    return tuple(_commit(item) for item in _list(data, required=True))


@_inside_translated
def tag_vocabulary(kind: Kind, data: object) -> TagVocabulary:
    """The Hub's tags by type: groups that are not lists are skipped, entries of the wrong shape are not."""
    groups = {
        str(group): tuple(_tag(entry, str(group)) for entry in entries)
        for group, entries in _object(data).items()
        if isinstance(entries, list)
    }
    return TagVocabulary(kind, groups)


@_inside_translated
def metrics(data: object) -> tuple[Metric, ...]:
    """The seed's `/api/metrics` list."""
    found = []
    for entry in _list(data, required=True):
        item = _object(entry)
        found.append(
            Metric(
                id=_str(item.get("id"), required=True),
                space_id=_str(item.get("spaceId")) or None,
                description=_str(item.get("description")),
            )
        )
    return tuple(found)


def absolute_avatar(url: str | None) -> str | None:
    """The Hub gives avatars as paths on itself or as full URLs; only HTTPS ones are shown."""
    if not url:
        return None
    full = urljoin(settings.HF_ENDPOINT + "/", url)
    return full if full.startswith("https://") else None


# -- pieces ------------------------------------------------------------------------------------------


def _org(data: object) -> HubOrg:
    item = _object(data)
    name = _str(item.get("name"), required=True)
    return HubOrg(
        name=name,
        fullname=_str(item.get("fullname")) or name,
        role=_str(item.get("roleInOrg")) or None,
        avatar_url=absolute_avatar(_str(item.get("avatarUrl"))),
    )


def _scope(data: object) -> TokenScope:
    item = _object(data)
    entity = _dict_or_empty(item.get("entity"))
    return TokenScope(
        entity_type=_str(entity.get("type")),
        entity_name=_str(entity.get("name")),
        permissions=tuple(_str(p) for p in _list(item.get("permissions"))),
    )


def _ref(data: object) -> GitRef:
    item = _object(data)
    return GitRef(_str(item.get("name"), True), _str(item.get("ref")), _str(item.get("targetCommit"), True))


def _tree_entry(data: object) -> TreeEntry:
    item = _object(data)
    kind = _str(item.get("type"), required=True)
    return TreeEntry(
        path=_str(item.get("path"), required=True),
        is_dir=kind == "directory",
        size=_int(item.get("size")) or 0,
        lfs=isinstance(item.get("lfs"), dict),
    )


def _commit(data: object) -> CommitInfo:
    item = _object(data)
    authors = tuple(_str(_object(a).get("user")) for a in _list(item.get("authors")))
    return CommitInfo(
        id=_str(item.get("id"), required=True),
        title=_str(item.get("title")),
        message=_str(item.get("message")),
        authors=tuple(a for a in authors if a),
        date=_when(item.get("date")),
    )


def _tag(data: object, group: str) -> TagInfo:
    item = _object(data)
    tag_id = _str(item.get("id"), required=True)
    return TagInfo(tag_id, _str(item.get("label")) or tag_id, group, _str(item.get("subType")) or None)


# -- JSON values -------------------------------------------------------------------------------------


def _object(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Unreadable("expected a JSON object")
    return value


def _dict_or_empty(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object, required: bool = False) -> list[Any]:
    if value is None and not required:
        return []
    if not isinstance(value, list):
        raise Unreadable("expected a JSON array")
    return value


def _str(value: object, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Unreadable("expected a string")
    return value


def _int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unreadable("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise Unreadable("expected a finite number")
    return int(value)


def _when(value: object) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(_str(value))
    except ValueError:
        raise Unreadable("expected a date") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _gated(value: object) -> str | None:
    if value in (None, False, "false"):
        return None
    return value if isinstance(value, str) else "auto"
