"""A gated repo's requests as CSV (who, email, status, when, decided by whom), streamed row by row."""

from __future__ import annotations

from collections.abc import Iterator

from django.http import StreamingHttpResponse
from django.utils import timezone

from hubdash.core.csv import csv_lines

from .models import AccessRequest, GatedRepo

COLUMNS = (
    "username", "fullname", "email", "status", "requested_at", "decided_at",
    "decided_through", "decided_by", "reason",
)  # fmt: skip


def decided_by(row: AccessRequest) -> tuple[str, str]:
    """(through what, by whom): hubdash and the member, a rule by name, or the Hub's own grantedBy."""
    if row.decided_by_id is not None and row.decided_by is not None:
        return "hubdash", row.decided_by.get_username()
    if row.decided_by_rule:
        return "hubdash rule", row.decided_by_rule
    if row.granted_by or row.reviewed_at:
        return "Hub", row.granted_by
    return "", ""


def _iso(moment: object) -> str:
    return moment.isoformat() if moment is not None else ""  # type: ignore[attr-defined]


def _rows(repo: GatedRepo) -> Iterator[tuple[object, ...]]:
    for row in repo.requests.select_related("decided_by").order_by("-requested_at", "-id").iterator(chunk_size=500):
        through, by = decided_by(row)
        when = row.decided_at or row.reviewed_at
        yield (
            row.who,
            row.fullname,
            row.email,
            row.status,
            _iso(row.requested_at),
            _iso(when),
            through,
            by,
            row.reason,
        )


def export_response(repo: GatedRepo) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(csv_lines(COLUMNS, _rows(repo)), content_type="text/csv; charset=utf-8")
    safe = repo.repo_id.replace("/", "-")
    response["Content-Disposition"] = f'attachment; filename="access-{safe}-{stamp}.csv"'
    return response
