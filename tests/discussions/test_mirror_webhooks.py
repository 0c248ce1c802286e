"""Webhook deliveries keep the inbox current: hubsim's own `discussion`, `discussion.comment` and `repo.content`
deliveries, handed to hubdash's receiver, update the row of the item concerned with at most one Hub call (its
details, never a list), and "waiting on us" follows the comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hubdash.discussions.models import Discussion, WatchedNamespace
from tests.discussions.inbox_world import *  # noqa: F403
from tests.discussions.inbox_world import run_tasks

pytestmark = pytest.mark.django_db


def row(repo_id: str, num: int, kind: str = "model") -> Discussion:
    return Discussion.objects.get(repo_type=kind, repo_id=repo_id, num=num)


def test_waiting_on_us_follows_the_comments(webhooks, seeded):
    world, num = webhooks, seeded["question"]
    assert row("acme/bert", num).waiting_on_us
    world.act("acme/bert", num, "alice", comment="Use the Trainer, see the docs.")
    assert world.deliver_new() == [201]
    run_tasks()
    answered = row("acme/bert", num)
    assert not answered.waiting_on_us and answered.num_comments == 2
    page = world.bob.get(reverse("discussions"), {"waiting": "yes"}).content.decode()
    assert "How do I fine-tune bert?" not in page
    world.act("acme/bert", num, "yan", comment="Same question here.")  # another outsider: still answered
    world.deliver_new()
    run_tasks()
    assert not row("acme/bert", num).waiting_on_us
    world.act("acme/bert", num, "zed", comment="That fails with an error, though.")  # its author again
    world.deliver_new()
    run_tasks()
    again = row("acme/bert", num)
    assert again.waiting_on_us and again.num_comments == 4
    assert "How do I fine-tune bert?" in world.bob.get(reverse("discussions"), {"waiting": "yes"}).content.decode()


def test_a_comment_delivery_updates_its_row_with_one_hub_call_for_that_item(webhooks, seeded):
    world, num = webhooks, seeded["question"]
    before = row("acme/bert", num).last_activity_at
    world.act("acme/bert", num, "alice", comment="Looking into it.")
    world.forget_calls()
    assert world.deliver_new() == [201]
    assert world.hub_calls() == []  # the receiver itself calls nothing: a task does
    run_tasks()
    assert world.hub_calls() == [f"GET /api/models/acme/bert/discussions/{num}"]  # no ?diff=1, no list
    assert row("acme/bert", num).last_activity_at > before


def test_a_new_pull_request_arrives_with_one_hub_call_per_delivery(webhooks, seeded):
    world = webhooks
    num = world.open("acme/bert", "zed", "Quantised weights", pullRequest=True)
    statuses = world.deliver_new()  # `discussion` create, and `repo.content` for refs/pr/N
    run_tasks()
    calls = world.hub_calls()
    assert len(calls) <= len(statuses) and set(calls) == {f"GET /api/models/acme/bert/discussions/{num}"}
    created = row("acme/bert", num)
    assert (created.title, created.status, created.author, created.is_pull_request) == (
        "Quantised weights",
        "draft",
        "zed",
        True,
    )
    assert created.waiting_on_us and not created.author_is_member
    assert "Quantised weights" in world.bob.get(reverse("discussions")).content.decode()


def test_commits_pushed_to_a_pull_request_update_it(webhooks, seeded):
    world, num = webhooks, seeded["draft"]
    world.act("acme/bert", num, "yan", files={"model.safetensors": "weights"}, message="Add the weights")
    world.forget_calls()
    world.deliver_new()  # repo.content on refs/pr/N, and the status change draft → open
    run_tasks()
    assert set(world.hub_calls()) == {f"GET /api/models/acme/bert/discussions/{num}"}
    assert row("acme/bert", num).status == "open"


def test_closing_and_merging_take_items_out_of_the_inbox(webhooks, seeded):
    world = webhooks
    world.act("acme/bert", seeded["question"], "alice", status="closed")
    world.act("acme/corpus", seeded["corpus_pr"], "alice", kind="dataset", merge=True)
    world.deliver_new()
    assert row("acme/bert", seeded["question"]).status == "closed"  # from the payload at once, before any call
    run_tasks()
    assert row("acme/corpus", seeded["corpus_pr"], "dataset").status == "merged"
    page = world.bob.get(reverse("discussions")).content.decode()
    assert "How do I fine-tune bert?" not in page and "More rows" not in page


def test_a_discussion_delivery_makes_its_namespace_covered(webhooks, seeded):
    world = webhooks
    assert WatchedNamespace.objects.get(namespace="acme").last_delivery_at is None
    world.act("acme/bert", seeded["question"], "zed", comment="Any news?")
    world.deliver_new()
    assert WatchedNamespace.objects.get(namespace="acme").last_delivery_at is not None
    page = world.bob.get(reverse("discussions")).content.decode()
    assert "kept current by webhooks" in page


def test_deliveries_about_namespaces_not_watched_change_nothing_and_call_nothing(webhooks, seeded):
    from huggingface_hub import HfApi

    from tests.discussions.inbox_world import NOWHERE, SECRET
    from tests.personas import ALICE_TOKEN

    world = webhooks
    world.hub.add_repo("datalab/notes")
    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).create_webhook(
        url=NOWHERE, watched=[{"type": "org", "name": "datalab"}], domains=["discussion"], secret=SECRET
    )
    world.open("datalab/notes", "zed", "A question")
    world.forget_calls()
    assert world.deliver_new() == [201]
    run_tasks()
    assert world.hub_calls() == [] and not Discussion.objects.filter(repo_id="datalab/notes").exists()


def test_without_a_lent_token_a_delivery_marks_the_item_for_the_next_refresh(webhooks, seeded, alice):
    from hubdash.jobs.delegation import give_up

    world = webhooks
    give_up(alice, "discussions", "acme")
    world.act("acme/bert", seeded["question"], "alice", comment="Answered.")
    world.forget_calls()
    world.deliver_new()
    run_tasks()
    assert world.hub_calls() == []
    assert row("acme/bert", seeded["question"]).details_at is None


def test_a_renamed_repo_takes_its_items_along_and_a_deleted_one_takes_them_away(webhooks, seeded):
    from huggingface_hub import HfApi

    from tests.personas import ALICE_TOKEN

    world = webhooks
    api = HfApi(endpoint=world.hub.url, token=ALICE_TOKEN)
    api.move_repo("acme/bert", "acme/bert-base")
    api.delete_repo("acme/corpus", repo_type="dataset")
    world.forget_calls()
    world.deliver_new()
    run_tasks()
    assert world.hub_calls() == []
    assert set(Discussion.objects.values_list("repo_id", flat=True)) == {"acme/bert-base", "acme/vault"}
    page = world.bob.get(reverse("discussions"), {"repo": "acme/bert-base"}).content.decode()
    assert "How do I fine-tune bert?" in page
    assert "More rows" not in world.bob.get(reverse("discussions")).content.decode()


def test_what_a_delivery_could_not_read_is_read_by_the_next_hourly_run_a_new_item_too(webhooks, seeded, alice):
    from hubdash.discussions.jobs import refresh_all
    from hubdash.jobs.delegation import give_up, take_on

    world = webhooks
    give_up(alice, "discussions", "acme")
    world.act("acme/bert", seeded["question"], "alice", comment="Answered.")
    new = world.open("acme/bert", "zed", "Asked while nobody lent a token")  # no row yet to mark
    world.deliver_new()
    run_tasks()
    assert row("acme/bert", seeded["question"]).waiting_on_us  # not read: nobody lent a token
    assert not Discussion.objects.filter(repo_id="acme/bert", num=new).exists()
    take_on(alice, "discussions", "acme")
    world.forget_calls()
    assert "acme: kept current by webhooks; 2 items read again" in refresh_all(None)
    assert sorted(c for c in world.hub_calls() if "/discussions" in c) == sorted(
        [
            "GET /api/models/acme/bert/discussions?status=open&p=0",  # the repo of the item new since: its list
            f"GET /api/models/acme/bert/discussions/{seeded['question']}",
            f"GET /api/models/acme/bert/discussions/{new}",
        ]
    )
    assert not row("acme/bert", seeded["question"]).waiting_on_us
    assert row("acme/bert", new).waiting_on_us  # in the inbox at last
    world.forget_calls()
    assert "acme: kept current by webhooks" in refresh_all(None) and world.hub_calls() == []  # nothing left over


def test_a_move_delivery_naming_no_namespace_leaves_the_inbox_working(webhooks, seeded):
    """A move's target the Hub would never send (a bare name): the rows leave rather than take a name no repo
    page could have, which broke every inbox's links."""
    from hubdash.activity.payloads import Parsed
    from hubdash.activity.signals import delivery_stored

    world = webhooks
    for target in ("acme", "acme/bad name", "other/../acme"):
        moved = Parsed(
            source="hub",
            action="move",
            summary="moved",
            repo_type="model",
            repo_id="acme/bert",
            private=False,
            details={"scope": "repo", "hub_action": "move", "moved_to": target},
        )
        delivery_stored.send(sender=Parsed, parsed=moved, event=None)
        assert not Discussion.objects.filter(repo_id=target).exists()
    assert set(Discussion.objects.values_list("repo_id", flat=True)) == {"acme/vault", "acme/corpus"}
    page = world.bob.get(reverse("discussions"))
    assert page.status_code == 200 and "Vault access for the team" in page.content.decode()
    assert world.hub_calls() == []


