"""The long lists (listing and home rows, facets, feed lines, Team rows): their Jinja2 environment, and
`render_list`, which hands a list drawn by it to a Django page.

A Django template costs a few hundred microseconds a row, too much for thirty rows in a cold page's
budget; Django's own Jinja2 backend draws a row in 50-90 µs, with autoescaping on (settings.TEMPLATES).
The rest of every page stays a Django template. Beside settings and urls because its filters come from
several apps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils import timezone
from django.utils.text import Truncator
from jinja2 import Environment
from markupsafe import Markup

from hubdash.core.links import PK_SAMPLE, REPO_SAMPLES, link
from hubdash.core.templatetags.ui import asset, compact, initials, kind_icon, plain


def environment(**options: Any) -> Environment:
    # Escaping is on whatever the settings say: these templates draw what the Hub and webhooks sent.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(link=link, static=asset, PK_SAMPLE=PK_SAMPLE, REPO_SAMPLES=REPO_SAMPLES)
    env.filters.update(
        compact=compact,
        initials=initials,
        kind_icon=kind_icon,
        plain=plain,
        naturaltime=naturaltime,
        localtime=_localtime,
        truncatechars=lambda value, length: Truncator(value).chars(length),
    )
    return env


def _localtime(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def render_list(template_name: str, macro: str, *args: Any) -> Markup:
    """`macro(*args)` of a Jinja2 template: a list whose every value was escaped there. A macro of an
    autoescaping environment answers `Markup`, which Django's templates take as already escaped."""
    backend = engines["jinja2"]
    assert isinstance(backend, Jinja2)
    drawn: Markup = getattr(backend.env.get_template(template_name).module, macro)(*args)
    return drawn
