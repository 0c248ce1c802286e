"""Rules that settle routine requests, run by the refresh after the mirror is updated (access-bulk work)."""

from __future__ import annotations

from hubdash import hub


def apply_rules(namespace: str, client: hub.HubClient, run: object) -> str:
    """Decide the pending requests of `namespace` the rules settle; returns an outcome line ("" for none)."""
    return ""
