"""hubsim's discussions and pull requests, through the official client's methods (shared/hub-api.md §15.5-15.6)."""

from __future__ import annotations

import pytest
import requests
from huggingface_hub import CommitOperationAdd, HfApi, hf_hub_download
from huggingface_hub.errors import BadRequestError, HfHubHTTPError, RepositoryNotFoundError

from tests.emulator.test_webhooks import Receiver

PEOPLE = [
    {
        "name": "alice",
        "fullname": "Alice",
        "orgs": {"acme": "admin"},
        "tokens": {"hf_alice": "write", "hf_alice_r": "read"},
    },
    {"name": "bob", "orgs": {"acme": "read"}, "tokens": {"hf_bob": "write"}},
    {"name": "zed", "fullname": "Zed Outsider", "tokens": {"hf_zed": "write", "hf_zed_read": "read"}},
]
README = "# Model\n\nLine two.\nLine three.\n"


@pytest.fixture
def world(hub):
    for person in PEOPLE:
        hub.add_user(**person)
    hub.add_repo("acme/m", files={"README.md": README, "config.json": '{"a": 1}\n'})
    return hub


def client(hub, token: str | bool = False) -> HfApi:
    return HfApi(endpoint=hub.url, token=token)


def raw_list(hub, **params: object) -> dict:
    """The list call as the Hub answers it (search, sort, pages: what the client does not send)."""
    answer = requests.get(
        f"{hub.url}/api/models/acme/m/discussions", params=params, headers={"authorization": "Bearer hf_alice"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


# -- listing --------------------------------------------------------------------------------------


def test_listing_pages_of_fifty_with_filters_and_the_clients_iteration_stops(world):
    for n in range(57):
        world.discussion("acme/m", "zed" if n % 3 else "bob", f"Question number {n}", date=f"2026-11-01T10:{n:02d}:00Z")
    world.discussion("acme/m", "zed", "Draft pull request", pullRequest=True, date="2026-11-02T09:00:00Z")
    merged = world.discussion("acme/m", "zed", "Tidy card", files={"NOTES.md": "notes\n"}, date="2026-11-03T09:00:00Z")
    world.discussion_act("acme/m", merged["num"], "alice", merge=True, date="2026-11-04T09:00:00Z")
    world.discussion_act("acme/m", 1, "alice", status="closed", date="2026-11-05T09:00:00Z")
    alice = client(world, "hf_alice")
    requests_before = len(world.requests())

    everything = list(alice.get_repo_discussions("acme/m"))
    assert len(everything) == 59 and len({d.num for d in everything}) == 59
    assert everything[0].title == "Tidy card" and everything[-1].num == 1  # newest first
    calls = [r for r in world.requests()[requests_before:] if r["path"].endswith("/discussions")]
    assert [r["query"].split("p=")[-1] for r in calls] == ["0", "1"]  # it stopped when start + len reached count

    pulls = list(alice.get_repo_discussions("acme/m", discussion_type="pull_request"))
    assert [(p.title, p.status) for p in pulls] == [("Tidy card", "merged"), ("Draft pull request", "draft")]
    assert all(p.git_reference == f"refs/pr/{p.num}" for p in pulls)
    open_ones = list(alice.get_repo_discussions("acme/m", discussion_status="open"))
    assert len(open_ones) == 57 and "draft" in {d.status for d in open_ones}  # open includes drafts
    closed = list(alice.get_repo_discussions("acme/m", discussion_status="closed"))
    assert sorted(d.status for d in closed) == ["closed", "merged"]
    by_bob = list(alice.get_repo_discussions("acme/m", author="bob"))
    assert len(by_bob) == 19 and {d.author for d in by_bob} == {"bob"}

    first = raw_list(world)
    assert (first["count"], first["start"], len(first["discussions"]), first["numClosedDiscussions"]) == (59, 0, 50, 2)
    second = raw_list(world, p=1)
    assert (second["start"], len(second["discussions"])) == (50, 9) and "numClosedDiscussions" not in second
    item = first["discussions"][0]
    assert {"num", "title", "status", "isPullRequest", "createdAt", "numComments", "pinned", "topReactions"} <= set(
        item
    )
    assert item["repo"] == {"name": "acme/m", "type": "model"} and item["author"]["name"] == "zed"
    assert item["repoOwner"] == {"name": "acme", "type": "org", "isParticipating": True, "isDiscussionAuthor": False}
    assert item["numComments"] == 1  # the opening post
    assert [d["title"] for d in raw_list(world, search="NUMBER 5")["discussions"]] == [
        f"Question number {n}" for n in (56, 55, 54, 53, 52, 51, 50, 5)
    ]
    trending = raw_list(world, sort="trending")["discussions"]
    assert trending[0]["num"] == 1  # the latest activity: closed on 11-05
    for bad in ({"type": "issue"}, {"status": "draft"}, {"sort": "oldest"}, {"p": "x"}):
        assert requests.get(f"{world.url}/api/models/acme/m/discussions", params=bad).status_code == 400


def test_private_repos_discussions_only_for_those_who_may_read_it_and_disabled_ones_refused(world):
    world.add_repo("acme/secret", private=True)
    world.discussion("acme/secret", "alice", "Internal note")
    assert [d.title for d in client(world, "hf_bob").get_repo_discussions("acme/secret")] == ["Internal note"]
    with pytest.raises(RepositoryNotFoundError):
        list(client(world, "hf_zed").get_repo_discussions("acme/secret"))
    with pytest.raises(RepositoryNotFoundError):
        client(world, "hf_zed").get_discussion_details("acme/secret", 1)
    anonymous = requests.get(f"{world.url}/api/models/acme/secret/discussions")
    assert anonymous.status_code == 401 and anonymous.headers["X-Error-Code"] == "RepoNotFound"
    assert requests.get(f"{world.url}/api/models/acme/m/discussions").status_code == 200  # public: anyone reads
    requests.put(
        f"{world.url}/api/models/acme/m/settings",
        json={"discussionsDisabled": True},
        headers={"authorization": "Bearer hf_alice"},
    ).raise_for_status()
    with pytest.raises(HfHubHTTPError) as refused:
        list(client(world, "hf_alice").get_repo_discussions("acme/m"))
    assert refused.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError):
        client(world, "hf_zed").create_discussion("acme/m", "Hello there")
    with pytest.raises(HfHubHTTPError) as no_pr:
        client(world, "hf_zed").upload_file(path_or_fileobj=b"x", path_in_repo="x", repo_id="acme/m", create_pr=True)
    assert no_pr.value.response.status_code == 403


# -- details and conversation ------------------------------------------------------------------------


def test_conversation_events_roles_edit_hide_rename_and_status(world):
    zed, alice, bob = client(world, "hf_zed"), client(world, "hf_alice"), client(world, "hf_bob")
    opened = zed.create_discussion("acme/m", "  Does it run on CPU?  ", description="Tried <b>it</b> on **CPU**.")
    assert (opened.num, opened.title, opened.status, opened.author, opened.is_pull_request) == (
        1,
        "Does it run on CPU?",
        "open",
        "zed",
        False,
    )
    assert opened.events[0].content == "Tried <b>it</b> on **CPU**."
    assert opened.events[0].rendered == "<p>Tried &lt;b&gt;it&lt;/b&gt; on <strong>CPU</strong>.</p>"
    reply = bob.comment_discussion("acme/m", 1, "Yes, see `run.py`.")
    assert reply.author == "bob" and reply.content == "Yes, see `run.py`." and reply.rendered.count("<code>") == 1
    edited = bob.edit_discussion_comment("acme/m", 1, reply.id, "Yes: see `run.py`.")
    assert edited.edited and edited.content == "Yes: see `run.py`." and edited.number_of_edits == 2
    with pytest.raises(HfHubHTTPError):
        zed.edit_discussion_comment("acme/m", 1, reply.id, "not mine")
    spam = zed.comment_discussion("acme/m", 1, "buy now")
    with pytest.warns(UserWarning):
        hidden = alice.hide_discussion_comment("acme/m", 1, spam.id)
    assert hidden.hidden and hidden.content == ""
    renamed = zed.rename_discussion("acme/m", 1, "Runs on CPU?")
    assert (renamed.old_title, renamed.new_title) == ("Does it run on CPU?", "Runs on CPU?")
    closed = alice.change_discussion_status("acme/m", 1, "closed", comment="  Answered.  ")
    assert closed.new_status == "closed" and closed.author == "alice"

    details = alice.get_discussion_details("acme/m", 1)
    assert details.title == "Runs on CPU?" and details.status == "closed"
    assert [e.type for e in details.events] == [
        "comment",
        "comment",
        "comment",
        "title-change",
        "comment",
        "status-change",
    ]
    assert details.events[4].content == "Answered."
    roles = {e.author: (e._event["author"]["isOwner"], e._event["author"]["isOrgMember"]) for e in details.events}
    assert roles == {"zed": (False, False), "bob": (False, True), "alice": (False, True)}  # a read member is a member
    assert details.events[2]._event["data"]["hiddenBy"] == "alice"
    assert details.conflicting_files is None and details.target_branch is None and details.diff is None

    world.add_repo("alice/own")
    world.discussion("alice/own", "zed", "Hi Alice")
    world.discussion_act("alice/own", 1, "alice", comment="Hi!")
    own = alice.get_discussion_details("alice/own", 1)
    assert [(e._event["author"]["isOwner"], e._event["author"]["isOrgMember"]) for e in own.events] == [
        (False, False),
        (True, False),
    ]


def test_who_may_post_and_change(world):
    zed, bob = client(world, "hf_zed"), client(world, "hf_bob")
    zed.create_discussion("acme/m", "Question")
    with pytest.raises(HfHubHTTPError) as read_only:
        client(world, "hf_zed_read").comment_discussion("acme/m", 1, "hi")
    assert read_only.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as anonymous:
        client(world).comment_discussion("acme/m", 1, "hi")
    assert anonymous.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as not_theirs:
        bob.change_discussion_status("acme/m", 1, "closed")  # a read member is neither the author nor a writer
    assert not_theirs.value.response.status_code == 403
    zed.change_discussion_status("acme/m", 1, "closed")  # the author may
    with pytest.raises(BadRequestError):
        zed.change_discussion_status("acme/m", 1, "closed")
    for title in ("ab", "x" * 201):
        with pytest.raises(BadRequestError):
            zed.create_discussion("acme/m", title)
    with pytest.raises(BadRequestError):
        zed.comment_discussion("acme/m", 1, "")
    with pytest.raises(BadRequestError):
        zed.comment_discussion("acme/m", 1, "x" * 65537)
    zed.comment_discussion("acme/m", 1, "x" * 65536)
    fine = {
        "role": "fineGrained",
        "scoped": [{"entity": {"type": "org", "name": "acme"}, "permissions": ["repo.write"]}],
    }
    world.add_user(
        "carl",
        orgs={"acme": "write"},
        tokens={"hf_carl_fine": fine, "hf_carl_talk": {**fine, "global": ["discussion.write"]}},
    )
    with pytest.raises(HfHubHTTPError) as no_scope:
        client(world, "hf_carl_fine").comment_discussion("acme/m", 1, "hi")
    assert no_scope.value.response.status_code == 403
    assert client(world, "hf_carl_talk").comment_discussion("acme/m", 1, "hi").author == "carl"
    client(world, "hf_carl_talk").change_discussion_status("acme/m", 1, "open")  # repo.write on acme: a writer
    with pytest.raises(HfHubHTTPError) as missing:
        zed.get_discussion_details("acme/m", 99)
    assert missing.value.response.status_code == 404


# -- pull requests --------------------------------------------------------------------------------------


def test_pull_request_draft_then_pushed_by_an_outsider_then_merged(world):
    zed, alice = client(world, "hf_zed"), client(world, "hf_alice")
    pr = zed.create_pull_request("acme/m", "Better card", description="Clearer wording")
    assert (pr.status, pr.is_pull_request, pr.target_branch, pr.conflicting_files, pr.diff) == (
        "draft",
        True,
        "refs/heads/main",
        [],
        "",
    )
    head_before = alice.model_info("acme/m").sha
    refs = alice.list_repo_refs("acme/m", include_pull_requests=True)
    assert [(p.ref, p.target_commit) for p in refs.pull_requests] == [("refs/pr/1", head_before)]
    with pytest.raises(HfHubHTTPError):
        alice.merge_pull_request("acme/m", 1)  # a draft has nothing to merge

    zed.create_commit(
        "acme/m",
        [
            CommitOperationAdd("README.md", README.replace("Line two.", "Line 2, clearer.").encode()),
            CommitOperationAdd("weights.bin", bytes(range(256)) * 8),
        ],
        commit_message="Clearer card, weights",
        revision="refs/pr/1",
    )
    details = alice.get_discussion_details("acme/m", 1)
    assert details.status == "open"  # the first commit opens a draft
    assert [e.type for e in details.events] == ["comment", "commit", "status-change"]
    assert details.events[1].summary == "Clearer card, weights" and details.events[1].author == "zed"
    assert "diff --git a/README.md b/README.md\n" in details.diff
    assert "-Line two.\n+Line 2, clearer.\n" in details.diff
    assert "diff --git a/weights.bin b/weights.bin\nnew file mode 100644\n" in details.diff
    assert "+version https://git-lfs.github.com/spec/v1\n+oid sha256:" in details.diff  # LFS: git's pointer
    assert "config.json" not in details.diff and alice.model_info("acme/m").sha == head_before

    with pytest.raises(HfHubHTTPError) as outsider:
        zed.merge_pull_request("acme/m", 1)
    assert outsider.value.response.status_code == 403
    alice.merge_pull_request("acme/m", 1, comment="Thanks!")
    merged = alice.get_discussion_details("acme/m", 1)
    head = alice.model_info("acme/m").sha
    assert merged.status == "merged" and merged.merge_commit_oid == head != head_before
    assert [e.type for e in merged.events][-2:] == ["comment", "status-change"]
    assert "-Line two.\n" in merged.diff  # the diff stays what was merged
    assert sorted(alice.list_repo_files("acme/m")) == [".gitattributes", "README.md", "config.json", "weights.bin"]
    readme = hf_hub_download("acme/m", "README.md", endpoint=world.url, token="hf_alice", cache_dir=None)
    with open(readme) as fh:
        assert "Line 2, clearer." in fh.read()
    commits = alice.list_repo_commits("acme/m")
    assert commits[0].commit_id == head and commits[0].title == "Better card (#1)"
    with pytest.raises(BadRequestError):
        alice.merge_pull_request("acme/m", 1)  # already merged
    with pytest.raises(BadRequestError):
        alice.change_discussion_status("acme/m", 1, "open")


def test_upload_with_create_pr_is_an_open_pull_request_with_its_diff(world):
    zed = client(world, "hf_zed")
    info = zed.upload_file(
        path_or_fileobj=b"print('hi')\n",
        path_in_repo="run.py",
        repo_id="acme/m",
        create_pr=True,
        commit_message="Add run.py",
        commit_description="A script to run it",
    )
    assert info.pr_num == 1 and info.pr_revision == "refs/pr/1"
    details = client(world, "hf_alice").get_discussion_details("acme/m", 1)
    assert (details.title, details.author, details.status, details.is_pull_request) == (
        "Add run.py",
        "zed",
        "open",
        True,
    )
    assert [e.type for e in details.events] == ["comment", "commit"]
    assert details.events[0].content == "A script to run it" and details.events[1].oid == info.oid
    assert details.diff.startswith("diff --git a/run.py b/run.py\nnew file mode 100644\nindex 0000000..")
    assert details.diff.endswith("--- /dev/null\n+++ b/run.py\n@@ -0,0 +1 @@\n+print('hi')\n")
    assert client(world, "hf_alice").get_discussion_details("acme/m", 1).conflicting_files == []
    with pytest.raises(HfHubHTTPError) as read_only:
        client(world, "hf_zed_read").upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="acme/m", create_pr=True
        )
    assert read_only.value.response.status_code == 403


