"""Repos' visibility as hubdash last saw the Hub answer it. Repo info and listings tell only `private`: a
protected Space reads as public there, and webhooks say no more; the answer to a settings change (or a
create) says `protected`. The repos app keeps those answers and registers them here when Django loads it, so
that capability apps (a bulk plan's "now", its run's changes) read and add to them importing no `repos`.
With nothing registered, nothing is known and nothing is kept.

    visibility.last_known("space", ["acme/app"]) -> {"acme/app": "protected"}
    visibility.remember("space", "acme/app", "public")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)

Lookup = Callable[[str, Sequence[str]], dict[str, str]]
Remember = Callable[[str, str, str], None]

_lookup: list[Lookup] = []
_remember: list[Remember] = []


def register(lookup: Lookup, remember: Remember) -> None:
    if lookup not in _lookup:
        _lookup.append(lookup)
    if remember not in _remember:
        _remember.append(remember)


def last_known(kind: str, repo_ids: Sequence[str]) -> dict[str, str]:
    """repo id -> the visibility (public, private, protected) of the Hub's last settings answer hubdash saw."""
    found: dict[str, str] = {}
    if not repo_ids:
        return found
    for lookup in _lookup:
        for repo_id, seen in lookup(kind, repo_ids).items():
            found.setdefault(repo_id, seen)
    return found


def remember(kind: str, repo_id: str, visibility: str) -> None:
    """Keep what the Hub answered; a store that fails costs the next page its knowledge, not the change."""
    for keep in _remember:
        try:
            keep(kind, repo_id, visibility)
        except Exception:
            logger.exception("could not keep the visibility the Hub answered for %s", repo_id)


__all__ = ["last_known", "register", "remember"]
