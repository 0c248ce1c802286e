"""What the Hub says of each token's quota (`RateLimit` / `RateLimit-Policy` headers, shared/hub-api.md §15.8).

Every Hub response's headers are read by `remember`, a response hook installed with the shared client factory
(transport.py); the latest figures per token and bucket are kept where every process sees them (Django's cache),
so that one pacer per Hub account can spread a bulk job's calls. The cache names a token by its keyed fingerprint
(`client.fingerprint`), never by the token itself.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import httpx2
from django.conf import settings
from django.core.cache import cache
from huggingface_hub.utils import parse_ratelimit_headers

from .client import HubClient, fingerprint

logger = logging.getLogger(__name__)
KEPT_AFTER_RESET_S = 300  # figures outlive their window by this much (the quota `q` stays useful)


@dataclass(frozen=True)
class Budget:
    remaining: int  # calls left in this window (`r`)
    reset_in: float  # seconds until the window resets (`t`), as of `seen_at`
    quota: int | None  # the window's quota (`q`), when the policy header says it
    window: int | None  # the window's length in seconds (`w`)
    seen_at: float  # time.time() when the Hub said it

    @property
    def resets_at(self) -> float:
        """time.time() when this window ends and the whole quota is back (a fixed window)."""
        return self.seen_at + self.reset_in

    def left(self, now: float | None = None) -> int | None:
        """Calls left at `now`: `remaining` until the window resets, then the whole quota (None: not known)."""
        now = time.time() if now is None else now
        return self.remaining if now < self.resets_at else self.quota


def latest(client: HubClient, bucket: str = "api") -> Budget | None:
    """The latest figures the Hub gave for this client's token and bucket, None before any."""
    try:
        found = cache.get(_key(client.cache_scope, bucket))
    except Exception:  # a broken cache only means "no figures": the caller paces as if none were given
        logger.warning("hub.ratelimit: the cache could not be read", exc_info=True)
        return None
    return found if isinstance(found, Budget) else None


def remember(response: httpx2.Response) -> None:
    """Response hook: keep the Hub's figures for the token that made this call. Never fails the call."""
    try:
        info = parse_ratelimit_headers(response.headers)
        if info is None or not _from_the_hub(response.request.url):
            return
        budget = Budget(
            remaining=info.remaining,
            reset_in=float(info.reset_in_seconds),
            quota=info.limit,
            window=info.window_seconds,
            seen_at=time.time(),
        )
        timeout = info.reset_in_seconds + KEPT_AFTER_RESET_S
        cache.set(_key(_scope(response.request), info.resource_type), budget, timeout)
    except Exception:
        logger.warning("hub.ratelimit: the Hub's rate-limit figures could not be kept", exc_info=True)


def _scope(request: httpx2.Request) -> str:
    """The same name `HubClient.cache_scope` gives the token this request carries."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "anon"
    return fingerprint(token.strip())


def _from_the_hub(url: httpx2.URL) -> bool:
    hub = httpx2.URL(settings.HF_ENDPOINT)
    return (url.scheme, url.host, url.port) == (hub.scheme, hub.host, hub.port)


def _key(scope: str, bucket: str) -> str:
    return f"hub:ratelimit:{scope}:{bucket}"
