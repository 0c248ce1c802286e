"""One namespace's refresh: its gated repos listed, each repo's request lists copied into the mirror, repos
no longer gated marked, the rules applied after; and the retention step.

The job (`jobs.py`) runs this for each namespace with the token of the person who took it on. Lists never
use the client's paginator, which sleeps through rate limits: `hub.access` follows the pages itself.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from hubdash import hub
from hubdash.hub import access as hub_access
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import Kind

from . import mirror, rules
from .models import GatedRepo, NamespaceRefresh

GATED_KINDS: tuple[Kind, ...] = ("model", "dataset")
LIST_LIMIT = 1000


def gated_repos(client: hub.HubClient, namespace: str) -> dict[tuple[str, str], str]:
    """(kind, repo id) -> gating mode ("auto" or "manual") of every gated model and dataset of `namespace`."""
    found: dict[tuple[str, str], str] = {}
    for kind in GATED_KINDS:
        query = hub_repos.ListQuery(kind, author=namespace, limit=LIST_LIMIT)
        cursor: str | None = None
        while True:
            listing = hub_repos.list_repos(client, query, cursor, keep=False)
            for repo in listing.repos:
                if repo.gated and repo.namespace == namespace:
                    found[(kind, repo.id)] = str(repo.gated)
            cursor = listing.next_cursor
            if not cursor:
                break
    return found


def refresh_namespace(namespace: str, client: hub.HubClient, run: object = None) -> str:
    """Bring the mirror of `namespace` up to date with the Hub; returns the outcome line. Raises a HubError
    only when the namespace's repos cannot be listed (nothing changed then); a repo whose lists fail keeps
    its rows and says why (`last_error`)."""
    state, _ = NamespaceRefresh.objects.get_or_create(namespace=namespace)
    state.attempted_at, state.paused_reason = timezone.now(), ""
    try:
        found = gated_repos(client, namespace)
    except hub.HubError as err:
        state.outcome = f"could not list the repos: {err.message}"[:300]
        state.save()
        raise
    for repo in GatedRepo.objects.filter(namespace=namespace, gated=True):
        if (repo.kind, repo.repo_id) not in found:
            mirror.no_longer_gated(repo)
    pending = failed = 0
    limited = False
    for (kind, repo_id), gating in found.items():
        repo, _ = GatedRepo.objects.update_or_create(
            kind=kind, repo_id=repo_id, defaults={"namespace": namespace, "gating": gating}
        )
        try:
            pending += mirror.refresh_repo(client, repo)
        except hub_access.NotGated:
            mirror.no_longer_gated(repo)
        except hub.HubError as err:
            failed += 1
            repo.last_error, repo.last_error_at = err.message[:300], timezone.now()
            repo.save(update_fields=["last_error", "last_error_at"])
            if isinstance(err, hub.RateLimited):
                # The token's window is spent: the other repos wait for the next run rather than fail too.
                limited = True
                break
    outcome = f"{len(found)} gated repo{'s' if len(found) != 1 else ''}, {pending} pending"
    if failed:
        outcome += f"; {failed} could not be read"
    if limited:
        outcome += "; rate limited by the Hub, the rest at the next run"
    ruled = rules.apply_rules(namespace, client, run)
    if ruled:
        outcome += f"; {ruled}"
    state.refreshed_at = state.attempted_at if not failed else state.refreshed_at
    state.outcome = outcome[:300]
    state.save()
    return outcome


def pause(namespace: str, reason: str) -> None:
    """Say on the queue why the namespace was not refreshed (no one took it on, or their rights lapsed)."""
    NamespaceRefresh.objects.update_or_create(
        namespace=namespace, defaults={"paused_reason": reason[:300], "attempted_at": timezone.now()}
    )


def known_namespaces() -> list[str]:
    """Namespaces hubdash has refreshed or tried to."""
    names = set(NamespaceRefresh.objects.values_list("namespace", flat=True))
    names |= set(GatedRepo.objects.filter(~Q(namespace="")).values_list("namespace", flat=True))
    return sorted(names)