def test_conflicts_are_listed_and_refuse_the_merge_and_a_closed_one_cannot_be_merged(world):
    alice = client(world, "hf_alice")
    zed = client(world, "hf_zed")
    zed.upload_file(path_or_fileobj=b"# Mine\n", path_in_repo="README.md", repo_id="acme/m", create_pr=True)
    zed.upload_file(path_or_fileobj=b"new\n", path_in_repo="other.txt", repo_id="acme/m", create_pr=True)
    alice.upload_file(path_or_fileobj=b"# Theirs\n", path_in_repo="README.md", repo_id="acme/m")
    first = alice.get_discussion_details("acme/m", 1)
    assert first.conflicting_files == ["README.md"]
    assert "other.txt" not in first.diff and "+# Mine\n" in first.diff  # only the PR's own changes
    with pytest.raises(HfHubHTTPError) as conflict:
        alice.merge_pull_request("acme/m", 1)
    assert conflict.value.response.status_code == 409 and "README.md" in str(conflict.value)
    alice.change_discussion_status("acme/m", 2, "closed")
    with pytest.raises(BadRequestError):
        alice.merge_pull_request("acme/m", 2)
    alice.change_discussion_status("acme/m", 2, "open")
    alice.merge_pull_request("acme/m", 2)  # main moved since, on another file: no conflict
    files = alice.list_repo_files("acme/m")
    assert "other.txt" in files
    readme = hf_hub_download("acme/m", "README.md", endpoint=world.url, token="hf_alice", cache_dir=None)
    with open(readme) as fh:
        assert fh.read() == "# Theirs\n"  # the merge kept main's change
    discussion = world.discussion("acme/m", "zed", "Just a question")
    with pytest.raises(BadRequestError):
        alice.merge_pull_request("acme/m", discussion["num"])


