"""The Team table's rows: `{% load team_rows %}{% team_rows rows can_manage %}`, drawn by Jinja2
(templates/jinja2/team/team_rows.html): a team of fifty drew fifty rows of some forty template
nodes each, most of the page's time in Django's templates (hubdash.lists)."""

from __future__ import annotations

from typing import Any

from django import template
from markupsafe import Markup

from hubdash.lists import render_list

register = template.Library()


@register.simple_tag
def team_rows(rows: list[dict[str, Any]], can_manage: bool) -> Markup:
    return render_list("team/team_rows.html", "rows", rows, can_manage)
