"""Who sees which events, and pages of them: newest first, keyset on id (flat cost at any depth)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from hubdash import hub
from hubdash.core.permissions import is_admin

from .models import Event

PAGE_SIZE = 50
# A line of the feed needs neither the raw body (up to 1 MB) nor the headers: only an event's page does.
LIST_DEFERRED = ("raw_body", "headers")


def viewer_namespaces(user: User | AnonymousUser, sure_only: bool = False) -> frozenset[str]:
    """The Hub namespaces this person belongs to: their stored token's Hub name and the organisations of
    its whoami (cached; one whoami when no answer is fresh).

    Raises a HubError when the Hub cannot say which organisations they are in; with `sure_only`, their
    own namespace then, and none of their organisations'.
    """
    try:
        status = hub.token_status(user)
    except hub.TokenKeyError:
        status = None
    names = {status.hub_username} if status is not None and status.hub_username else set()
    try:
        identity = hub.current_identity(user)
    except hub.HubError:
        if not sure_only:
            raise
        identity = None
    if identity is not None:
        names.add(identity.name)
        names.update(org.name for org in identity.orgs)
    return frozenset(names)


def visible_events(user: User | AnonymousUser, sure_only: bool = False) -> QuerySet[Event]:
    """Events about public repos (or no repo) for everyone signed in; the rest for admins and the
    people of the repo's namespace. Raises a HubError as `viewer_namespaces` does."""
    events = Event.objects.select_related("member")
    if is_admin(user):
        return events
    return events.filter(Q(restricted=False) | Q(namespace__in=viewer_namespaces(user, sure_only)))


def page(events: QuerySet[Event], before: int | None, size: int = PAGE_SIZE) -> tuple[list[Event], int | None]:
    """One page, newest first, below the `before` id; and the cursor of the next page, if any."""
    if before:
        events = events.filter(id__lt=before)
    rows = list(events.defer(*LIST_DEFERRED).order_by("-id")[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def newer(events: QuerySet[Event], after: int, size: int = PAGE_SIZE) -> list[Event]:
    """Events that arrived after the `after` id, newest first (at most a page of them)."""
    return list(events.filter(id__gt=after).defer(*LIST_DEFERRED).order_by("-id")[:size])


def recent(
    user: User | AnonymousUser,
    *,
    namespaces: frozenset[str] | None = None,
    repo: tuple[str, str] | None = None,
    size: int = 8,
) -> list[Event]:
    """The newest events this person may see in these namespaces, or about this (kind, repo id)."""
    # A region of a page whose other regions show the Hub's state when it is down.
    events = visible_events(user, sure_only=True)
    if namespaces is not None:
        events = events.filter(namespace__in=namespaces)
    if repo is not None:
        events = events.filter(repo_type=repo[0], repo_id=repo[1])
    return list(events.defer(*LIST_DEFERRED).order_by("-id")[:size])
