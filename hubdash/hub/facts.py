"""What hubdash last learnt of a repo from the Hub's answers, kept apart from the cached answers themselves
(those are per token and dropped whenever a webhook says the repo changed): its license at a commit, its
downloads (the Hub's 30-day figure), its gating and visibility. Server-side only, never drawn on a page:
guardrails judging a change the Hub reported read it, so that a delivery costs no Hub call when hubdash
already knows (shared by every worker through the cache).

    facts.remember_detail(detail)                       # after a repo-info answer
    facts.known("model", "acme/m", head_sha="abc…")     # {"license": …, "downloads": …, "gated": …, "private": …}
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone

from .repo_types import RepoDetail

KEEP_S = 30 * 24 * 3600


def _key(kind: str, repo_id: str) -> str:
    return f"hub:facts:{kind}:{repo_id}"


def remember_detail(detail: RepoDetail) -> None:
    """Keep what a repo-info answer (at the repo's head) says; a cache that is down keeps nothing."""
    summary = detail.summary
    facts: dict[str, Any] = {
        "sha": detail.sha,
        "license": detail.license,
        "downloads": summary.downloads,
        "gated": summary.gated or "off",
        "private": summary.private,
        "at": timezone.now().isoformat(),
    }
    try:
        cache.set(_key(summary.kind, summary.id), facts, KEEP_S)
    except Exception:  # knowing less only costs a later guardrail check one Hub call
        return


def known(kind: str, repo_id: str, head_sha: str | None = None) -> dict[str, Any]:
    """The facts last learnt of this repo (empty: none). The license only where it was read at `head_sha`
    (a commit may change the card), or where no commit is given."""
    try:
        kept = cache.get(_key(kind, repo_id))
    except Exception:
        return {}
    if not isinstance(kept, dict):
        return {}
    found = {k: kept[k] for k in ("downloads", "gated", "private") if kept.get(k) is not None}
    if kept.get("license") and (head_sha is None or kept.get("sha") == head_sha):
        found["license"] = kept["license"]
    return found
