"""The scheduled refresh of the team's access requests (registered with the jobs app's `@periodic`).

Each period, each namespace someone took on (or that hubdash has mirrored) is refreshed with the token of
the person who lent it on their profile; a namespace whose work is paused keeps its rows and shows why.
Then requesters' personal details past the retention period are removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubdash import hub
from hubdash.jobs.delegation import Paused, unattended_client
from hubdash.jobs.models import Delegation
from hubdash.jobs.schedule import periodic, run_now

from . import mirror, refresh

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hubdash.jobs.models import ScheduledRun

JOB = "access.refresh"
CAPABILITY = "access"


def namespaces() -> list[str]:
    """Namespaces to refresh: those someone took on, and those mirrored before (whose pause is then said)."""
    taken = set(Delegation.objects.filter(capability=CAPABILITY).values_list("namespace", flat=True))
    return sorted(taken | set(refresh.known_namespaces()))


@periodic(JOB, every="HUBDASH_ACCESS_REFRESH_MINUTES", label="Refresh access requests", capability=CAPABILITY)
def refresh_all(run: ScheduledRun) -> str:
    """Refresh every namespace; returns the jobs page's outcome line. A Hub failure on one namespace is said
    and the others go on."""
    parts: list[str] = []
    for namespace in namespaces():
        try:
            _, client = unattended_client(CAPABILITY, namespace)
        except Paused as paused:
            refresh.pause(namespace, paused.reason)
            parts.append(f"{namespace}: paused ({paused.reason})")
            continue
        except hub.HubError as err:
            parts.append(f"{namespace}: {err.message}")
            continue
        try:
            parts.append(f"{namespace}: {refresh.refresh_namespace(namespace, client, run)}")
        except hub.HubError as err:
            parts.append(f"{namespace}: could not list its repos ({err.message})")
    removed = mirror.remove_old_personal_data()
    if removed:
        parts.append(f"personal details of {removed} old request{'s' if removed != 1 else ''} removed")
    return "; ".join(parts) or "nobody has taken on any namespace's access requests"


def refresh_soon(by: User | None = None) -> None:
    """Enqueue one refresh now ("Refresh now"); asking while one waits to start runs it once."""
    run_now(JOB, by)
