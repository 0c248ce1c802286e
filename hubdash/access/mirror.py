"""Copying the Hub's access requests into the mirror: one repo's lists, one request read again, retention."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hubdash import hub
from hubdash.activity.models import Event
from hubdash.hub import access as hub_access

from .models import PENDING, WITHDRAWN, AccessRequest, GatedRepo
from .models_rules import DONE, DRAFT, BulkItem, BulkRun

if TYPE_CHECKING:
    from hubdash.hub.access import Status

    from .bulk import Paced

T = TypeVar("T")
# A call the Hub answers 429 this many times in a row (each after waiting its window out) gives up: that repo
# says so on its line and the refresh goes on with the others.
MAX_WAITS = 5

PERSONAL_FIELDS = {
    "username": "",
    "hub_user_id": "",
    "fullname": "",
    "email": "",
    "email_domain": "",
    "verified_orgs": [],
    "orgs": [],
    "is_pro": False,
    "fields": {},
    "search_text": "",
}


def identity_of(req: hub_access.AccessRequest) -> str:
    """What names one request across the Hub's lists: its requester, or its id when the requester is hidden."""
    if req.requester is not None:
        return f"user:{req.requester.username}"
    return f"request:{req.request_id or ''}"


def _search_text(values: Iterable[str]) -> str:
    return "\n".join(v for v in values if v).lower()


def row_values(req: hub_access.AccessRequest) -> dict[str, object]:
    """The mirror's columns for one request as the Hub lists it (personal fields included)."""
    who = req.requester
    email = (who.email or "") if who else ""
    fields = {str(k): str(v) for k, v in req.fields.items()}
    values: dict[str, object] = {
        "request_id": req.request_id or "",
        "hidden": who is None,
        "status": req.status,
        "requested_at": req.requested_at,
        "reviewed_at": req.reviewed_at,
        "granted_by": req.granted_by or "",
        "username": who.username if who else "",
        "hub_user_id": (who.user_id or "") if who else "",
        "fullname": who.fullname if who else "",
        "email": email,
        "email_domain": email.rpartition("@")[2].lower() if "@" in email else "",
        "verified_orgs": list(who.verified_orgs) if who else [],
        "orgs": list(who.orgs) if who else [],
        "is_pro": bool(who and who.is_pro),
        "fields": fields,
        "search_text": _search_text(
            [
                who.username if who else "",
                who.fullname if who else "",
                email,
                *(who.verified_orgs if who else ()),
                *(who.orgs if who else ()),
                *fields.values(),
            ]
        ),
    }
    return values


class _Unknown:
    """A row not looked up yet: upsert reads it itself."""


_UNKNOWN = _Unknown()


def upsert(
    repo: GatedRepo,
    req: hub_access.AccessRequest,
    now: datetime,
    row: AccessRequest | _Unknown | None = _UNKNOWN,
    unchanged: list[int] | None = None,
) -> AccessRequest:
    """The mirror row of `req`, created or brought up to date with what the Hub says now. `row` is its row when
    the caller read it already (None: there is none). A row the Hub's answer leaves as it was goes into
    `unchanged` when given (the caller marks them all seen at once), else only its `last_seen` is written."""
    values = row_values(req)
    if isinstance(row, _Unknown):
        row = AccessRequest.objects.filter(repo=repo, identity=identity_of(req)).first()
    if row is None:
        return AccessRequest.objects.create(
            repo=repo, namespace=repo.namespace, identity=identity_of(req), first_seen=now, last_seen=now, **values
        )
    if row.personal_removed_at is None and all(getattr(row, name) == value for name, value in values.items()):
        if unchanged is not None:
            unchanged.append(row.pk)
        else:
            AccessRequest.objects.filter(pk=row.pk).update(last_seen=now)
        row.last_seen = now
        return row
    if row.status != req.status:
        # Decided (or moved back) on the Hub itself since: hubdash's own note of who decided no longer holds.
        if req.status != PENDING:
            row.decided_at = req.reviewed_at or now
        row.decided_by, row.decided_by_rule = None, ""
        if req.status == PENDING:
            row.reason, row.decided_at = "", None
            # Moved back to pending on the Hub after a decision: a person did it, and rules leave it alone.
            row.reopened_by_person = row.status != WITHDRAWN
    for name, value in values.items():
        setattr(row, name, value)
    row.personal_removed_at = None
    row.last_seen = now
    row.save()
    return row


