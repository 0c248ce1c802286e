""" "Every request matching this filter": the queue's filter (its query string) as rows of the mirror, limited to
the namespaces the person manages."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import QueryDict

from .models import PENDING, STATUSES, AccessRequest


def matching(params: QueryDict, namespaces: Iterable[str]) -> QuerySet[AccessRequest]:
    rows = AccessRequest.objects.filter(namespace__in=list(namespaces))
    status = params.get("status") or PENDING
    if status in {value for value, _ in STATUSES}:
        rows = rows.filter(status=status)
    if params.get("namespace"):
        rows = rows.filter(namespace=params["namespace"])
    if params.get("repo"):
        rows = rows.filter(repo__repo_id=params["repo"])
    domain = (params.get("domain") or "").strip().lower().lstrip("@")
    if domain:
        rows = rows.filter(email__iendswith=f"@{domain}")
    text = (params.get("q") or "").strip()
    if text:
        rows = rows.filter(
            Q(username__icontains=text)
            | Q(fullname__icontains=text)
            | Q(email__icontains=text)
            | Q(repo__repo_id__icontains=text)
            | Q(fields__icontains=text)
        )
    return rows
