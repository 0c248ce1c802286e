"""Acting on a discussion or pull request as oneself: each action changes the Hub, is in the feed and in the
inbox's mirror at once; the Hub's refusals are said where the action was, the typed comment kept."""

from __future__ import annotations

import re

from hubdash.activity.models import Event
from hubdash.discussions.models import Discussion
from tests.discussions.review_world import CARL_TOKEN, MALLORY_TOKEN, PAGE, REPO, review
from tests.personas import ALICE_TOKEN

__all__ = ["review"]

HX = {"HTTP_HX_REQUEST": "true"}


def _text(response) -> str:
    return response.content.decode()


def _status(html: str) -> str:
    """The status badge's words."""
    found = re.search(r'data-testid="status">(.*?)</span>', html, re.DOTALL)
    assert found, "no status badge"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _box(html: str) -> str:
    """What the comment box holds."""
    found = re.search(r'<textarea name="comment"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    assert found, "no comment box"
    return found.group(1)


def _sizes(html: str, path: str) -> str:
    """The sizes a file of the files region shows: at the target branch → in the pull request."""
    found = re.search(rf'aria-label="{re.escape(path)}">.*?data-testid="sizes">(.*?)</span>', html, re.DOTALL)
    assert found, f"no sizes for {path}"
    return re.sub(r"\s+", " ", found.group(1).replace("&nbsp;", " ").replace("\xa0", " ")).strip()


def test_commenting_posts_as_oneself_updates_in_place_the_feed_and_the_inbox(review, alice):
    num = review.open_discussion("It crashes", "On load.")
    answer = review.alice.post(PAGE.format(num=num), {"comment": "Fixed in **main**.", "action": "comment"}, **HX)
    assert answer.status_code == 200 and "discussions-changed" in answer["HX-Trigger"]
    html = _text(answer)
    assert html.lstrip().startswith('<div id="thread"') and "<strong>main</strong>" in html
    assert _box(html) == ""  # sent: the box is empty again
    comments = [e for e in review.held(num).events if e.type == "comment"]
    assert [(c.author, c.content) for c in comments][-1] == ("alice", "Fixed in **main**.")
    event = Event.objects.get(action="comment", repo_id=REPO)
    assert event.member == alice and f"#{num}" in event.summary and event.details["outcome"] == "success"
    row = Discussion.objects.get(repo_type="model", repo_id=REPO, num=num)
    assert row.num_comments == 2 and not row.waiting_on_us  # a member answered the outsider


def test_without_javascript_a_comment_posts_and_comes_back_to_the_page(review):
    num = review.open_discussion("It crashes", "On load.")
    answer = review.alice.post(PAGE.format(num=num), {"comment": "On it.", "action": "comment"})
    assert answer.status_code == 302 and answer["Location"].startswith(PAGE.format(num=num))
    page = review.alice.get(answer["Location"])
    assert "Commented on discussion" in _text(page) and "On it." in _text(page)


def test_an_empty_comment_is_refused_and_nothing_is_sent(review):
    num = review.open_discussion("It crashes", "On load.")
    review.hub.control("DELETE", "requests")
    answer = review.alice.post(PAGE.format(num=num), {"comment": "   ", "action": "comment"})
    assert answer.status_code == 400 and "Write a comment first." in _text(answer)
    assert not [r for r in review.hub_calls() if r["method"] == "POST"]


def test_preview_renders_the_markdown_sanitised_and_sends_nothing(review):
    num = review.open_discussion("It crashes", "On load.")
    review.hub.control("DELETE", "requests")
    typed = "**Soon** <script>alert(1)</script> [x](javascript:alert(1))"
    answer = review.alice.post(PAGE.format(num=num), {"comment": typed, "action": "preview"}, **HX)
    html = _text(answer)
    preview = html.split('data-testid="preview">', 1)[1].split("</article>", 1)[0]
    assert "<strong>Soon</strong>" in preview and "<script" not in preview and 'href="javascript' not in preview
    assert "&lt;script&gt;" in _box(html)  # the box keeps what was typed, escaped
    assert not [r for r in review.hub_calls() if r["method"] == "POST"]
    # Without JavaScript the whole page comes back with the preview.
    page = review.alice.post(PAGE.format(num=num), {"comment": typed, "action": "preview"})
    assert page.status_code == 200 and 'data-testid="preview"' in _text(page) and "<!doctype html>" in _text(page)


def test_closing_and_reopening_change_the_hub_and_are_in_the_feed(review):
    num = review.open_discussion("It crashes", "On load.")
    closed = review.alice.post(PAGE.format(num=num), {"comment": "Duplicate of #1.", "action": "close"}, **HX)
    assert closed.status_code == 200 and _status(_text(closed)) == "Closed"
    held = review.held(num)
    assert held.status == "closed" and held.events[-2].content == "Duplicate of #1."
    assert Discussion.objects.get(repo_id=REPO, num=num).status == "closed"
    assert 'value="reopen"' in _text(closed) and 'value="close"' not in _text(closed)
    reopened = review.alice.post(PAGE.format(num=num), {"comment": "", "action": "reopen"}, **HX)
    assert _status(_text(reopened)) == "Open" and review.held(num).status == "open"
    summaries = list(Event.objects.filter(action="discussion", repo_id=REPO).values_list("summary", flat=True))
    assert any(s.startswith(f"closed discussion #{num}") for s in summaries)
    assert any(s.startswith(f"reopened discussion #{num}") for s in summaries)


def test_merging_asks_first_naming_the_branch_then_moves_it_to_the_merge_commit(review):
    from huggingface_hub import hf_hub_download

    num = review.open_pr({"notes.txt": "hello\n", "README.md": "# Bert\n\nMerged docs.\n"})
    asked = review.alice.post(PAGE.format(num=num), {"comment": "", "action": "merge"}, **HX)
    html = _text(asked)
    assert 'data-testid="merge-confirm"' in html and "Merge pull request #" in html and "into main?" in html
    assert review.held(num).status == "open"  # asking changed nothing
    assert _sizes(_text(review.alice.get(PAGE.format(num=num))), "notes.txt") == "— → 6 bytes"  # new on main
    merged = review.alice.post(PAGE.format(num=num), {"comment": "Thanks!", "action": "merge-confirmed"}, **HX)
    assert merged.status_code == 200 and _status(_text(merged)) == "Merged"
    assert 'Files changed <span class="count">2</span>' in _text(merged)  # the head's counts swap with it
    assert "pull-request-merged" in merged["HX-Trigger"]  # which the files region listens for: it reads itself
    files = review.alice.get(PAGE.format(num=num), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="files")
    assert _text(files).lstrip().startswith('<section class="card flush pr-files" id="files"')
    assert _sizes(_text(files), "notes.txt") == "6 bytes → 6 bytes" and "since the merge" in _text(files)
    held = review.held(num)
    assert held.status == "merged" and held.merge_commit_oid
    api = review.api(ALICE_TOKEN)
    assert api.model_info(REPO).sha == held.merge_commit_oid
    notes = hf_hub_download(REPO, "notes.txt", revision=held.merge_commit_oid, endpoint=review.hub.url,
                            token=ALICE_TOKEN, cache_dir=None, local_dir=None)  # fmt: skip
    assert open(notes).read() == "hello\n"
    assert Discussion.objects.get(repo_id=REPO, num=num).status == "merged"
    assert Event.objects.filter(
        action="discussion", summary__startswith=f"merged pull request #{num} into main"
    ).exists()


def test_a_merge_without_the_right_is_refused_in_plain_words_keeping_the_comment(review, charlie):
    from hubdash import hub

    num = review.open_pr({"notes.txt": "hello\n"})
    hub.connect_token(charlie, CARL_TOKEN)  # writes discussions, but not acme's repos
    answer = review.charlie.post(PAGE.format(num=num), {"comment": "LGTM, merging.", "action": "merge-confirmed"}, **HX)
    html = _text(answer)
    assert answer.status_code == 403 and 'data-testid="refusal"' in html
    assert "only people who may write to acme" in html and _box(html) == "LGTM, merging."
    assert review.held(num).status == "open"
    event = Event.objects.get(action="discussion", repo_id=REPO)
    assert event.details["outcome"] == "failed" and event.summary.startswith(
        f"merged pull request #{num} into main failed"
    )


def test_a_merge_with_conflicts_is_refused_naming_the_files(review):
    num = review.open_pr({"README.md": "# Bert\n\nTheirs.\n"})
    review.api(ALICE_TOKEN).upload_file(path_or_fileobj=b"# Bert\n\nOurs.\n", path_in_repo="README.md", repo_id=REPO)
    page = _text(review.alice.get(PAGE.format(num=num)))
    assert 'data-testid="conflicts"' in page and "<code><bdi>README.md</bdi></code>" in page
    answer = review.alice.post(PAGE.format(num=num), {"comment": "Merging anyway", "action": "merge-confirmed"}, **HX)
    html = _text(answer)
    assert answer.status_code in (400, 409) and "conflicts with main (README.md)" in html
    assert _box(html) == "Merging anyway" and review.held(num).status == "open"


def test_merging_a_pull_request_closed_meanwhile_says_so(review):
    num = review.open_pr({"notes.txt": "hello\n"})
    assert review.alice.get(PAGE.format(num=num)).status_code == 200  # the page as it was
    review.api(MALLORY_TOKEN).change_discussion_status(REPO, num, "closed")
    answer = review.alice.post(PAGE.format(num=num), {"comment": "Ship it", "action": "merge-confirmed"}, **HX)
    html = _text(answer)
    assert answer.status_code == 400 and "This pull request is closed" in html
    assert _box(html) == "Ship it" and _status(html) == "Closed"


def test_a_rate_limited_comment_says_when_to_retry_and_keeps_the_text(review):
    num = review.open_discussion("It crashes", "On load.")
    review.hub.fault(method="POST", path=f"/api/models/{REPO}/discussions/{num}/comment", status=429,
                     retry_after=30, times=1)  # fmt: skip
    answer = review.alice.post(PAGE.format(num=num), {"comment": "Looking", "action": "comment"}, **HX)
    html = _text(answer)
    assert answer.status_code == 429 and "Try again in 30 s" in html and _box(html) == "Looking"
    assert len(review.held(num).events) == 1


def test_an_action_costs_the_hub_one_call_and_one_read_back(review):
    num = review.open_discussion("It crashes", "On load.")
    assert review.alice.get(PAGE.format(num=num)).status_code == 200  # read, and kept for alice
    review.hub.control("DELETE", "requests")
    review.alice.post(PAGE.format(num=num), {"comment": "On it.", "action": "comment"}, **HX)
    calls = [(r["method"], r["path"]) for r in review.hub_calls()]
    base = f"/api/models/{REPO}/discussions/{num}"
    assert calls == [("POST", f"{base}/comment"), ("GET", base)]


def test_acting_from_a_renamed_repos_old_address_acts_under_its_new_name(review):
    num = review.open_discussion("It crashes", "On load.")
    review.api(ALICE_TOKEN).move_repo(REPO, "acme/bert-base")
    new_page = f"/models/acme/bert-base/discussions/{num}/"
    assert review.alice.get(PAGE.format(num=num))["Location"] == new_page  # the old address leads to the new
    answer = review.alice.post(PAGE.format(num=num), {"comment": "Same crash here.", "action": "comment"})
    assert answer.status_code == 302 and answer["Location"] == new_page + "#thread"
    comments = [e for e in review.held(num, repo="acme/bert-base").events if e.type == "comment"]
    assert comments[-1].content == "Same crash here."
    assert not Discussion.objects.filter(repo_id=REPO).exists()  # no row the inbox would keep under the old name
    assert Discussion.objects.get(repo_id="acme/bert-base", num=num).num_comments == 2
    event = Event.objects.get(action="comment")
    assert event.repo_id == "acme/bert-base" and event.details["outcome"] == "success"
    answer = review.alice.post(PAGE.format(num=num), {"comment": "And again.", "action": "comment"}, **HX)
    assert answer.status_code == 200 and answer["HX-Replace-Url"] == new_page  # the address bar follows
    assert not Discussion.objects.filter(repo_id=REPO).exists()
