"""Repo pages by revision: facts, files, card, history, downloads; what the Hub refuses; hostile cards."""

from __future__ import annotations

import re

import pytest
from huggingface_hub import HfApi

from tests.personas import ALICE_TOKEN

CARD = """---
license: mit
language: [en, fr]
---
# Tiny BERT

A **small** model. See [the docs](docs/usage.md) and ![logo](logo.png).

| metric | value |
|---|---|
| accuracy | 0.91 |
"""


@pytest.fixture
def bert(browsing):
    """acme/bert-tiny with a card, a folder, a binary file, two commits, a tag v1 on the first and a dev branch."""
    browsing.hub.add_repo(
        "acme/bert-tiny",
        pipeline_tag="fill-mask",
        library_name="transformers",
        downloads=4200,
        likes=12,
        config={"model_type": "bert"},
        files={
            "README.md": CARD,
            "config.json": '{"model_type": "bert", "note": "<script>alert(1)</script>"}',
            "docs/usage.md": "Use it.",
            "weights.bin": {"size": 3_000_000},
        },
    )
    api = HfApi(endpoint=browsing.hub.url, token=ALICE_TOKEN)
    first = api.model_info("acme/bert-tiny").sha
    api.create_tag("acme/bert-tiny", tag="v1", revision=first)
    api.create_branch("acme/bert-tiny", branch="dev")
    api.upload_file(path_or_fileobj=b"second", path_in_repo="notes.txt", repo_id="acme/bert-tiny",
                    commit_message="Add notes")  # fmt: skip
    latest = api.model_info("acme/bert-tiny").sha
    browsing.forget_calls()
    return {"first": first, "latest": latest}


