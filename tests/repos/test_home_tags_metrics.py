"""The home page, the tag vocabularies and the metrics page."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_home_without_a_token_says_what_to_do_first(browsing):
    response = browsing.charlie.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connect your Hub token" in html and 'href="/account/token/"' in html
    assert browsing.hub_calls("/api/") == []


@pytest.mark.django_db
def test_home_shows_who_you_are_your_namespaces_and_recent_repos(browsing):
    browsing.hub.add_repo("alice/old-model", createdAt="2024-01-01T00:00:00Z")
    browsing.hub.add_repo("alice/new-model")
    browsing.hub.add_repo("alice/notes", type="dataset")
    html = browsing.alice.get("/").content.decode()
    assert "Alice Martin" in html and "@alice" in html and "write token" in html
    # Each namespace is one click from its listings, with the role there.
    assert 'href="/models/?author=acme"' in html and 'href="/spaces/?author=datalab"' in html
    assert ">admin</span>" in html and ">write</span>" in html
    recent = html.split("Your recently updated repos")[1]
    assert "alice/</span>new-model" in recent and "alice/</span>notes" in recent


@pytest.mark.django_db
def test_home_with_a_rejected_token_links_to_reconnect(browsing):
    browsing.hub.control("POST", "tokens/revoke", {"token": "hf_bob_read_0123456789abcdef"})
    html = browsing.bob.get("/").content.decode()
    assert "Reconnect your token" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "group", "tag"), [("/tags/models/", "Tasks", "text-classification"),
                                                    ("/tags/datasets/", "Sizes", "size_categories:")])  # fmt: skip
def test_tag_pages_group_the_vocabulary_and_link_to_filtered_listings(browsing, url, group, tag):
    html = browsing.bob.get(url).content.decode()
    assert f">{group} <span" in html
    plural = url.split("/")[2]
    assert f'href="/{plural}/?filter={tag.replace(":", "%3A")}' in html


@pytest.mark.django_db
def test_metrics_explains_that_the_hub_dropped_the_list_and_shows_the_metric_spaces(browsing):
    browsing.hub.add_repo("evaluate-metric/accuracy", type="space", sdk="gradio", likes=5)
    html = browsing.alice.get("/metrics/").content.decode()
    assert "no longer serves its metrics list" in html
    assert "evaluate-metric/</span>accuracy" in html


@pytest.mark.django_db
def test_metrics_shows_the_seeds_list_where_the_hub_still_serves_it(browsing):
    browsing.hub.control("POST", "switches", {"metrics": True})
    html = browsing.alice.get("/metrics/").content.decode()
    assert "no longer serves" not in html and "<table" in html and "accuracy" in html
