"""Figures a capability app adds to repos' rows in lists, without the lists knowing the app (repos imports no
capability app: architecture.md). An app registers a provider when Django loads it; the rows' template tag
asks all providers once per list, for all its rows together (one query per provider, never one per row).

    row_figures.register("trend", provider, version)   # provider([(kind, repo_id), ...]) -> {key: value}
    row_figures.for_rows([(kind, repo_id), ...]) -> {"trend": {(kind, repo_id): value}}
    row_figures.version() -> str   # changes when any provider's figures do: part of a kept list's cache key
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

logger = logging.getLogger(__name__)

Key = tuple[str, str]
Provider = Callable[[Sequence[Key]], dict[Key, Any]]

_providers: dict[str, Provider] = {}
_versions: dict[str, Callable[[], object]] = {}


def register(name: str, provider: Provider, version: Callable[[], object] = lambda: "") -> None:
    """`version()` is cheap and changes whenever the provider's figures may: lists kept in the cache are keyed
    by it, so a kept list never shows yesterday's figures."""
    _providers[name] = provider
    _versions[name] = version


def unregister(name: str) -> None:
    _providers.pop(name, None)
    _versions.pop(name, None)


def version() -> str:
    parts = []
    for name, current in sorted(_versions.items()):
        try:
            parts.append(f"{name}={current()}")
        except Exception:
            logger.exception("row figures %s: no version", name)
            parts.append(f"{name}=?")
    return ",".join(parts)


def for_rows(keys: Sequence[Key]) -> dict[str, dict[Key, Any]]:
    """Each provider's figures for these rows; a provider that fails costs the rows its figures, not the page."""
    found: dict[str, dict[Key, Any]] = {}
    if not keys:
        return found
    for name, provider in _providers.items():
        try:
            found[name] = provider(keys)
        except Exception:
            logger.exception("row figures %s failed", name)
            found[name] = {}
    return found
