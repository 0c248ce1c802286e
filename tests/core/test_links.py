"""Row links filled from one reverse() are the links reverse() itself makes, and they lead to the page."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse, set_script_prefix

from hubdash.core.links import PK_SAMPLE, REPO_SAMPLES, link


@pytest.mark.parametrize(
    ("name", "args", "samples"),
    [
        ("model-repo", ("acme", "bert-base"), REPO_SAMPLES),
        ("dataset-repo", ("some-org", "data.v2_final"), REPO_SAMPLES),
        ("space-repo", ("x", "y--z"), REPO_SAMPLES),
        ("activity-event", (7,), (PK_SAMPLE,)),
        ("team-role", (123456,), (PK_SAMPLE,)),
    ],
)
def test_a_filled_link_is_what_reverse_gives_and_resolves_to_the_same_view(name, args, samples):
    made = link(name, *args, samples=samples)
    assert made == reverse(name, args=list(args))
    assert resolve(made).url_name == name


def test_a_link_follows_the_script_prefix_hubdash_is_served_under():
    set_script_prefix("/hubdash/")
    try:
        assert (
            link("activity-event", 5, samples=(PK_SAMPLE,))
            == "/hubdash/activity/5/"
            == reverse("activity-event", args=[5])
        )
    finally:
        set_script_prefix("/")


def test_an_argument_is_quoted_as_reverse_would_so_it_cannot_break_out_of_the_path():
    made = link("model-repo", "acme", 'x"<y?z#', samples=REPO_SAMPLES)
    assert "?" not in made and "#" not in made and '"' not in made and "<" not in made


def test_a_sample_that_also_appears_elsewhere_in_the_url_is_refused_rather_than_misplaced():
    # "/models/m/n/": the "m" of "models" would be taken for the namespace.
    with pytest.raises(ValueError, match="exactly once"):
        link("model-repo", "acme", "bert", samples=("m", "n"))
