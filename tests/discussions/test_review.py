"""One discussion or pull request: what it shows, read live with the reader's own token, and who may see it."""

from __future__ import annotations

import re

from hubdash.discussions.review_diff import DiffLine
from hubdash.hub.discussion_review import PERMISSION
from tests.discussions.review_world import CARL_TOKEN, MALLORY_TOKEN, PAGE, REPO, review
from tests.personas import ALICE_TOKEN, FINE_TOKEN

__all__ = ["review"]

HOSTILE = (
    "Look: <script>document.title='pwned'</script> **bold**\n\n"
    "[docs](javascript:alert(document.cookie))\n\n"
    '<div hx-get="/account/token/" hx-trigger="load" hx-target="body">loading</div>\n\n'
    '<img src="x" onerror="alert(1)">\n'
)


def _text(response) -> str:
    return response.content.decode()


def _status(html: str) -> str:
    """The status badge's words."""
    found = re.search(r'data-testid="status">(.*?)</span>', html, re.DOTALL)
    assert found, "no status badge"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_a_pull_request_shows_its_conversation_files_with_sizes_and_diff(review):
    num = review.open_pr({"README.md": "# Bert\n\nA small model, now documented.\n", "notes.txt": "hello\n"})
    review.hub.control("DELETE", "requests")
    page = review.alice.get(PAGE.format(num=num))
    html = _text(page)
    assert page.status_code == 200
    assert "Add files" in html and _status(html) == "Open"
    assert "Wants to merge <code>refs/pr/" in html and "into <code>main</code>" in html
    assert re.search(r'pushed <code class="mono" title="[0-9a-f]{40}">[0-9a-f]{7}</code> <bdi>Add files</bdi>', html)
    # Each file with what it was at main and what it is in the pull request.
    assert "README.md" in html and "notes.txt" in html
    assert "A small model, now documented." in html and "A small model." in html
    sizes = re.findall(r'data-testid="sizes">([^<]*)<', html)
    assert sizes == ["23\xa0bytes → 39\xa0bytes", "— → 6\xa0bytes"]
    # One paths-info call at the target's head and one at refs/pr/N, besides the details.
    paths_info = [r["path"].rsplit("/paths-info/", 1)[1] for r in review.hub_calls() if "/paths-info/" in r["path"]]
    assert sorted(paths_info) == sorted(["main", f"refs/pr/{num}"]), paths_info
    assert "Whole diff (raw)" in html


