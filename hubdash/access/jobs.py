"""The scheduled refresh of the team's access requests (registered with the jobs app's `@periodic`).

Each period, each namespace someone took on (or that hubdash has mirrored) is refreshed with the token of
the person who lent it on their profile; a namespace whose work is paused keeps its rows and shows why.
Then requesters' personal details past the retention period are removed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from hubdash import hub
from hubdash.jobs.delegation import Paused, unattended_client
from hubdash.jobs.models import Delegation
from hubdash.jobs.schedule import periodic, run_now, wait_before_asking_again

from . import bulk_runs, mirror, refresh

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
        except Paused as paused:  # kept by the jobs app (its Pause), which the queue and the jobs page show
            parts.append(f"{namespace}: paused ({paused.reason})")
            continue
        except hub.HubError as err:
            parts.append(f"{namespace}: {err.message}")
            continue
        try:
            parts.append(f"{namespace}: {refresh.refresh_namespace(namespace, client, run)}")
        except hub.HubError as err:
            parts.append(f"{namespace}: could not list its repos ({err.message})")
    stopped = bulk_runs.sweep()  # bulk runs whose worker was killed: said stopped, ready to resume
    if stopped:
        parts.append(f"{stopped} bulk decision{'s' if stopped != 1 else ''} whose worker stopped said so")
    removed = mirror.remove_old_personal_data()
    if removed:
        parts.append(f"personal details of {removed} old request{'s' if removed != 1 else ''} removed")
    return "; ".join(parts) or "nobody has taken on any namespace's access requests"


REFRESH_COOLDOWN = timedelta(minutes=1)


def refresh_soon(by: User | None = None) -> timedelta | None:
    """Enqueue one refresh now ("Refresh now"); asking while one waits to start runs it once. Within a minute of
    the last refresh's end nothing is enqueued: the answer is how long until one may be asked for again."""
    wait = wait_before_asking_again(JOB, REFRESH_COOLDOWN)
    if wait is None:
        run_now(JOB, by)
    return wait