def test_a_title_changed_on_the_hub_is_found_by_the_text_filter_before_any_read(webhooks, seeded, alice):
    from hubdash.jobs.delegation import give_up

    world = webhooks
    give_up(alice, "discussions", "acme")  # nobody lends a token: the details wait for the next hourly run
    world.act("acme/bert", seeded["question"], "zed", title="Fine-tuning crashes with LoRA")
    world.deliver_new()
    run_tasks()
    found = world.bob.get(reverse("discussions"), {"q": "lora"}).content.decode()
    assert "Fine-tuning crashes with LoRA" in found
    assert "Fine-tuning crashes" not in world.bob.get(reverse("discussions"), {"q": "fine-tune bert"}).content.decode()


def test_a_burst_of_comments_on_one_item_reads_it_once(webhooks, seeded):
    world, num = webhooks, seeded["question"]
    for n in range(3):
        world.act("acme/bert", num, "zed", comment=f"Any news? ({n})")
    world.forget_calls()
    assert world.deliver_new() == [201, 201, 201]
    run_tasks()
    assert world.hub_calls() == [f"GET /api/models/acme/bert/discussions/{num}"]  # one read, with the lent token
    assert row("acme/bert", num).num_comments == 4
    world.act("acme/bert", num, "alice", comment="Answered in the docs.")  # once read, the next comment reads again
    world.forget_calls()
    world.deliver_new()
    run_tasks()
    assert world.hub_calls() == [f"GET /api/models/acme/bert/discussions/{num}"]
    assert not row("acme/bert", num).waiting_on_us


def test_reads_for_deliveries_wait_their_turn_in_the_lent_tokens_quota(webhooks, seeded, monkeypatch):
    from hubdash.discussions import refresh

    world = webhooks
    waits: list[float] = []
    monkeypatch.setattr(refresh, "sleep", waits.append)
    # A quota of two calls a window: after the first read one is left, and the pacer spreads it over what is
    # left of the window (the Hub's `t`, at least a second), as the jobs' reads do.
    world.hub.control("POST", "ratelimit", {"quotas": {"api": 2}, "window_s": 300})
    world.act("acme/bert", seeded["question"], "zed", comment="Any news?")
    world.act("acme/bert", seeded["draft"], "yan", comment="Rebased.")
    world.forget_calls()
    world.deliver_new()
    run_tasks()
    assert len(world.hub_calls()) == 2  # both read, neither refused for the quota
    assert waits and waits[-1] > 0.5  # the second read waited its turn