# -- webhooks --------------------------------------------------------------------------------------------


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def test_webhook_events_of_each_kind(world, receiver, hub_samples):
    alice, zed = client(world, "hf_alice"), client(world, "hf_zed")
    world.control("POST", "webhook-policy", {"attempts": 2, "backoff_s": 0.05})
    hook = alice.create_webhook(url=receiver.url, watched=[{"type": "org", "name": "acme"}], domains=["discussion"])
    alice.create_webhook(url=receiver.url + "/repo", watched=[{"type": "org", "name": "acme"}], domains=["repo"])
    opened = zed.create_discussion("acme/m", "A question", description="Why?")
    comment = alice.comment_discussion("acme/m", 1, "Because.")
    alice.edit_discussion_comment("acme/m", 1, comment.id, "Because!")
    with pytest.warns(UserWarning):
        alice.hide_discussion_comment("acme/m", 1, comment.id)
    zed.rename_discussion("acme/m", 1, "A better question")
    alice.change_discussion_status("acme/m", 1, "closed")
    zed.upload_file(path_or_fileobj=b"x\n", path_in_repo="x.txt", repo_id="acme/m", create_pr=True)
    zed.upload_file(path_or_fileobj=b"y\n", path_in_repo="x.txt", repo_id="acme/m", revision="refs/pr/2")
    alice.merge_pull_request("acme/m", 2)
    deleted = requests.delete(
        f"{world.url}/api/models/acme/m/discussions/1", headers={"authorization": "Bearer hf_alice"}
    )
    assert deleted.status_code == 200
    assert [d.num for d in alice.get_repo_discussions("acme/m")] == [2]
    world.deliveries(wait=True)

    discussion_hook = [r["payload"] for r in receiver.received if r["payload"]["webhook"]["id"] == hook.id]
    kinds = [(p["event"]["scope"], p["event"]["action"], p["discussion"]["num"]) for p in discussion_hook]
    assert kinds == [
        ("discussion", "create", 1),
        ("discussion.comment", "create", 1),
        ("discussion.comment", "update", 1),
        ("discussion.comment", "update", 1),
        ("discussion", "update", 1),
        ("discussion", "update", 1),
        ("discussion", "create", 2),
        ("discussion", "update", 2),
        ("discussion", "delete", 1),
    ]
    assert [d["payload"] for d in world.deliveries() if d["webhook"] == hook.id] == discussion_hook
    create, first_comment, edit, hide, rename, close, pr_create, merge, _ = discussion_hook
    recorded = hub_samples("webhook_v3__discussion_create__docs_openai-community_gpt2.json")
    assert set(create) == set(recorded) and set(create["discussion"]) == set(recorded["discussion"]) - {"changes"}
    assert set(create["comment"]) == set(recorded["comment"]) and create["comment"]["content"] == "Why?"
    assert create["discussion"]["author"]["id"] == opened.events[0]._event["author"]["_id"]
    assert create["discussion"]["url"]["api"] == f"{world.url}/api/models/acme/m/discussions/1"
    assert create["comment"]["url"]["web"] == f"{world.url}/acme/m/discussions/1#{opened.events[0].id}"
    assert "headSha" not in create["repo"]
    assert first_comment["comment"]["content"] == "Because." and edit["comment"]["content"] == "Because!"
    assert hide["comment"]["hidden"] is True and "content" not in hide["comment"]
    assert rename["discussion"]["title"] == "A better question" and "comment" not in rename
    assert close["discussion"]["status"] == "closed"
    status_sample = hub_samples("webhook_v3__discussion_update_status__space.json")
    assert set(pr_create["discussion"]) == set(status_sample["discussion"])
    assert (
        pr_create["discussion"]["changes"] == {"base": "refs/heads/main"}
        and pr_create["discussion"]["status"] == "open"
    )
    head = alice.model_info("acme/m").sha
    assert merge["discussion"]["status"] == "merged" and merge["discussion"]["changes"]["mergeCommitId"] == head

    repo_hook = [r["payload"] for r in receiver.received if r["payload"]["webhook"]["id"] != hook.id]
    refs = [(p["event"]["scope"], [(u["ref"], u["oldSha"] is None) for u in p["updatedRefs"]]) for p in repo_hook]
    assert refs == [
        ("repo.content", [("refs/pr/2", True)]),
        ("repo.content", [("refs/pr/2", False)]),
        ("repo.content", [("refs/heads/main", False)]),
    ]
    assert repo_hook[-1]["updatedRefs"][0]["newSha"] == head


