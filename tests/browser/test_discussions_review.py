"""A discussion or pull request in Chromium: it reads at 1280 and 390 px, light and dark, without sideways
scrolling of the page (a long diff line scrolls inside its own box); preview, comment and merge work in place
with htmx and the page keeps no console error (CSP included)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from huggingface_hub import CommitOperationAdd, HfApi
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.personas import ALICE_TOKEN, PASSWORD, signed_in

pytestmark = pytest.mark.browser

MALLORY_TOKEN = "hf_mallory_write_0123456789abcdef"
README = "# Bert\n\nA small model for sentiment.\n\n## Usage\n\nLoad it with transformers.\n"


@dataclass
class Review:
    browser: Browser
    base: str
    cookie: dict[str, Any]
    hub: Any
    pr: int
    discussion: int

    def page(self, width: int = 1280, scheme: str = "light") -> Page:
        context = self.browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)  # type: ignore[arg-type]
        context.add_cookies([self.cookie])
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page


@pytest.fixture
def review(browser: Browser, live_server, hub_world, transactional_db, settings) -> Iterator[Review]:
    from django.contrib.auth.models import User

    from hubdash import hub

    hub_world.add_user("mallory", fullname="Mallory", tokens={MALLORY_TOKEN: "write"})
    hub_world.add_repo("acme/bert", files={"README.md": README, "config.json": '{"layers": 2}\n'})
    outsider = HfApi(endpoint=hub_world.url, token=MALLORY_TOKEN)
    files = {
        "README.md": README.replace("Load it with transformers.", "Load it with transformers:\n\n    pipe('x')\n")
        + "\n## Limits\n\nTrained on English reviews only; "
        + "a very long line that runs past the width of a phone " * 4
        + "\n",
        "model.safetensors": bytes(range(256)) * 64,
        "tokenizer.json": "".join(f'{{"token": "t{i}", "id": {i}}}\n' for i in range(40)),
    }
    info = outsider.create_commit(
        "acme/bert",
        [CommitOperationAdd(path, c.encode() if isinstance(c, str) else c) for path, c in files.items()],
        commit_message="Document usage and add weights",
        create_pr=True,
    )
    discussion = outsider.create_discussion(
        "acme/bert",
        "Accuracy drops on long reviews",
        description="Reviews over 512 tokens score **much** worse.\n\n```python\npipe(long_text)\n```\n"
        "<script>alert(1)</script>",
    )
    HfApi(endpoint=hub_world.url, token=ALICE_TOKEN).comment_discussion(
        "acme/bert", discussion.num, "Thanks! We truncate at 512 tokens; a sliding window is on the list."
    )
    alice = User.objects.create_superuser("alice", "alice@example.com", PASSWORD)
    hub.connect_token(alice, ALICE_TOKEN)
    client = signed_in(alice)
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    yield Review(browser, live_server.url, cookie, hub_world, int(info.pr_num or 0), discussion.num)


def test_the_page_reads_at_every_width_and_scheme(review: Review) -> None:
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            page = review.page(width, scheme)
            for name, num in (("pr", review.pr), ("discussion", review.discussion)):
                page.goto(f"{review.base}/models/acme/bert/discussions/{num}/")
                expect(page.get_by_label("Comment", exact=True)).to_be_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(
                    path=str(ARTIFACTS / f"discussion-{name}-{width}-{scheme}.png"), full_page=True, caret="initial"
                )
            page.context.close()


def test_preview_comment_and_merge_happen_in_place(review: Review) -> None:
    from hubdash.activity.models import Event

    page = review.page()
    page.goto(f"{review.base}/models/acme/bert/discussions/{review.pr}/")
    page.get_by_role("link", name="Files changed").click()
    expect(page.locator("#files")).to_contain_text("tokenizer.json")
    expect(page.locator("#files")).to_contain_text("Trained on English reviews only")
    box = page.get_by_label("Comment", exact=True)
    box.fill("Looks **good**, thanks!")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("preview").locator("strong")).to_have_text("good")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment").last).to_contain_text("Looks good, thanks!")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    page.get_by_role("button", name="Merge…").click()
    expect(page.get_by_test_id("merge-confirm")).to_contain_text("into main?")
    expect(page.get_by_role("button", name="Cancel")).to_be_focused()  # a stray Enter merges nothing
    page.locator("#act").screenshot(path=str(ARTIFACTS / "discussion-merge-confirm-1280.png"), caret="initial")
    readme = page.locator("#files section[aria-label='README.md'] [data-testid=sizes]")
    before, _, after = readme.inner_text().partition(" → ")
    assert before != after  # the target branch's README, then the pull request's
    page.get_by_role("button", name="Merge into main").click()
    expect(page.get_by_test_id("status")).to_have_text("Merged")
    expect(page.get_by_test_id("done")).to_have_text(f"Merged pull request #{review.pr} into main.")
    expect(page.locator("#files .card-head")).to_contain_text("since the merge")  # read again without a reload
    expect(readme).to_have_text(f"{after} → {after}")  # main now holds the pull request's README
    page.screenshot(path=str(ARTIFACTS / "discussion-pr-merged-1280.png"), full_page=True, caret="initial")
    assert page.url.split("#")[0].endswith(f"/discussions/{review.pr}/")  # in place: no page load
    assert HfApi(endpoint=review.hub.url, token=ALICE_TOKEN).get_discussion_details("acme/bert", review.pr).status == (
        "merged"
    )
    assert Event.objects.filter(action="comment").exists() and Event.objects.filter(action="discussion").exists()


def test_from_the_inbox_a_waiting_pull_request_is_read_commented_merged_and_leaves_the_list(review: Review) -> None:
    from hubdash.discussions.jobs import refresh_all
    from hubdash.discussions.models import WatchedNamespace
    from hubdash.jobs.delegation import take_on

    HfApi(endpoint=review.hub.url, token=MALLORY_TOKEN).create_commit(
        "acme/bert",
        [CommitOperationAdd("labels.txt", b"positive\nnegative\n")],
        commit_message="Add the label names",
        create_pr=True,
    )
    from django.contrib.auth.models import User

    alice = User.objects.get(username="alice")
    WatchedNamespace.objects.create(namespace="acme", added_by=alice)
    take_on(alice, "discussions", "acme")
    refresh_all(None)  # the scheduled read of acme's repos fills the inbox
    page = review.page()
    page.goto(f"{review.base}/discussions/")
    page.get_by_label("Kind").select_option(label="Pull requests")
    expect(page).to_have_url(re.compile(r"kind=pull_request"))
    page.get_by_label("Waiting on us").select_option(label="Waiting on us")
    expect(page).to_have_url(re.compile(r"kind=pull_request.*waiting=yes"))  # the filters live in the URL
    expect(page.locator("a.disc-link")).to_have_count(2)
    expect(page.locator("a.disc-link", has_text="Accuracy drops")).to_have_count(0)  # a discussion
    page.locator("a.disc-link", has_text="Document usage and add weights").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Document usage and add weights")
    page.get_by_role("link", name="Files changed").click()
    expect(page.locator("#files")).to_contain_text("Load it with transformers:")
    page.get_by_label("Comment", exact=True).fill("Thanks, merging.")
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment").last).to_contain_text("Thanks, merging.")
    page.get_by_role("button", name="Merge…").click()
    page.get_by_role("button", name="Merge into main").click()
    expect(page.get_by_test_id("status")).to_have_text("Merged")
    page.goto(f"{review.base}/discussions/?kind=pull_request&waiting=yes")
    expect(page.locator("a.disc-link")).to_have_count(1)
    expect(page.locator("a.disc-link")).to_have_text("Add the label names")


def test_hidden_direction_characters_and_a_capped_files_list_read_at_every_width(review: Review) -> None:
    """A pull request changing 305 files, one holding a Trojan Source line, its title a U+202E: the warnings and
    the list of the files past those drawn fit a phone and a wide screen, light and dark; the inbox flags it."""
    from hubdash.discussions.jobs import refresh_all
    from hubdash.discussions.models import WatchedNamespace
    from hubdash.jobs.delegation import take_on

    trick = 'if access_level != "none\u202e \u2066// Check if admin\u2069 \u2066":\n    grant()\n'
    files = {"auth.py": trick, **{f"docs/pages/section-{n:03d}/index.md": f"Page {n}\n" for n in range(304)}}
    info = HfApi(endpoint=review.hub.url, token=MALLORY_TOKEN).create_commit(
        "acme/bert",
        [CommitOperationAdd(path, content.encode()) for path, content in files.items()],
        commit_message="Tidy the \u202eadmin check",
        create_pr=True,
    )
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            page = review.page(width, scheme)
            page.goto(f"{review.base}/models/acme/bert/discussions/{info.pr_num}/")
            warnings = page.get_by_test_id("bidi-warning")
            expect(warnings).to_have_count(2)  # the title, and auth.py
            expect(warnings.first).to_be_visible()
            flagged = page.locator("tr.bidi")
            expect(flagged).to_have_count(1)
            expect(flagged.locator(".bidi-char")).to_have_text(["U+202E", "U+2066", "U+2069", "U+2066"])
            expect(page.get_by_test_id("files-capped")).to_contain_text("changes 305 files")
            more = page.get_by_test_id("more-files")
            expect(more.locator("li")).to_have_count(5)
            expect(more.get_by_role("link", name="the whole diff")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.locator("header.review-head").screenshot(
                path=str(ARTIFACTS / f"discussion-bidi-title-{width}-{scheme}.png"), caret="initial"
            )
            page.locator("section.diff-file", has=flagged).screenshot(
                path=str(ARTIFACTS / f"discussion-bidi-file-{width}-{scheme}.png"), caret="initial"
            )
            more.screenshot(path=str(ARTIFACTS / f"discussion-more-files-{width}-{scheme}.png"), caret="initial")
            page.context.close()

    from django.contrib.auth.models import User

    alice = User.objects.get(username="alice")
    WatchedNamespace.objects.create(namespace="acme", added_by=alice)
    take_on(alice, "discussions", "acme")
    refresh_all(None)
    for width in (1280, 390):
        page = review.page(width)
        page.goto(f"{review.base}/discussions/")
        row = page.locator("tr.disc-row", has_text="admin check")
        expect(row.locator(".bidi-tag")).to_have_text("hidden direction characters")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        row.screenshot(path=str(ARTIFACTS / f"discussions-bidi-row-{width}.png"), caret="initial")
        page.context.close()
