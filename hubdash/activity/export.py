"""The filtered feed as CSV or JSON, streamed row by row (never built whole in memory)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from hubdash import hub
from hubdash.core.csv import csv_lines
from hubdash.core.http import AuthedRequest

from .feed import visible_events
from .forms import FeedForm
from .models import Event

COLUMNS = (
    "id", "received_at", "source", "action", "summary", "repo_type", "repo_id",
    "private", "actor", "member", "subject", "duplicates", "verified_by",
)  # fmt: skip
CHUNK = 500


def _row(event: Event) -> dict[str, Any]:
    return {
        "id": event.pk,
        "received_at": event.received_at.isoformat(),
        "source": event.source,
        "action": event.action,
        "summary": event.summary,
        "repo_type": event.repo_type,
        "repo_id": event.repo_id,
        "private": event.private,
        "actor": event.actor,
        "member": event.member.get_username() if event.member else "",
        "subject": event.subject,
        "duplicates": event.duplicates,
        "verified_by": event.verified_by,
    }


def _rows(events: QuerySet[Event]) -> Iterator[dict[str, Any]]:
    for event in events.select_related("member").order_by("-id").iterator(chunk_size=CHUNK):
        yield _row(event)


def _json(events: QuerySet[Event]) -> Iterator[str]:
    yield "["
    for i, row in enumerate(_rows(events)):
        yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]\n"


@require_safe
def export(request: AuthedRequest, fmt: str) -> StreamingHttpResponse | JsonResponse:
    form = FeedForm(request.GET)
    if not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"error": "Some filters are not valid.", "fields": errors}, status=400)
    try:
        events = form.filter(visible_events(request.user))
    except hub.HubError as err:  # which organisations' events are theirs is not known now
        return JsonResponse({"error": err.message}, status=err.status)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(COLUMNS, ([row[name] for name in COLUMNS] for row in _rows(events))),
            content_type="text/csv; charset=utf-8",
        )
    else:
        response = StreamingHttpResponse(_json(events), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="hubdash-activity-{stamp}.{fmt}"'
    return response
