"""Links between repo pages: `{% load repo_links %}`."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from hubdash.core.templatetags.ui import kind_icon, plain

register = template.Library()


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


# Shared with the long lists (hubdash.lists), which may import no app: they live in core's `ui` library.
register.filter("kind_icon", kind_icon)
register.filter("plain", plain)