def retrying(pacer: Paced, make: Callable[[], T]) -> T:
    """`make()`, and on a rate limit the window waited out (`pacer.after_429`) and the same call made again: a
    429 means the Hub did nothing of it. Raises the RateLimited after MAX_WAITS waits in a row."""
    for attempt in range(MAX_WAITS + 1):
        try:
            return make()
        except hub.RateLimited as err:
            if attempt == MAX_WAITS:
                raise
            pacer.after_429(err)
    raise AssertionError("unreachable")


def refresh_repo(client: hub.HubClient, repo: GatedRepo, pacer: Paced | None = None) -> int:
    """Read every status list of one gated repo and bring its mirror rows up to date; rows the Hub no longer
    lists are marked withdrawn. Returns the number of pending requests. With a `pacer`, each page waits its
    turn and a rate limit waits for the window to reset, then goes on. Raises what the lists raise (NotGated
    first of all), leaving the mirror as it was."""

    def listed(status: Status) -> list[hub_access.AccessRequest]:
        if pacer is None:
            return hub_access.list_requests(client, repo.hub_kind, repo.repo_id, status)
        return retrying(
            pacer,
            lambda: hub_access.list_requests(client, repo.hub_kind, repo.repo_id, status, pacer.before_call),
        )

    lists = {status: listed(status) for status in hub_access.STATUSES}
    now = timezone.now()
    seen: set[str] = set()
    with transaction.atomic():
        known = {row.identity: row for row in repo.requests.all()}
        unchanged: list[int] = []
        for requests in lists.values():
            for req in requests:
                identity = identity_of(req)
                upsert(repo, req, now, known.get(identity), unchanged)
                seen.add(identity)
        for start in range(0, len(unchanged), 500):
            AccessRequest.objects.filter(pk__in=unchanged[start : start + 500]).update(last_seen=now)
        gone = repo.requests.exclude(identity__in=seen).exclude(status=WITHDRAWN)
        gone.update(status=WITHDRAWN, decided_at=now, last_seen=now)
        repo.hides_requesters = any(r.requester is None for rs in lists.values() for r in rs)
        repo.gated, repo.refreshed_at, repo.last_error = True, now, ""
        repo.save(update_fields=["hides_requesters", "gated", "refreshed_at", "last_error"])
    return len(lists["pending"])


def read_again(client: hub.HubClient, row: AccessRequest) -> AccessRequest:
    """One request read again from the Hub's lists (after the Hub said "not found" to a decision): its row
    updated to what the Hub holds now, or marked withdrawn when no list has it."""
    repo = row.repo
    now = timezone.now()
    for status in hub_access.STATUSES:
        for req in hub_access.list_requests(client, repo.hub_kind, repo.repo_id, status):
            if identity_of(req) == row.identity:
                return upsert(repo, req, now)
    if row.status != WITHDRAWN:
        row.status, row.decided_at, row.last_seen = WITHDRAWN, now, now
        row.save(update_fields=["status", "decided_at", "last_seen"])
    return row


def no_longer_gated(repo: GatedRepo) -> None:
    repo.gated, repo.gating = False, ""
    repo.save(update_fields=["gated", "gating"])


def retention_days() -> int:
    return int(getattr(settings, "HUBDASH_ACCESS_RETENTION_DAYS", 90))


REMOVED = "(details removed)"


def remove_old_personal_data(now: datetime | None = None) -> int:
    """Blank the personal fields of requests decided (or withdrawn) more than the retention period ago, and the
    requesters named elsewhere since as long: bulk runs' lines (drafts never confirmed go whole) and the feed's
    access events (a decision, a grant, a rule's refusals). Returns how many requests were blanked."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    old = AccessRequest.objects.exclude(status=PENDING).filter(decided_at__lt=cutoff, personal_removed_at=None)
    removed = old.update(personal_removed_at=now, **PERSONAL_FIELDS)
    BulkRun.objects.filter(state=DRAFT, created_at__lt=cutoff).delete()
    BulkItem.objects.filter(run__state=DONE, run__finished_at__lt=cutoff).exclude(who=REMOVED).update(
        who=REMOVED, user="", user_id=""
    )
    events = Event.objects.filter(source="hubdash", action="access", received_at__lt=cutoff)
    for event in events.filter(Q(details__has_key="requester") | Q(details__has_key="problems")).iterator():
        details = dict(event.details)
        name = str(details.pop("requester", "") or "")
        details.pop("problems", None)
        if name:
            event.summary = event.summary.replace(name, "a requester")
        event.details = details
        event.save(update_fields=["summary", "details"])
    return removed
