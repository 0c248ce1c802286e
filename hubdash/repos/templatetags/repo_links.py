"""Links between repo pages: `{% load repo_links %}`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()

KIND_ICONS = {"model": "cube", "dataset": "circle-stack", "space": "rocket-launch"}


@register.simple_tag
def repo_url(
    kind: str, repo_id: str, page: str = "repo", path: str = "", revision: str | None = None, **query: str
) -> str:
    """A hubdash page of a repo (`repo`, `files`, `history`, `download`), at `revision` when one was asked for."""
    namespace, _, name = repo_id.partition("/")
    args = [namespace, name] + ([path] if path else [])
    url = reverse(f"{kind}-{page}", args=args)
    params = {**({"revision": revision} if revision else {}), **{k: v for k, v in query.items() if v}}
    return url + ("?" + urlencode(params) if params else "")


@register.simple_tag
def list_url(kind: str, **query: str) -> str:
    url = reverse(f"{kind}-list")
    params = {k: v for k, v in query.items() if v}
    return url + ("?" + urlencode(params) if params else "")


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "cube")


@register.filter
def plain(value: Any) -> str:
    """Card metadata and config values as people read them: lists joined, objects as compact JSON."""
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict | list | tuple):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return text if len(text) <= 300 else text[:299] + "…"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value is None or value == "" else str(value)
