"""The discussions mirror's scheduled work (registered with the jobs app's `@periodic`), and "Refresh now".

Each hour, each watched namespace is read with the token of the person who lent it on their profile
(capability "discussions"): first filled if it never was; then refreshed, paced, unless webhooks cover it
(a discussion delivery came from it within `refresh.COVERED_DAYS`). "Refresh now" reads every watched
namespace, covered or not. In a covered namespace, what deliveries could not bring is read: the details of
items they could not update, the list of a repo with an item they could not read that has no row yet. A
namespace whose work is paused keeps its rows and says why.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from hubdash import hub
from hubdash.core.permissions import is_admin
from hubdash.jobs.delegation import Paused, unattended_client
from hubdash.jobs.models import RUN_NOW, Delegation
from hubdash.jobs.schedule import periodic, run_now, wait_before_asking_again

from . import refresh
from .models import WatchedNamespace

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from hubdash.jobs.models import ScheduledRun

JOB = "discussions.refresh"
CAPABILITY = "discussions"
# "Refresh now" reads every repo of every watched namespace (a list call each, with the lent token): not again
# this soon after the last run ended, whoever asks.
REFRESH_COOLDOWN = timedelta(minutes=10)


@periodic(JOB, every=timedelta(hours=1), label="Refresh the discussions inbox", capability=CAPABILITY)
def refresh_all(run: ScheduledRun | None) -> str:
    """Fill or refresh every watched namespace that needs it; returns the jobs page's outcome line. A Hub
    failure on one namespace is said and the others go on."""
    everything = run is not None and run.trigger == RUN_NOW
    now = timezone.now()
    parts: list[str] = []
    for watched in WatchedNamespace.objects.order_by("namespace"):
        namespace = watched.namespace
        covered = not everything and watched.filled_at is not None and refresh.is_covered(watched, now)
        stale = covered and refresh.has_stale(namespace)
        if covered and not stale:
            parts.append(f"{namespace}: kept current by webhooks")
            continue
        try:
            _, client = unattended_client(CAPABILITY, namespace)
        except Paused as paused:  # kept by the jobs app (its Pause), which the inbox and the jobs page show
            parts.append(f"{namespace}: paused ({paused.reason})")
            continue
        except hub.HubError as err:
            parts.append(f"{namespace}: {err.message}")
            continue
        try:
            if covered:  # only what deliveries could not bring
                read = refresh.read_stale(namespace, client)
                parts.append(f"{namespace}: kept current by webhooks; {read} item{'s' if read != 1 else ''} read again")
            else:
                parts.append(f"{namespace}: {refresh.read_namespace(namespace, client)}")
        except hub.HubError as err:
            parts.append(f"{namespace}: could not read it ({err.message})")
    return "; ".join(parts)[:300] or "no namespace is watched for discussions"


def refresh_soon(by: User | None = None) -> ScheduledRun:
    """Enqueue one run now (the first read of a namespace just watched or lent for); asking while one waits to
    start runs it once."""
    return run_now(JOB, by)


def refresh_asked(by: User) -> timedelta | None:
    """ "Refresh now": one run enqueued, unless the last one ended less than REFRESH_COOLDOWN ago; then nothing
    is enqueued and the answer is how long until one may be asked for again."""
    wait = wait_before_asking_again(JOB, REFRESH_COOLDOWN)
    if wait is None:
        run_now(JOB, by)
    return wait


def may_refresh(person: User) -> bool:
    """Whether this person may press "Refresh now", which spends a lent token: admins, and the people who lend
    theirs for a watched namespace's discussions."""
    if is_admin(person):
        return True
    watched = WatchedNamespace.objects.values("namespace")
    return Delegation.objects.filter(capability=CAPABILITY, person=person, namespace__in=watched).exists()


def on_lent(sender: object, instance: Delegation, **kwargs: object) -> None:
    """Someone lent their token for a watched namespace's discussions that were never read: the first read
    starts now rather than at the next hour (the jobs app's Delegation, saved by the profile's form)."""
    if instance.capability != CAPABILITY:
        return
    if WatchedNamespace.objects.filter(namespace=instance.namespace, filled_at=None).exists():
        person = instance.person
        transaction.on_commit(lambda: refresh_soon(person))
