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
from typing import cast

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver

from hubdash.activity.templatetags.activity_tags import activity_icons
from hubdash.core.templatetags import icons
from hubdash.hub import transport
from hubdash.hub.repo_types import KINDS
from hubdash.repos.templatetags.repo_links import kind_icon

_ICON_TAG = re.compile(r'\{%\s*heroicon_(micro|mini|outline|solid)\s+"([a-z0-9-]+)"')
_SPRITE_TAG = re.compile(r"\{%\s*icon_sprite\s+([^%]+)%\}")


def warm_up() -> None:
    get_resolver().reverse_dict  # noqa: B018 (imports every view, and builds what reverse() reads)
    transport.ssl_context()
    for root in map(Path, cast("list[Path]", settings.TEMPLATES[0]["DIRS"])):
        for path in sorted(root.rglob("*.html")):
            get_template(path.relative_to(root).as_posix())
            _read_icons(path.read_text())
    # The icons named in code rather than in templates: a repo header's kind, the feed's events.
    for kind in KINDS:
        icons.heroicon_outline(kind_icon(kind))
    activity_icons()


def _read_icons(source: str) -> None:
    """Each icon the template names, read once from the package (sizes and attributes cost nothing after)."""
    for style, name in _ICON_TAG.findall(source):
        getattr(icons, f"heroicon_{style}")(name)
    for arguments in _SPRITE_TAG.findall(source):
        icons.icon_sprite(*re.findall(r'"([^"]+)"', arguments))
