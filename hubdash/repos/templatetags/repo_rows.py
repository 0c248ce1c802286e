"""A repo's line in a list (listings, home, metrics): `{% load repo_rows %}`.

Built here rather than by template tags and filters, as the feed's lines and the Team rows are: a listing
draws up to a hundred rows, at about half a millisecond of template work each, which was most of a cold
page's time. Plain strings and one escape per value (`core.markup.text`, the same escaping as Django's). The switches
that rows of the person's own repos carry (`row_switches`) are built here too: in a team's listing most
rows are its own, and as templates they cost four times the rest of the row.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from hubdash.core.links import REPO_SAMPLES, link
from hubdash.core.markup import text
from hubdash.core.templatetags.ui import compact
from hubdash.hub.repo_types import RepoSummary

from .repo_links import kind_icon, plain

register = template.Library()
GATING_WORDS = {"manual": "by hand", "auto": "automatically"}


def _icon(name: str, size: int = 16) -> str:
    """An icon from the page's sprite (repos/_row_icons.html)."""
    return f'<svg width="{size}" height="{size}" aria-hidden="true"><use href="#icon-{name}"></use></svg>'


@register.simple_tag
def repo_line(repo: RepoSummary, visibility: str = "") -> SafeString:
    """The icon, name, badges, chips, figures and config of one repo: everything but its switches."""
    namespace, _, name = repo.id.partition("/")
    href = link(f"{repo.kind}-repo", namespace, name, samples=REPO_SAMPLES)
    return mark_safe(  # noqa: S308 (every value is escaped by text())
        f'<span class="repo-icon">{_icon("outline-" + kind_icon(repo.kind), 24)}</span>'
        '<div class="repo-body">'
        f'<p class="repo-title"><a href="{text(href)}">'
        f'<span class="ns">{text(repo.namespace)}/</span>{text(repo.name)}</a>'
        f"{_badges(repo, visibility)}</p>{_chips(repo)}{_meta(repo)}{_config(repo)}"
    )


@register.simple_tag
def repo_item(
    repo: RepoSummary,
    writable: Container[str] = frozenset(),
    visibility: str = "",
    protected: Container[str] = frozenset(),
) -> SafeString:
    """A repo's whole row in a list (listings, home, metrics): its line and, when the person may write
    it, its switches. A switch's answer, which may carry a message or a confirmation, is drawn by
    `repos/_repo_item.html` around the same parts. `protected`: the readable Spaces hubdash last saw
    answered as protected (repo info cannot tell)."""
    if repo.id in protected and not repo.private:
        visibility = "protected"
    settings = ""
    if repo.namespace in writable:
        settings = f'<div class="row-settings" aria-live="polite">{row_switches(repo, visibility)}</div>'
    return mark_safe(f'<li class="repo-item">{repo_line(repo, visibility)}{settings}</div></li>')  # noqa: S308 (built from escaped parts)


@register.simple_tag
def row_switches(repo: RepoSummary, visibility: str = "") -> SafeString:
    """A writable row's visibility and gating switches. With htmx each posts and is answered by the row
    (`repos/_repo_item.html`): a change asks first in the row (`repos/_confirm_change.html`). The rows are
    cached HTML without a CSRF token (htmx sends the page's), so without JavaScript each switch is a GET form:
    it opens a page that asks, whose form carries the token."""
    namespace, _, name = repo.id.partition("/")
    visibility_url = text(link(f"{repo.kind}-visibility", namespace, name, samples=REPO_SAMPLES))
    gating_url = text(link(f"{repo.kind}-gating", namespace, name, samples=REPO_SAMPLES))
    # What the listing showed of the repo, so that its answer draws the row the same way.
    layout = (', "full": "1"' if repo.sha or repo.files else "") + (', "config": "1"' if repo.config else "")
    protected = visibility == "protected"
    was = ', "was": "protected"' if protected else ""
    buttons = []
    if repo.private or protected:
        buttons.append(_switch(visibility_url, "visibility", "public", was + layout, "Make public"))
    if not repo.private:
        buttons.append(_switch(visibility_url, "visibility", "private", was + layout, "Make private"))
    if repo.kind == "space" and not protected:
        buttons.append(_switch(visibility_url, "visibility", "protected", layout, "Make protected"))
    gating = [
        _switch(gating_url, "gating", value, layout, label, pressed=(repo.gated or "off") == value)
        for value, label in (("off", "Off"), ("auto", "Automatic"), ("manual", "Manual"))
    ]
    return mark_safe(  # noqa: S308 (the repo id is escaped by text(); the rest is fixed)
        f'<form class="row-switch row-visibility" method="get" action="{visibility_url}" role="group" '
        f'aria-label="Visibility of {text(repo.id)}">'
        f'<span class="row-switch-label" aria-hidden="true">Visibility</span>{"".join(buttons)}</form>'
        f'<form class="row-switch row-gating" method="get" action="{gating_url}" role="group" '
        f'aria-label="Gating of {text(repo.id)}">'
        f'<span class="row-switch-label" aria-hidden="true">Gating</span>{"".join(gating)}</form>'
    )


