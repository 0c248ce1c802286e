"""Gated repos' access requests on the Hub (shared/hub-api.md §15.1): the lists, one decision, a batch, a grant.

INTERFACE STUB (session 2026-12-07): the signatures below are the contract the `access` app builds on;
the bodies are filled in by the hubsim + hub work. Lists never use the client's paginator (which sleeps
through rate limits): they follow `Link` themselves with `limit=1000`, one counted call per page.
The batch endpoint is not wrapped by huggingface_hub: it is sent with the client's own session, headers and
error handling (`get_session()`, `build_hf_headers`, `hf_raise_for_status`), as settings are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from . import errors
from .client import HubClient
from .repo_types import Kind

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


def list_requests(client: HubClient, kind: Kind, repo_id: str, status: Status) -> list[AccessRequest]:
    """Every request of one status on one repo (one call per page of up to 1,000). Raises NotGated, NotFound,
    NoAccess, RateLimited (with the Hub's reset time), HubUnavailable."""
    raise NotImplementedError


def decide(
    client: HubClient, kind: Kind, repo_id: str, target: Target, status: Status, reason: str | None = None
) -> None:
    """One request to `status` (`pending` = back to pending, access lost); one call. Raises NotFound when the
    request is gone or already in that state, NotGated, NoAccess, RateLimited, InvalidRequest (reason too long)."""
    raise NotImplementedError


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
    raise NotImplementedError


def grant(client: HubClient, kind: Kind, repo_id: str, username: str) -> None:
    """Give `username` access without a request; one call. Raises InvalidRequest when they already have it,
    NotFound for an unknown user, NotGated, NoAccess, RateLimited."""
    raise NotImplementedError
