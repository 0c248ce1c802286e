"""The scheduled refresh of every namespace's access requests (the jobs app's `@periodic`)."""

from __future__ import annotations


def refresh_soon() -> None:
    """Enqueue one refresh now ("Refresh now")."""