def _switch(url: str, field: str, value: str, more: str, label: str, pressed: bool | None = None) -> str:
    """One switch: a submit button of its GET form, which htmx turns into a post answered by the row.
    `more`: further fixed JSON members for the post."""
    state = "" if pressed is None else f' aria-pressed="{"true" if pressed else "false"}"'
    return (
        f'<button type="submit" name="{field}" value="{value}" class="small"{state} hx-post="{url}" '
        f'hx-vals=\'{{"place": "row", "{field}": "{value}"{more}}}\' hx-target="closest .repo-item" '
        f'hx-swap="outerHTML">{label}</button>'
    )


def _badges(repo: RepoSummary, visibility: str) -> str:
    html = ""
    if repo.private:
        html += ' <span class="badge private">private</span>'
    elif visibility == "protected":
        html += ' <span class="badge protected" title="Its app is public, its files private">protected</span>'
    if repo.gated:
        words = GATING_WORDS.get(repo.gated, repo.gated)
        html += f' <span class="badge gated" title="Access requests are approved {text(words)}">'
        html += f"gated ({text(repo.gated)})</span>"
    return html


def _chips(repo: RepoSummary) -> str:
    chips = [("task", repo.task), ("library", repo.library), ("library", repo.sdk)]
    html = "".join(f'<span class="chip {kind}">{text(value)}</span>' for kind, value in chips if value)
    return f'<p class="repo-chips">{html}</p>' if html else ""


def _meta(repo: RepoSummary) -> str:
    parts = []
    if repo.last_modified:
        when = timezone.localtime(repo.last_modified)
        parts.append(
            f'<span>{_icon("micro-clock")} Updated <time datetime="{when.isoformat()}" '
            f'title="{when:%Y-%m-%d %H:%M} UTC">{text(naturaltime(repo.last_modified))}</time></span>'
        )
    if repo.downloads is not None:
        parts.append(
            f'<span title="{repo.downloads:,} downloads">{_icon("micro-arrow-down-tray")} '
            f"{text(compact(repo.downloads))}"
            '<span class="visually-hidden"> downloads</span></span>'
        )
    parts.append(
        f'<span title="{repo.likes:,} likes">{_icon("micro-heart")} {text(compact(repo.likes))}'
        '<span class="visually-hidden"> likes</span></span>'
    )
    if repo.sha:
        parts.append(f'<span title="Latest commit">{_icon("micro-hashtag")} <code>{text(repo.sha[:7])}</code></span>')
    if repo.files:
        count = len(repo.files)
        parts.append(f"<span>{_icon('micro-document')} {count} file{'' if count == 1 else 's'}</span>")
    return '<p class="repo-meta">' + " ".join(parts) + "</p>"


def _config(repo: RepoSummary) -> str:
    if not repo.config:
        return ""
    config: Any = repo.config
    model_type = config.get("model_type")
    facts = "".join(f"<dt>{text(key)}</dt><dd><code>{text(plain(value))}</code></dd>" for key, value in config.items())
    return (
        f'<details class="repo-config"><summary>Config{": " + text(model_type) if model_type else ""}</summary>'
        f'<dl class="facts">{facts}</dl></details>'
    )
