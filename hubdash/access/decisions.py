"""A person's decision on one request, made at once with their own token: the Hub call, the mirror row,
the feed event, and every refusal said in plain words."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.utils import timezone

from hubdash import activity, hub
from hubdash.hub import access as hub_access

from . import mirror
from .models import ACCEPTED, PENDING, REJECTED, WITHDRAWN, AccessRequest, GatedRepo

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VERBS = {ACCEPTED: "accepted", REJECTED: "rejected", PENDING: "moved back to pending"}


class Refused(Exception):
    """The decision was not made; `message` says why in plain words, for the request's line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def target_of(row: AccessRequest) -> hub_access.Target:
    if row.hidden or not row.username:
        return hub_access.Target(request_id=row.request_id)
    return hub_access.Target(user=row.username)


def _client(user: User) -> hub.HubClient:
    try:
        return hub.client_for(user)
    except hub.TokenKeyError:
        raise Refused("hubdash can no longer decrypt your Hub token: connect it again on your profile.") from None


def hub_refusal(err: hub.HubError, namespace: str) -> str:
    """What a Hub failure means for a decision, in plain words."""
    if isinstance(err, hub_access.NotGated):
        return "This repo is no longer gated on the Hub: there is nothing to decide."
    if isinstance(err, hub.NoAccess):
        return f"Your Hub token may no longer manage access requests in {namespace}; nothing changed."
    if isinstance(err, hub.RateLimited):
        when = f"in {err.retry_after} seconds" if err.retry_after else "in a minute"
        return f"The Hub is rate limiting your token: try again {when}. Nothing changed."
    if isinstance(err, (hub.BadToken, hub.NoToken)):
        return "Your Hub token is missing or was rejected: connect it on your profile, then try again."
    if isinstance(err, hub.HubUnavailable):
        return "The Hub is not answering right now; nothing changed. Try again in a moment."
    return f"The Hub refused: {err.message}"


def _who(row: AccessRequest) -> str:
    return row.username or "a hidden requester"


def decide(user: User, row: AccessRequest, status: str, reason: str = "") -> str:
    """Move `row` to `status` on the Hub with `user`'s token, then in the mirror; record the feed event.
    Returns the line to show; raises Refused (the mirror updated to what the Hub holds, when it said)."""
    repo = row.repo
    reason = reason.strip() if status == REJECTED else ""
    if row.status == WITHDRAWN:
        raise Refused("This request was withdrawn: it is no longer on the Hub.")
    client = _client(user)
    try:
        hub_access.decide(
            client, repo.hub_kind, repo.repo_id, target_of(row), cast("hub_access.Status", status), reason or None
        )
    except hub_access.NotGated as err:
        mirror.no_longer_gated(repo)
        raise Refused(hub_refusal(err, repo.namespace)) from None
    except hub.NotFound:
        raise Refused(_read_again(client, row)) from None
    except hub.HubError as err:
        raise Refused(hub_refusal(err, repo.namespace)) from None
    was = row.status
    now = timezone.now()
    row.status = status
    row.decided_by, row.decided_by_rule = user, ""
    row.reason = reason
    row.decided_at = now if status != PENDING else None
    row.reopened_by_person = status == PENDING
    if status != PENDING:
        row.reviewed_at, row.granted_by = now, user_hub_name(user)
    row.save()
    verb = "revoked access of" if (was == ACCEPTED and status == REJECTED) else f"{VERBS[status]} the request of"
    summary = f"{verb} {_who(row)}" + (f": {reason}" if reason else "")
    _record(user, repo, summary, {"requester": _who(row), "status": status, "was": was, "reason": reason})
    return f"{VERBS[status].capitalize()}." if not reason else f"Rejected: {reason}"


def _read_again(client: hub.HubClient, row: AccessRequest) -> str:
    try:
        now = mirror.read_again(client, row)
    except hub_access.NotGated:
        mirror.no_longer_gated(row.repo)
        return "This repo is no longer gated on the Hub: there is nothing to decide."
    except hub.HubError as err:
        why = hub_refusal(err, row.namespace)
        return f"The Hub no longer has this request as it was, and could not be read again: {why}"
    if now.status == WITHDRAWN:
        return "Withdrawn: the requester cancelled this request on the Hub."
    return f"Already decided on the Hub (now: {now.status})."


def grant(user: User, repo: GatedRepo, username: str) -> str:
    """Give `username` access without a request; the mirror gains an accepted row. Raises Refused."""
    client = _client(user)
    try:
        hub_access.grant(client, repo.hub_kind, repo.repo_id, username)
    except hub_access.NotGated as err:
        mirror.no_longer_gated(repo)
        raise Refused(hub_refusal(err, repo.namespace)) from None
    except hub.NotFound:
        raise Refused(f"The Hub has no user called {username}.") from None
    except hub.InvalidRequest as err:
        raise Refused(f"The Hub refused: {err.message}") from None
    except hub.HubError as err:
        raise Refused(hub_refusal(err, repo.namespace)) from None
    now = timezone.now()
    AccessRequest.objects.update_or_create(
        repo=repo,
        identity=f"user:{username}",
        defaults={
            "namespace": repo.namespace,
            "username": username,
            "status": ACCEPTED,
            "requested_at": now,
            "reviewed_at": now,
            "decided_at": now,
            "decided_by": user,
            "decided_by_rule": "",
            "reason": "",
            "granted_by": user_hub_name(user),
            "search_text": username.lower(),
            "last_seen": now,
        },
    )
    _record(user, repo, f"granted access to {username}", {"requester": username, "status": ACCEPTED})
    return f"Access granted to {username}."


def user_hub_name(user: User) -> str:
    identity = hub.last_known_identity(user)
    return identity.name if identity else ""


def _record(user: User, repo: GatedRepo, summary: str, details: dict[str, str]) -> None:
    activity.record(
        action="access", summary=summary, member=user, repo_type=repo.kind, repo_id=repo.repo_id, details=details
    )
