"""Copying the Hub's access requests into the mirror: one repo's lists, one request read again, retention."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hubdash import hub
from hubdash.hub import access as hub_access

from .models import PENDING, WITHDRAWN, AccessRequest, GatedRepo

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


def upsert(repo: GatedRepo, req: hub_access.AccessRequest, now: datetime) -> AccessRequest:
    """The mirror row of `req`, created or brought up to date with what the Hub says now."""
    values = row_values(req)
    row = AccessRequest.objects.filter(repo=repo, identity=identity_of(req)).first()
    if row is None:
        return AccessRequest.objects.create(
            repo=repo, namespace=repo.namespace, identity=identity_of(req), first_seen=now, last_seen=now, **values
        )
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


def refresh_repo(client: hub.HubClient, repo: GatedRepo) -> int:
    """Read every status list of one gated repo and bring its mirror rows up to date; rows the Hub no longer
    lists are marked withdrawn. Returns the number of pending requests. Raises what the lists raise
    (NotGated first of all), leaving the mirror as it was."""
    lists = {
        status: hub_access.list_requests(client, repo.hub_kind, repo.repo_id, status) for status in hub_access.STATUSES
    }
    now = timezone.now()
    seen: set[str] = set()
    with transaction.atomic():
        for requests in lists.values():
            for req in requests:
                upsert(repo, req, now)
                seen.add(identity_of(req))
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


def remove_old_personal_data(now: datetime | None = None) -> int:
    """Blank the personal fields of requests decided (or withdrawn) more than the retention period ago.
    Returns how many rows were blanked."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    old = AccessRequest.objects.exclude(status=PENDING).filter(decided_at__lt=cutoff, personal_removed_at=None)
    return old.update(personal_removed_at=now, **PERSONAL_FIELDS)
