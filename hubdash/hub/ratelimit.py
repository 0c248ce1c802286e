"""What the Hub says of each token's quota (`RateLimit` / `RateLimit-Policy` headers, shared/hub-api.md §15.8).

INTERFACE STUB (session 2026-12-07): every Hub response's headers are read by a response hook installed
with the shared client factory (transport.py); the latest figures per token and bucket are kept where every
process sees them (Django's cache), so that one pacer per Hub account can spread a bulk job's calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from .client import HubClient


@dataclass(frozen=True)
class Budget:
    remaining: int  # calls left in this window (`r`)
    reset_in: float  # seconds until the window resets (`t`), as of `seen_at`
    quota: int | None  # the window's quota (`q`), when the policy header says it
    window: int | None  # the window's length in seconds (`w`)
    seen_at: float  # time.time() when the Hub said it


def latest(client: HubClient, bucket: str = "api") -> Budget | None:
    """The latest figures the Hub gave for this client's token and bucket, None before any."""
    raise NotImplementedError