@pytest.mark.django_db
def test_a_repo_page_shows_facts_card_and_files(browsing, bert):
    response = browsing.alice.get("/models/acme/bert-tiny/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="repo-name"><span class="ns">acme/</span>bert-tiny</h1>' in html
    assert bert["latest"][:12] in html  # the page states the commit it shows
    assert "fill-mask" in html and "transformers" in html and "4,200" in html
    assert "<td>0.91</td>" in html  # the card's table rendered
    assert "<strong>small</strong>" in html
    assert "license: mit" not in html.split('class="markdown"')[1].split("</article>")[0]  # front matter is metadata
    assert "Card metadata" in html and "en, fr" in html
    assert "docs/" in html and "weights.bin" in html and "LFS" in html
    assert "2.9\xa0MB" in html or "2.9 MB" in html


@pytest.mark.django_db
def test_a_repo_page_costs_at_most_four_hub_calls_cold_and_none_warm(browsing, bert):
    browsing.alice.get("/models/acme/bert-tiny/")
    cold = browsing.hub_calls("/")
    assert len(cold) <= 4, cold
    browsing.forget_calls()
    browsing.alice.get("/models/acme/bert-tiny/")
    assert browsing.hub_calls("/") == []


@pytest.mark.django_db
def test_the_revision_picker_lists_branches_and_tags_and_an_old_revision_shows_its_commit(browsing, bert):
    html = browsing.alice.get("/models/acme/bert-tiny/").content.decode()
    assert '<option value="v1">tag</option>' in html and '<option value="dev">branch</option>' in html
    old = browsing.alice.get("/models/acme/bert-tiny/?revision=v1").content.decode()
    assert bert["first"][:12] in old and "of <strong>v1</strong>" in old
    assert "notes.txt" not in old  # the file added after v1 is not there
    by_sha = browsing.alice.get(f"/models/acme/bert-tiny/files/?revision={bert['first'][:10]}").content.decode()
    assert bert["first"][:12] in by_sha and "notes.txt" not in by_sha


@pytest.mark.django_db
def test_a_missing_revision_is_a_404_that_says_so(browsing, bert):
    response = browsing.alice.get("/models/acme/bert-tiny/?revision=no-such-branch")
    assert response.status_code == 404
    assert "That revision does not exist on the Hub" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/models/acme/nothing-here/", "/datasets/acme/bert-tiny/", "/models/a--b/c/"])
def test_a_missing_repo_is_a_404_page(browsing, bert, url):
    response = browsing.alice.get(url)
    assert response.status_code == 404
    assert "The Hub answers alike for a repo that does not exist and one your token may not see" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_a_private_repo_needs_a_token_that_may_see_it(browsing):
    browsing.hub.add_repo("datalab/secret-model", private=True, files={"README.md": "# Secret"})
    assert browsing.alice.get("/models/datalab/secret-model/").status_code == 200
    for client in (browsing.bob, browsing.charlie):
        response = client.get("/models/datalab/secret-model/")
        assert response.status_code == 404
        assert "Secret" not in response.content.decode()
        # The fragment and download endpoints refuse exactly what the page refuses.
        assert client.get("/models/datalab/secret-model/history/", HTTP_HX_REQUEST="true").status_code == 404
        assert client.get("/models/datalab/secret-model/download/README.md").status_code == 404
        assert client.get("/models/datalab/secret-model/files/README.md?view=file").status_code == 404


@pytest.mark.django_db
def test_a_gated_repo_shows_its_facts_but_not_its_files_until_access_is_granted(browsing):
    browsing.hub.add_repo("datalab/gated-llm", gated="manual", files={"README.md": "# Gated", "model.bin": "x"})
    page = browsing.bob.get("/models/datalab/gated-llm/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "gated (manual)" in html and "model.bin" in html  # metadata and the card are public on the Hub
    download = browsing.bob.get("/models/datalab/gated-llm/download/model.bin")
    assert download.status_code == 403
    assert "This repository is gated: ask for access on the Hub first." in download.content.decode()
    assert f'href="{browsing.hub.url}/datalab/gated-llm"' in download.content.decode()  # where to ask
    preview = browsing.bob.get("/models/datalab/gated-llm/files/model.bin?view=file")
    assert preview.status_code == 403 and "gated" in preview.content.decode()
    browsing.hub.control("POST", "gated-access", {"id": "datalab/gated-llm", "type": "model", "user": "bob"})
    approved = browsing.bob.get("/models/datalab/gated-llm/download/model.bin")
    assert approved.status_code == 200 and b"".join(approved.streaming_content) == b"x"


@pytest.mark.django_db
def test_folders_open_and_text_files_show_in_place_escaped(browsing, bert):
    folder = browsing.alice.get("/models/acme/bert-tiny/files/docs")
    assert folder.status_code == 200 and "usage.md" in folder.content.decode()
    text = browsing.alice.get("/models/acme/bert-tiny/files/config.json?view=file").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert(1)" not in text
    binary = browsing.alice.get("/models/acme/bert-tiny/files/weights.bin?view=file").content.decode()
    assert "cannot be shown here" in binary
    missing = browsing.alice.get("/models/acme/bert-tiny/files/nope")
    assert missing.status_code == 404 and "There is no “nope” at this revision." in missing.content.decode()


@pytest.mark.django_db
def test_downloads_stream_through_hubdash_with_the_persons_token(browsing, bert):
    response = browsing.alice.get("/models/acme/bert-tiny/download/weights.bin")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="weights.bin"')
    assert response["Content-Length"] == "3000000"
    body = b"".join(response.streaming_content)
    assert len(body) == 3_000_000
    assert ALICE_TOKEN.encode() not in body
    resolves = browsing.hub_calls("/acme/bert-tiny/resolve/")
    assert resolves and resolves[-1]["user"] == "alice"


@pytest.mark.django_db
def test_an_image_in_hub_markdown_pointing_at_hubdash_fetches_nothing_with_the_viewers_session(browsing, bert):
    """A card or comment may hold ![x](https://<hubdash>/models/…/download/…): the viewer's browser would fetch it
    as an image with their session. Browsers say so in Sec-Fetch-Dest; hubdash refuses, before any Hub call."""
    url = "/models/acme/bert-tiny/download/weights.bin"
    browsing.hub.control("DELETE", "requests")
    as_image = browsing.alice.get(url, headers={"Sec-Fetch-Dest": "image", "Sec-Fetch-Site": "same-origin"})
    assert as_image.status_code == 403
    assert browsing.hub_calls("/acme/bert-tiny/") == []
    clicked = browsing.alice.get(url, headers={"Sec-Fetch-Dest": "document"})
    assert clicked.status_code == 200 and browsing.hub_calls("/acme/bert-tiny/resolve/")
    assert len(b"".join(clicked.streaming_content)) == 3_000_000  # read to the end: its download place is freed
    page = browsing.alice.get("/models/acme/bert-tiny/", headers={"Sec-Fetch-Dest": "document"})
    assert page.status_code == 200


@pytest.mark.django_db
def test_history_lists_commits_with_authors_dates_and_links_to_the_hub(browsing, bert):
    html = browsing.alice.get("/models/acme/bert-tiny/history/").content.decode()
    assert "Add notes" in html and "initial commit" in html
    assert f"/acme/bert-tiny/commit/{bert['latest']}" in html
    assert re.search(r"<time datetime=", html)
    old = browsing.alice.get("/models/acme/bert-tiny/history/?revision=v1").content.decode()
    assert "Add notes" not in old


@pytest.mark.django_db
def test_a_hostile_card_renders_inert(browsing, demo_hub):
    from hubdash import hub

    demo_hub.add_user("alice", orgs={"acme": "admin"}, tokens={ALICE_TOKEN: "write"})
    html = browsing.alice.get("/models/mallory/friendly-model/").content.decode()
    card = html.split('<article class="markdown" hx-disable>')[1].split("</article>")[0]
    assert card.strip()
    assert not re.search(r"<script|<iframe|<form|<object|<embed|<style", card, re.I)
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):", card, re.I)
    assert not re.search(r"\son\w+\s*=", card, re.I)
    assert not re.search(r"\shx-[\w-]+\s*=|\sdata-hx-", card, re.I)
    assert hub  # the import above keeps the token helpers loaded for the reset world


@pytest.mark.django_db
def test_hub_failures_on_a_repo_page_fill_only_the_region_that_needed_the_hub(browsing, bert):
    browsing.hub.fault(method="GET", path="/acme/bert-tiny/resolve/*", status=503)
    response = browsing.alice.get("/models/acme/bert-tiny/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="hub-error"' in html and "The Hub is having trouble" in html
    assert "weights.bin" in html and "Facts" in html  # the rest of the page still renders


@pytest.mark.django_db
def test_a_space_shows_its_sdk_and_runtime(browsing):
    browsing.hub.add_repo("acme/demo", type="space", sdk="gradio")
    html = browsing.alice.get("/spaces/acme/demo/").content.decode()
    assert "SDK" in html and "gradio" in html and "Runtime" in html


@pytest.mark.django_db
def test_a_renamed_repo_sends_you_to_its_new_name(browsing, bert):
    HfApi(endpoint=browsing.hub.url, token=ALICE_TOKEN).move_repo("acme/bert-tiny", "acme/bert-tiny-v2")
    response = browsing.alice.get("/models/acme/bert-tiny/files/docs?revision=main")
    assert response.status_code == 302
    assert response["Location"] == "/models/acme/bert-tiny-v2/files/docs?revision=main"
    assert browsing.alice.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_folders_with_spaces_or_equals_signs_and_empty_files_open(browsing):
    browsing.hub.add_repo(
        "acme/parquet", type="dataset", files={"year=2024/part 1.csv": "a,b\n", "empty.txt": "", "docs/é.md": "é"}
    )
    folder = browsing.alice.get("/datasets/acme/parquet/files/year=2024")
    assert folder.status_code == 200 and "part 1.csv" in folder.content.decode()
    empty = browsing.alice.get("/datasets/acme/parquet/files/empty.txt?view=file")
    assert empty.status_code == 200 and "0\xa0bytes" in empty.content.decode()
    assert browsing.alice.get("/datasets/acme/parquet/files/docs/é.md?view=file").status_code == 200
    download = browsing.alice.get("/datasets/acme/parquet/download/docs/é.md")
    assert download["Content-Disposition"] == "attachment; filename=\"_.md\"; filename*=UTF-8''%C3%A9.md"
    assert b"".join(download.streaming_content) == "é".encode()  # read to the end, which closes it
    assert browsing.alice.get("/datasets/acme/parquet/files/../../etc").status_code == 404


@pytest.mark.django_db
def test_a_card_cannot_borrow_hubdash_classes(browsing):
    browsing.hub.add_repo(
        "acme/sneaky", files={"README.md": '<code class="nav-sheet menu-panel language-python">x</code>'}
    )
    html = browsing.alice.get("/models/acme/sneaky/").content.decode()
    card = html.split('<article class="markdown" hx-disable>')[1].split("</article>")[0]
    assert '<code class="language-python">x</code>' in card


@pytest.mark.django_db
def test_downloads_at_once_are_bounded_and_each_frees_its_place_when_done(browsing, bert):
    from hubdash.hub import repos as hub_repos

    open_ones = [browsing.alice.get("/models/acme/bert-tiny/download/config.json")
                 for _ in range(hub_repos.DOWNLOADS_PER_PROCESS)]  # fmt: skip
    busy = browsing.alice.get("/models/acme/bert-tiny/download/config.json")
    assert busy.status_code == 503 and "busy with other downloads" in busy.content.decode()
    for response in open_ones:  # read to the end: the test client then closes each, as a WSGI server does
        assert b"".join(response.streaming_content).startswith(b'{"model_type"')
    again = browsing.alice.get("/models/acme/bert-tiny/download/config.json")
    assert again.status_code == 200 and b"".join(again.streaming_content)


@pytest.mark.django_db
def test_a_fine_grained_token_may_write_only_where_a_scope_says_so(hub_world, alice):
    from django.test import RequestFactory

    from hubdash import hub
    from hubdash.repos.access import may_write
    from tests.personas import FINE_TOKEN

    hub.connect_token(alice, FINE_TOKEN)
    request = RequestFactory().get("/")
    request.user = alice
    assert may_write(request, "acme") is True  # repo.write on org acme
    assert may_write(request, "datalab") is False


@pytest.mark.django_db
def test_a_repo_whose_default_branch_is_not_main_still_shows_its_card_and_files(browsing):
    browsing.hub.add_repo("acme/trunk-based", files={"README.md": "# On trunk", "weights.bin": {"size": 10}})
    # hubsim's default branch is always main: have the Hub answer as it does for a repo without one.
    no_main = {
        "status": 404,
        "headers": {"X-Error-Code": "RevisionNotFound"},
        "body": '{"error": "Invalid rev id: main"}',
    }
    browsing.hub.fault(method="GET", path="/api/models/acme/trunk-based/tree/main", **no_main)
    browsing.hub.fault(method="GET", path="/acme/trunk-based/resolve/main/README.md", **no_main)
    html = browsing.alice.get("/models/acme/trunk-based/").content.decode()
    assert "On trunk" in html and "weights.bin" in html and 'class="hub-error"' not in html


@pytest.mark.django_db
def test_a_files_address_without_view_file_opens_the_file(browsing, bert):
    """As typed, or as the Hub shapes it: the file, not "There is no 'config.json' at this revision"."""
    typed = browsing.alice.get("/models/acme/bert-tiny/files/config.json")
    assert typed.status_code == 200
    html = typed.content.decode()
    assert "There is no" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    nested = browsing.alice.get("/models/acme/bert-tiny/files/docs/usage.md").content.decode()
    assert "Use it." in nested
    shaped = browsing.alice.get("/models/acme/bert-tiny/blob/main/config.json", follow=True)
    assert shaped.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in shaped.content.decode()
    at_tag = browsing.alice.get("/models/acme/bert-tiny/blob/v1/config.json")
    assert at_tag["Location"] == "/models/acme/bert-tiny/files/config.json?revision=v1"
    missing = browsing.alice.get("/models/acme/bert-tiny/files/nope.json")
    assert missing.status_code == 404 and "There is no “nope.json” at this revision." in missing.content.decode()


@pytest.mark.django_db
def test_the_revision_line_names_a_commit_once_and_a_branch_or_tag_beside_it(browsing, bert):
    by_sha = browsing.alice.get(f"/models/acme/bert-tiny/?revision={bert['first']}").content.decode()
    line = re.sub(r"<[^>]+>", "", by_sha.split("Showing commit", 1)[1].split("</span>", 1)[0])
    assert line.strip() == bert["first"][:12]  # not "abc123 of abc123…"
    at_tag = browsing.alice.get("/models/acme/bert-tiny/?revision=v1").content.decode()
    assert "<strong>v1</strong>" in at_tag.split("Showing commit", 1)[1].split("</span>", 1)[0]


@pytest.mark.django_db
def test_a_repo_whose_readme_has_only_metadata_is_not_told_it_has_no_card(browsing):
    browsing.hub.add_repo("acme/readme-only", files={"README.md": "---\nlicense: mit\n---\n"})
    html = browsing.alice.get("/models/acme/readme-only/").content.decode()
    assert "has no card" not in html
    assert "Its card (README.md) has no text yet" in html
    browsing.hub.add_repo("acme/no-readme", files={"config.json": "{}"})
    assert "This repo has no card (README.md)." in browsing.alice.get("/models/acme/no-readme/").content.decode()