# -- the control API ---------------------------------------------------------------------------------------


def test_control_api_files_discussions_as_people_on_dates(world):
    made = world.discussion(
        "acme/m", "newcomer", "Hello from a newcomer", description="Hi", date="2026-11-20T08:00:00Z"
    )
    assert made == {"num": 1, "status": "open"}
    world.discussion_act("acme/m", 1, "alice", comment="Welcome", date="2026-11-21T09:30:00Z")
    pr = world.discussion(
        "acme/m", "newcomer", "Fix typo", files={"README.md": "# Model\n"}, date="2026-11-22T00:00:00Z"
    )
    assert pr == {"num": 2, "status": "open"}
    details = client(world, "hf_alice").get_discussion_details("acme/m", 1)
    assert details.created_at.isoformat() == "2026-11-20T08:00:00+00:00"
    assert [(e.author, e.created_at.isoformat()) for e in details.events] == [
        ("newcomer", "2026-11-20T08:00:00+00:00"),
        ("alice", "2026-11-21T09:30:00+00:00"),
    ]
    pull = client(world, "hf_alice").get_discussion_details("acme/m", 2)
    assert [e.type for e in pull.events] == ["comment", "commit"] and "-Line two.\n" in pull.diff
    assert (
        requests.post(
            f"{world.url}/_hubsim/discussions", json={"id": "acme/nope", "user": "x", "title": "abc"}
        ).status_code
        == 404
    )


