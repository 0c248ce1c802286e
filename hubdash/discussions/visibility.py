"""Whose eyes a private repo's discussions are for, and the links each row of the inbox needs.

A private repo's items are shown to people whose own Hub rights may read the repo: their Hub account and its
organisations (any role but `no_access`), from a whoami no older than the identity period (the cached answer,
else one call per period). When the Hub cannot say, their own account only: someone who left an organisation
does not keep its private discussions. Admins without those rights see how many there are, nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse

from hubdash.core.links import PK_SAMPLE, REPO_SAMPLES, link

if TYPE_CHECKING:
    from .models import Discussion


def visible(readable: frozenset[str]) -> Q:
    """The rows one may see: public repos' items, and private ones of the namespaces one may read."""
    return Q(private=False) | Q(namespace__in=readable)


def item_url(row: Discussion) -> str:
    """The page of one discussion or pull request in hubdash."""
    namespace, _, name = row.repo_id.partition("/")
    return link(f"{row.repo_type}-discussion", namespace, name, row.num, samples=(*REPO_SAMPLES, PK_SAMPLE))


def tab_url(row: Discussion) -> str:
    """The repo's Discussions tab."""
    namespace, _, name = row.repo_id.partition("/")
    return reverse("discussions-repo", args=[row.repo_type, namespace, name])
