"""`mirror.record_details` (what the review page calls after an action) takes the official client's
`DiscussionWithDetails` as well as the raw details the mirror reads, and writes the same row from either."""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi

from hubdash.discussions import mirror
from hubdash.discussions.models import Discussion
from hubdash.hub import discussions as hub_discussions
from tests.discussions.inbox_world import *  # noqa: F403
from tests.personas import ALICE_TOKEN

pytestmark = pytest.mark.django_db
COLUMNS = (
    "title",
    "status",
    "author",
    "author_is_member",
    "created_at",
    "last_activity_at",
    "num_comments",
    "waiting_on_us",
    "is_pull_request",
    "target_branch",
    "private",
)


def test_the_clients_details_and_the_raw_details_make_the_same_row(world, seeded, alice):
    from hubdash import hub

    num = seeded["draft"]
    world.act("acme/bert", num, "alice", comment="Thanks, we will look.")
    world.act("acme/bert", num, "yan", comment="Rebased.")
    official = HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).get_discussion_details("acme/bert", num)
    from_client = mirror.record_details("model", "acme/bert", official)
    values = [getattr(from_client, c) for c in COLUMNS]
    raw = hub_discussions.details(hub.client_for(alice), "model", "acme/bert", num)
    from_raw = mirror.record_details("model", "acme/bert", raw)
    assert [getattr(from_raw, c) for c in COLUMNS] == values
    assert values[:4] == ["Add a safetensors copy", "draft", "yan", False]
    assert from_raw.num_comments == 3 and from_raw.waiting_on_us  # the author wrote after the member
    assert from_raw.target_branch == "refs/heads/main" and not from_raw.private
    assert Discussion.objects.filter(repo_id="acme/bert", num=num).count() == 1


def test_a_member_is_who_the_hub_marks_so_or_the_owner_of_a_user_namespace(world, hub_world):
    hub_world.add_repo("alice/notes")
    num = world.open("alice/notes", "alice", "My own notes")
    raw = {
        "num": num,
        "title": "My own notes",
        "status": "open",
        "author": {"name": "alice"},
        "events": [],
        "createdAt": "2026-11-01T08:00:00Z",
    }
    assert mirror.record_details("model", "alice/notes", raw).author_is_member
    outsider = {
        **raw,
        "author": {"name": "zed"},
        "events": [
            {
                "type": "comment",
                "createdAt": "2026-11-01T08:00:00Z",
                "author": {"name": "zed", "isOwner": False, "isOrgMember": False},
            },
            {"type": "comment", "createdAt": "2026-11-02T08:00:00Z", "author": {"name": "carol", "isOrgMember": True}},
        ],
    }
    row = mirror.record_details("model", "alice/notes", outsider)
    assert not row.author_is_member and not row.waiting_on_us and row.num_comments == 2
