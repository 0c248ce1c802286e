""" "Every request matching this filter": the queue's own filter form over the mirror, limited to the namespaces
the person manages, so that the bulk decision takes exactly what the queue listed (every page of it)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import QueryDict

from .forms import QueueForm
from .models import AccessRequest, GatedRepo


def matching(params: QueryDict, namespaces: Iterable[str]) -> QuerySet[AccessRequest]:
    managed = sorted(namespaces)
    repos = list(GatedRepo.objects.filter(namespace__in=managed, gated=True).values_list("repo_id", flat=True))
    form = QueueForm(params, managed, repos)
    rows = AccessRequest.objects.filter(namespace__in=managed, repo__gated=True)
    if not form.is_valid():
        return rows.none()
    return form.filter(rows)
