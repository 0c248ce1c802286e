"""Repos' rows in a list (listings, home, metrics): `{% load repo_rows %}{% repo_items repos writable protected %}`.

A listing draws up to a hundred rows: they are drawn by Jinja2 (templates/jinja2/repos/rows.html), as fast as
strings built by hand and escaped the same way (hubdash.lists).
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from django import template
from markupsafe import Markup

from hubdash.core import row_figures
from hubdash.hub.repo_types import RepoSummary
from hubdash.lists import render_list

register = template.Library()


@register.simple_tag
def repo_items(
    repos: Iterable[RepoSummary],
    writable: Container[str] = frozenset(),
    protected: Container[str] = frozenset(),
    select: bool = False,
) -> Markup:
    """The rows of `repos`, with switches on those the person may write (`writable`: namespaces).
    `protected`: the readable Spaces hubdash last saw answered as protected (repo info cannot tell).
    `select`: a box on each row to tick it for a bulk plan (a listing's action bar)."""
    repos = list(repos)
    # Figures other apps add to rows (the usage app's trend), asked once for all the rows of the list.
    figures = row_figures.for_rows([(repo.kind, repo.id) for repo in repos])
    return render_list("repos/rows.html", "items", repos, writable, protected, figures.get("trend", {}), select)