def test_the_page_and_its_raw_diff_are_never_kept_by_a_browser_or_proxy(review):
    num = review.open_pr({"notes.txt": "a private repo's words\n"})
    for url in (PAGE.format(num=num), PAGE.format(num=num) + "diff/"):
        answer = review.alice.get(url)
        assert answer.status_code == 200
        said = {part.strip() for part in answer["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= said, url


def test_an_lfs_file_is_shown_by_size_and_hash(review):
    weights = bytes(range(256)) * 40  # binary: stored with LFS
    num = review.open_pr({"model.safetensors": weights})
    html = _text(review.alice.get(PAGE.format(num=num)))
    import hashlib

    assert hashlib.sha256(weights).hexdigest() in html
    assert "10.0\xa0KB" in html
    assert "oid sha256:" not in html  # the pointer's lines are not drawn as text


def test_the_whole_diff_is_served_as_plain_text_and_a_long_one_is_capped_on_the_page(review):
    long = "".join(f"line {i}\n" for i in range(3000))
    num = review.open_pr({"long.txt": long})
    html = _text(review.alice.get(PAGE.format(num=num)))
    assert 'data-testid="diff-cut"' in html and "line 1998" in html and "line 2500" not in html
    raw = review.alice.get(PAGE.format(num=num) + "diff/")
    assert raw.status_code == 200 and raw["Content-Type"].startswith("text/plain")
    assert "diff --git a/long.txt b/long.txt" in _text(raw) and "+line 2999" in _text(raw)


class CountedLine(DiffLine):
    """Stands in for review_diff.DiffLine: a DiffLine like any other, each one built counted."""

    built = 0

    def __new__(cls, *args, **kwargs):
        CountedLine.built += 1
        return super().__new__(cls)


def _count_lines(monkeypatch) -> type[CountedLine]:
    from hubdash.discussions import review_diff

    CountedLine.built = 0
    monkeypatch.setattr(review_diff, "DiffLine", CountedLine)
    return CountedLine


def _counting(monkeypatch, module, name: str) -> list[int]:
    """Count the calls of `module.name` (what the page builds or renders) from here on."""
    calls: list[int] = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_a_pull_request_with_huge_diffs_is_drawn_with_bounded_work(review, monkeypatch):
    """Two files of 30,000 one-character lines each: the page builds at most its 2,000 lines, counts the rest,
    and a reload reads the diff again from what the first view kept."""
    from hubdash.discussions import review as review_view
    from hubdash.discussions import review_diff

    num = review.open_pr({"a.txt": "a\n" * 30_000, "b.txt": "b\n" * 30_000})
    lines = _count_lines(monkeypatch)
    parses = _counting(monkeypatch, review_view.review_diff, "parse")
    html = _text(review.alice.get(PAGE.format(num=num)))
    assert 'data-testid="diff-cut"' in html and "+60,000" in html  # every line counted, in both files
    assert lines.built <= review_diff.MAX_LINES, lines.built  # 60,000 before
    assert html.count('<tr class="add">') <= review_diff.MAX_LINES
    for headers in ({}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "files"}):
        lines.built = 0
        assert review.alice.get(PAGE.format(num=num), **headers).status_code == 200
        assert lines.built <= review_diff.MAX_LINES  # what the first view read, taken back as it was
    assert len(parses) == 1  # reloads read the diff no more


def test_a_pull_request_changing_hundreds_of_files_draws_the_first_300_and_lists_the_rest(review):
    num = review.open_pr({f"docs/page-{n:03d}.md": f"Page {n}\n" for n in range(320)})
    review.hub.control("DELETE", "requests")
    html = _text(review.alice.get(PAGE.format(num=num)))
    assert html.count('<section class="diff-file"') == 300
    assert re.search(r'Files changed <span class="count">320</span>', html)
    rest = html.split('data-testid="more-files"', 1)[1]
    assert "docs/page-300.md" in rest and "docs/page-319.md" in rest and "docs/page-299.md" not in rest
    assert PAGE.format(num=num) + "diff/" in rest  # the rest are read in the whole diff
    asked = [r for r in review.hub_calls() if "/paths-info/" in r["path"]]
    assert len(asked) == 2  # sizes of the files drawn: one call at main, one at refs/pr/N


def test_hidden_direction_characters_are_shown_where_they_are_and_flagged(review):
    """Trojan Source: U+202E and U+2066 to U+2069 make code read in another order than it runs."""
    trick = 'access_level = "user"\nif access_level != "none\u202e \u2066// Check if admin\u2069 \u2066":\n'
    num = review.open_pr({"auth.py": trick}, title="Fix the \u202eadmin check")
    html = _text(review.alice.get(PAGE.format(num=num)))
    assert "<h1><bdi>Fix the \u202eadmin check</bdi>" in html  # isolated from the page around it
    assert html.count('data-testid="bidi-warning"') == 2  # the title, and the file
    files = html.split('id="files"', 1)[1]
    assert "This file's changes hold characters that can show code in another order than it runs" in files
    flagged = re.findall(r'<tr class="add bidi">.*?</tr>', files, re.DOTALL)
    assert len(flagged) == 1 and "Hidden Unicode direction characters on this line" in flagged[0]
    assert [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<span class="bidi-char"[^>]*>.*?</span>', flagged[0])] == [
        "U+202E",
        "U+2066",
        "U+2069",
        "U+2066",
    ]
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", files)  # each shown by its code point, none as is
    assert 'title="Right-To-Left Override"' in flagged[0]


def test_comments_are_rendered_once_not_at_every_view(review, monkeypatch):
    from hubdash.discussions import review as review_view

    num = review.open_discussion("It crashes", "On **load**.")
    review.api(ALICE_TOKEN).comment_discussion(REPO, num, "Thanks, *looking*.")
    rendered = _counting(monkeypatch, review_view, "render_markdown")
    first = _text(review.alice.get(PAGE.format(num=num)))
    assert len(rendered) == 2 and "<strong>load</strong>" in first and "<em>looking</em>" in first
    again = _text(review.bob.get(PAGE.format(num=num)))  # another reader, the same comments
    assert len(rendered) == 2 and "<strong>load</strong>" in again and "<em>looking</em>" in again
    review.api(ALICE_TOKEN).edit_discussion_comment(
        REPO, num, [e for e in review.held(num).events if e.type == "comment"][-1].id, "Thanks, *fixed*."
    )
    from hubdash.hub.discussion_review import forget

    forget("model", REPO, num)
    edited = _text(review.alice.get(PAGE.format(num=num)))
    assert len(rendered) == 3 and "<em>fixed</em>" in edited  # an edit is rendered anew


def test_a_discussion_shows_comments_sanitised_roles_and_hidden_comments(review):
    num = review.open_discussion("It crashes", HOSTILE)
    review.api(ALICE_TOKEN).comment_discussion(REPO, num, "Thanks, **looking**.")
    spam = review.api(MALLORY_TOKEN).comment_discussion(REPO, num, "buy cheap tokens")
    review.api(ALICE_TOKEN).hide_discussion_comment(REPO, num, spam.id)
    review.api(MALLORY_TOKEN).rename_discussion(REPO, num, "It crashes on load")
    review.api(ALICE_TOKEN).change_discussion_status(REPO, num, "closed")
    page = review.alice.get(PAGE.format(num=num))
    html = _text(page)
    assert page.status_code == 200
    conversation = html.split('aria-label="Conversation"', 1)[1].split('id="act"', 1)[0]
    assert "<strong>bold</strong>" in conversation and "<strong>looking</strong>" in conversation
    assert "<script" not in conversation and "pwned" not in conversation
    assert 'href="javascript' not in conversation and "onerror" not in conversation
    assert 'hx-get="/account' not in conversation and "hx-disable" in conversation
    assert "buy cheap tokens" not in html and 'data-testid="hidden-comment"' in html
    roles = dict(
        re.findall(r'<strong id="who-[^"]+"><bdi>([^<]+)</bdi></strong>\s*<span class="role role-(\w+)"', html)
    )
    assert roles["mallory"] == "outsider" and roles["alice"] in ("owner", "member")
    assert "Files changed" not in html  # a discussion has no files
    # In the order they happened: the comments, then the title change, then the status change.
    renamed = re.search(
        r"changed the title from <del><bdi>It crashes</bdi></del> to <ins><bdi>It crashes on load</bdi></ins>", html
    )
    closed = re.search(r"closed this discussion", html)
    assert renamed and closed and html.index("looking") < renamed.start() < closed.start()


def test_reloads_reuse_the_answer_for_the_same_person_only(review):
    num = review.open_discussion("Question", "How big is it?")
    review.hub.control("DELETE", "requests")
    review.alice.get(PAGE.format(num=num))
    review.alice.get(PAGE.format(num=num))
    details = [r for r in review.hub_calls() if r["path"].endswith(f"/discussions/{num}")]
    assert [r["user"] for r in details] == ["alice"]
    review.bob.get(PAGE.format(num=num))
    details = [r for r in review.hub_calls() if r["path"].endswith(f"/discussions/{num}")]
    assert [r["user"] for r in details] == ["alice", "bob"]


def test_a_private_repos_discussion_is_a_404_to_whoever_may_not_read_the_repo(review, charlie):
    from hubdash import hub

    review.hub.add_repo("acme/secret", private=True)
    num = review.open_discussion("Internal", "Only for acme.", token=ALICE_TOKEN, repo="acme/secret")
    url = f"/models/acme/secret/discussions/{num}/"
    assert review.alice.get(url).status_code == 200
    assert review.charlie.get(url).status_code == 404  # no token
    hub.connect_token(charlie, CARL_TOKEN)  # a token that may not read acme's private repos
    page = review.charlie.get(url)
    assert page.status_code == 404 and "Only for acme." not in _text(page)
    assert review.charlie.get(url + "diff/").status_code == 404


def test_bad_numbers_and_types_are_404_not_500(review):
    num = review.open_discussion("Question", "How big is it?")
    for url in (
        "/models/acme/bert/discussions/0/",
        "/models/acme/bert/discussions/999/",
        "/models/acme/bert/discussions/99999999999999999999/",
        "/models/acme/bert/discussions/abc/",
        "/models/acme/bert/discussions/-1/",
        f"/kernels/acme/bert/discussions/{num}/",
        f"/datasets/acme/bert/discussions/{num}/",  # a model, asked as a dataset
        f"/models/acme/no-such-repo/discussions/{num}/",
        f"/models/acme/bert/discussions/{num}/diff/",  # a discussion has no diff
    ):
        assert review.alice.get(url).status_code == 404, url


def test_a_token_that_may_not_write_discussions_sees_the_actions_disabled_with_why(review, alice):
    from hubdash import hub

    num = review.open_discussion("Question", "How big is it?")
    html = _text(review.bob.get(PAGE.format(num=num)))  # a read token
    assert 'data-testid="acting-gap"' in html and "read-only" in html
    assert re.search(r"<fieldset\s+disabled>", html)
    hub.connect_token(alice, FINE_TOKEN)  # fine-grained: repo.write on acme, no discussion.write
    html = _text(review.alice.get(PAGE.format(num=num)))
    assert 'data-testid="acting-gap"' in html and PERMISSION in html and "/settings/tokens" in html
    assert re.search(r"<fieldset\s+disabled>", html)
    # Posting anyway sends nothing to the Hub and says why.
    review.hub.control("DELETE", "requests")
    refused = review.alice.post(PAGE.format(num=num), {"comment": "hello", "action": "comment"})
    assert refused.status_code == 403 and PERMISSION in _text(refused) and "hello" in _text(refused)
    assert not [r for r in review.hub_calls() if r["method"] == "POST"]
    assert len(review.held(num).events) == 1


def test_a_write_token_or_a_fine_grained_one_with_the_permission_may_act(review, alice):
    from hubdash import hub

    num = review.open_discussion("Question", "How big is it?")
    assert 'data-testid="acting-gap"' not in _text(review.alice.get(PAGE.format(num=num)))
    review.hub.add_user(
        "alice",
        fullname="Alice Martin",
        orgs={"acme": "admin", "datalab": "write"},
        tokens={
            "hf_alice_fine_discussions_0123456789": {
                "role": "fineGrained",
                "displayName": "discussions",
                "scoped": [{"entity": {"type": "org", "name": "acme"}, "permissions": ["repo.content.read"]}],
                "global": [PERMISSION],
            }
        },
    )
    hub.connect_token(alice, "hf_alice_fine_discussions_0123456789")
    assert 'data-testid="acting-gap"' not in _text(review.alice.get(PAGE.format(num=num)))
