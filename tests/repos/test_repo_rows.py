"""A repo's line in a list, as the listing, home and metrics pages draw it: what the Hub sent is shown as
text (never markup), and the line links to the repo's page."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

from django.template.loader import render_to_string
from django.urls import reverse

from hubdash.hub.repo_types import RepoSummary

HOSTILE = '<img src=x onerror="alert(1)">'


def line(repo: RepoSummary, **context: object) -> str:
    return render_to_string("repos/_repo_item.html", {"repo": repo, "writable": set(), **context})


def test_what_the_hub_sent_is_text_never_markup():
    repo = RepoSummary(
        kind="model",
        id="acme/bert",
        task=HOSTILE,
        library=HOSTILE,
        sha=HOSTILE,
        config={HOSTILE: HOSTILE, "model_type": HOSTILE},
    )
    html = line(repo)
    assert "<img" not in html
    # task, library, the config summary's model type, and the config table's key and two values
    assert unescape(html).count(HOSTILE) == 6  # shown as the text it is
    assert "<code>&lt;img sr</code>" in html  # the sha: its first seven characters, escaped


def test_the_line_links_to_the_repo_and_shows_its_figures_and_badges():
    repo = RepoSummary(
        kind="dataset",
        id="acme/corpus",
        private=True,
        gated="manual",
        downloads=1_234_567,
        likes=999,
        last_modified=datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        files=("a", "b"),
    )
    html = line(repo)
    assert f'href="{reverse("dataset-repo", args=["acme", "corpus"])}"' in html
    assert '<span class="badge private">private</span>' in html
    assert 'title="Access requests are approved by hand">gated (manual)' in html
    assert 'title="1,234,567 downloads"' in html and "1.2M" in html
    assert 'title="999 likes"' in html and "999<span" in html
    assert '<time datetime="2026-01-02T03:04:00+00:00" title="2026-01-02 03:04 UTC">' in html
    assert "2 files" in html


def test_a_protected_space_says_so_right_after_the_hub_said_it():
    repo = RepoSummary(kind="space", id="acme/demo")
    assert "protected" not in line(repo)
    assert '<span class="badge protected"' in line(repo, visibility="protected")
