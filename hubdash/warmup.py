"""What every page needs, loaded before the first request: the views and URL patterns, the compiled
templates, the icons, the certificates the Hub's client trusts.

gunicorn calls `warm_up()` in its master before the workers fork (hubdash/gunicorn.conf.py), so each
worker starts with all of it. Loaded lazily instead, the first pages after a restart under load were
each a worker's 16 threads compiling the same templates and reading the same icons from the heroicons
package's zip (28 ms per icon) at once: seconds of CPU before the first answer.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.template import engines
from django.urls import get_resolver

from hubdash.core.templatetags import icons
from hubdash.core.templatetags.ui import kind_icon
from hubdash.hub import transport
from hubdash.hub.repo_types import KINDS

_ICON_TAG = re.compile(r'\{%\s*heroicon_(micro|mini|outline|solid)\s+"([a-z0-9-]+)"')
_SPRITE_TAG = re.compile(r"\{%\s*icon_sprite\s+([^%]+)%\}")


def warm_up() -> None:
    get_resolver().reverse_dict  # noqa: B018 (imports every view, and builds what reverse() reads)
    transport.ssl_context()
    # Each engine compiles its own templates: the Jinja2 lists' folder lies inside the Django templates'.
    roots = {Path(folder): backend for backend in engines.all() for folder in backend.dirs}
    for root, backend in roots.items():
        inner = [other for other in roots if other != root and other.is_relative_to(root)]
        for path in sorted(root.rglob("*.html")):
            if not any(path.is_relative_to(other) for other in inner):
                backend.get_template(path.relative_to(root).as_posix())
                _read_icons(path.read_text())
    # The icons named in code rather than in templates: a repo header's kind, the feed's events.
    for kind in KINDS:
        icons.heroicon_outline(kind_icon(kind))
    # The feed's event icons come from its own tag library, drawn once here by name as its templates do
    # (project-level code imports no app).
    engines["django"].from_string("{% load activity_tags %}{% activity_icons %}").render()


def _read_icons(source: str) -> None:
    """Each icon the template names, read once from the package (sizes and attributes cost nothing after)."""
    for style, name in _ICON_TAG.findall(source):
        getattr(icons, f"heroicon_{style}")(name)
    for arguments in _SPRITE_TAG.findall(source):
        icons.icon_sprite(*re.findall(r'"([^"]+)"', arguments))