def test_discussion_calls_are_rate_limited_and_logged(world):
    world.control("POST", "ratelimit", {"quotas": {"api": 2}, "window_s": 300})
    zed = client(world, "hf_zed")
    zed.create_discussion("acme/m", "One")  # a POST and the client's GET of the details
    with pytest.raises(HfHubHTTPError) as limited:
        zed.comment_discussion("acme/m", 1, "two")
    assert limited.value.response.status_code == 429
    assert [(r["method"], r["path"], r["user"]) for r in world.requests()][-3:] == [
        ("POST", "/api/models/acme/m/discussions", "zed"),
        ("GET", "/api/models/acme/m/discussions/1", "zed"),
        ("POST", "/api/models/acme/m/discussions/1/comment", "zed"),
    ]


# -- the demo world ----------------------------------------------------------------------------------------


def test_demo_world_has_discussions_and_pull_requests_of_every_kind(demo_hub):
    alice, mallory = client(demo_hub, "hf_demo_alice_write"), client(demo_hub, "hf_demo_mallory_write")
    repos = [
        ("acme/gated-llm", "model"),
        ("acme/auto-weights", "model"),
        ("acme/clinical-notes", "dataset"),
        ("acme/internal-classifier", "model"),
        ("alice/gated-tiny-llm", "model"),
    ]
    found = {repo: list(alice.get_repo_discussions(repo, repo_type=kind)) for repo, kind in repos}
    statuses = {(d.is_pull_request, d.status) for items in found.values() for d in items}
    assert statuses == {
        (False, "open"),
        (False, "closed"),
        (True, "open"),
        (True, "draft"),
        (True, "closed"),
        (True, "merged"),
    }
    assert {d.author for d in found["acme/gated-llm"]} >= {"maya-cohen", "hiro-tanaka", "kemi-adeyemi", "mallory"}

    typo = alice.get_discussion_details("acme/gated-llm", 3)
    assert typo.title == "Fix typo in the model card" and typo.status == "open" and typo.conflicting_files == []
    assert "-Ask for access.\n+Ask for access; it takes two days.\n" in typo.diff
    assert [(e.type, e.author) for e in typo.events] == [
        ("comment", "kemi-adeyemi"),
        ("commit", "kemi-adeyemi"),
        ("comment", "bob"),
    ]
    assert (
        typo.events[-1]._event["author"]["isOrgMember"] is True
        and typo.events[0]._event["author"]["isOrgMember"] is False
    )
    conflicted = alice.get_discussion_details("acme/auto-weights", 2)
    assert conflicted.conflicting_files == ["README.md"] and conflicted.status == "open"
    with pytest.raises(HfHubHTTPError):
        alice.merge_pull_request("acme/auto-weights", 2)
    hostile = next(d for d in found["acme/gated-llm"] if d.author == "mallory")
    opening = alice.get_discussion_details("acme/gated-llm", hostile.num).events[0]
    assert "<a" not in opening.rendered and "&lt;a href=" in opening.rendered
    waiting = alice.get_discussion_details("acme/gated-llm", 2)
    assert waiting.events[-1].author == "hiro-tanaka" and waiting.events[1].edited  # an outsider wrote last
    assert alice.get_discussion_details("acme/gated-llm", 1).events[1].hidden
    merged = alice.get_discussion_details("acme/clinical-notes", 2, repo_type="dataset")
    assert merged.status == "merged" and merged.merge_commit_oid == alice.dataset_info("acme/clinical-notes").sha
    owner = alice.get_discussion_details("alice/gated-tiny-llm", 2).events[-2]
    assert owner.author == "alice" and owner._event["author"]["isOwner"] is True
    with pytest.raises(RepositoryNotFoundError):
        list(mallory.get_repo_discussions("acme/internal-classifier"))
    assert [d.title for d in found["acme/internal-classifier"]] == ["Retrain on Q4 data"]
    assert raw_pinned(demo_hub) == ["Roadmap"]


def raw_pinned(hub) -> list[str]:
    answer = requests.get(f"{hub.url}/api/models/alice/gated-tiny-llm/discussions").json()
    return [d["title"] for d in answer["discussions"] if d["pinned"]]
