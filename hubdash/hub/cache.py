"""The shared cache of Hub answers: one fetch per key at a time per process, every worker reads it.

Keys carry a scope: a keyed fingerprint of the token (never the token: private repos differ per
person), or "public" for answers that are the same for everyone (the tag vocabularies).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from . import errors

T = TypeVar("T")
_MISS = object()


class _Flight:
    """The fetch of one key in this process: identical concurrent calls wait for the first (coalesced)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.callers = 0


# One lock per key being fetched, not a fixed set of shared ones: with 256 stripes, a page under load
# waited for an unrelated fetch that happened to share its stripe (one page in twenty at 13 concurrent
# fetches), a whole Hub round trip on top of its own.
_flights: dict[str, _Flight] = {}
_flights_lock = threading.Lock()


def key(scope: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"hub:{scope}:{digest}"


def remember(
    cache_key: str, ttl: int, fetch: Callable[[], T], wait_s: float, keep: Callable[[T], bool] | None = None
) -> T:
    """The cached answer, or fetch it once (other threads asking for the same key wait for it).

    `keep`: whether a fetched value may be kept (one that is not, a page drawn around a Hub failure,
    is for its own caller only: those that waited then fetch for themselves).
    """
    hit = cache.get(cache_key, _MISS)
    if hit is not _MISS:
        return hit  # type: ignore[no-any-return]
    with _flights_lock:
        flight = _flights.setdefault(cache_key, _Flight())
        flight.callers += 1
    try:
        if not flight.lock.acquire(timeout=max(wait_s, 0.01)):
            raise errors.HubUnavailable("The Hub did not answer in time; try again in a moment.")
        try:
            hit = cache.get(cache_key, _MISS)
            if hit is not _MISS:
                return hit  # type: ignore[no-any-return]
            value = fetch()
            if keep is None or keep(value):
                cache.set(cache_key, value, ttl)
            return value
        finally:
            flight.lock.release()
    finally:
        with _flights_lock:
            flight.callers -= 1
            if not flight.callers:
                del _flights[cache_key]


def repo_generation(kind: str, repo_id: str) -> int:
    """A counter folded into every cached answer about a repo, so that bumping it drops them all."""
    value: object = cache.get(f"hub:gen:{kind}:{repo_id}", 0)
    return value if isinstance(value, int) else 0


def _fresh_generation() -> int:
    # A new random value rather than the old one plus one: a write without a read first (the webhook
    # receiver forgets a repo on every delivery), and two workers forgetting at once still both move it.
    return secrets.randbits(62) + 1


def forget_repo(kind: str, repo_id: str) -> None:
    """Drop every cached answer about this repo, for every person and every worker."""
    cache.set(f"hub:gen:{kind}:{repo_id}", _fresh_generation(), None)


def listings_generation() -> int:
    """A counter folded into every cached listing (the Hub's pages and hubdash's rendered rows)."""
    value: object = cache.get("hub:gen:listings", 0)
    return value if isinstance(value, int) else 0


def forget_listings() -> None:
    """Drop every cached listing, for every person: a repo was created, deleted, moved or changed visibility.

    Listings are keyed by person and query, not by repo, so one counter for all is what drops them at once;
    such changes are rare next to reads.
    """
    cache.set("hub:gen:listings", _fresh_generation(), None)
