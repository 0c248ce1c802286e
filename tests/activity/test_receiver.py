"""The webhook receiver: every status, nothing stored when refused, duplicates collapsed, secrets rotated."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hubdash.activity.models import Event, WebhookSecret
from tests.activity.conftest import NEW_SECRET, OLD_SECRET, WEBHOOK_URL, deliver, v3

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

RECORDED = {
    "webhook_v3__discussion_create__docs_openai-community_gpt2.json": (
        "discussion", "model", "openai-community/gpt2", "opened pull request #19 “Update co2 emissions”",
    ),
    "webhook_v3__discussion_update_status__space.json": (
        "discussion", "space", "Wauplin/leaderboard", "closed pull request #4 “Update space_ci/webhook.py”",
    ),
}  # fmt: skip
SEED_PAYLOADS = [
    ({"add": "user/model_id"}, "create", "model", "user/model_id", "created"),
    ({"add": "datasets/user/dataset_id"}, "create", "dataset", "user/dataset_id", "created"),
    ({"update": "spaces/organization/space_id"}, "update", "space", "organization/space_id", "updated"),
    ({"remove": "user/model_id"}, "delete", "model", "user/model_id", "deleted"),
]


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_hub_payloads_are_stored_as_received(secrets, hub_samples, name):
    action, kind, repo_id, summary = RECORDED[name]
    raw = json.dumps(hub_samples(name), indent=2).encode()
    answer = deliver(raw, HTTP_USER_AGENT="huggingface-hub-webhooks")
    assert answer.status == 201 and answer.body["stored"] is True
    event = Event.objects.get()
    assert (event.source, event.action, event.repo_type, event.repo_id, event.summary) == (
        "hub",
        action,
        kind,
        repo_id,
        summary,
    )
    assert event.private is False and event.restricted is False
    assert bytes(event.raw_body) == raw
    assert event.headers["User-Agent"] == "huggingface-hub-webhooks"
    assert event.verified_by == "HUBDASH_WEBHOOK_SECRETS #2"
    assert NEW_SECRET not in json.dumps(event.headers) + json.dumps(event.details) + event.verified_by


@pytest.mark.parametrize(("payload", "action", "kind", "repo_id", "summary"), SEED_PAYLOADS)
def test_seed_payloads_are_stored_as_legacy_events(secrets, payload, action, kind, repo_id, summary):
    assert deliver(payload).status == 201
    event = Event.objects.get()
    assert (event.source, event.action, event.repo_type, event.repo_id, event.summary) == (
        "legacy",
        action,
        kind,
        repo_id,
        summary,
    )
    # A legacy payload does not say whether the repo is private: shown only to its namespace and admins.
    assert event.private is None and event.restricted is True


@pytest.mark.parametrize(
    ("payload", "action", "summary"),
    [
        (v3("repo", "create"), "create", "created"),
        (v3("repo", "delete"), "delete", "deleted"),
        (v3("repo", "move", movedTo={"name": "acme/renamed", "owner": {"id": "x"}}), "move", "moved to acme/renamed"),
        (v3("repo", "move", movedTo={"name": "acme"}), "move", "moved"),  # no namespace: no move target taken
        (v3("repo.config", "update", updatedConfig={"private": True}), "settings", "made private"),
        (v3("repo.config", "update", updatedConfig={}), "settings", "changed settings"),
        (
            v3("repo.content", "update", updatedRefs=[{"ref": "refs/heads/main", "oldSha": "b" * 40, "newSha": "c" * 40}]),  # noqa: E501
            "push",
            "pushed to main",
        ),
        (
            v3("repo.content", "update", updatedRefs=[{"ref": "refs/tags/v1", "oldSha": None, "newSha": "c" * 40}]),
            "push",
            "created tag v1",
        ),
        (
            v3("discussion.comment", "create", discussion={"num": 3, "isPullRequest": False},
               comment={"author": {"id": "61d2f90c3c2083e1c08af22d"}, "hidden": False}),
            "comment",
            "commented on discussion #3",
        ),
    ],
)  # fmt: skip
def test_v3_repo_events_read_as_people_say_them(secrets, payload, action, summary):
    assert deliver(payload).status == 201
    event = Event.objects.get()
    assert (event.action, event.summary) == (action, summary)


@pytest.mark.parametrize(
    ("scope", "action", "read_as", "summary"),
    [
        ("repo.content.lfs", "update", "repo.content update", "pushed"),
        ("repo", "transfer", "repo update", "updated"),
        ("discussion.reaction", "create", "discussion update", "updated discussion"),
        ("collection", "create", "repo update", "updated"),
    ],
)
def test_unknown_v3_scopes_and_actions_are_kept_as_an_update_of_their_parent(secrets, scope, action, read_as, summary):
    answer = deliver(v3(scope, action))
    assert answer.status == 201
    event = Event.objects.get()
    assert event.summary == summary and event.details["read_as"] == read_as
    assert (event.details["scope"], event.details["hub_action"]) == (scope, action)


@pytest.mark.parametrize(
    ("body", "kwargs", "status", "message"),
    [
        (v3("repo", "create"), {"secret": None}, 401, "Missing X-Webhook-Secret"),
        (v3("repo", "create"), {"secret": "guess"}, 401, "Wrong webhook secret"),
        (v3("repo", "create"), {"secret": NEW_SECRET + "x"}, 401, "Wrong webhook secret"),
        (v3("repo", "create"), {"content_type": "text/plain"}, 415, "application/json"),
        (v3("repo", "create"), {"content_type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        (b"{" + b" " * (1024 * 1024) + b"}", {}, 413, "over 1024 kB"),
        (b"not json", {}, 400, "not JSON"),
        (b"\xff\xfe{", {}, 400, "not JSON"),
        (b"  ", {}, 400, "not JSON"),
        (b"[1, 2]", {}, 400, "JSON object"),
        (b'"add"', {}, 400, "JSON object"),
        ({"hello": "world"}, {}, 400, "Expected a Hub webhook payload"),
        ({"add": "user/model", "update": "user/model"}, {}, 400, "Expected"),
        ({"add": 42}, {}, 400, "must name a repo"),
        ({"add": "../../etc/passwd"}, {}, 400, "is not a repo id"),
        ({"event": "create"}, {}, 400, '"event" must be an object'),
        ({"event": {"action": "create", "scope": "repo"}}, {}, 400, '"repo" must be an object'),
        ({"event": {"action": "create", "scope": "repo"}, "repo": {"type": "model", "name": "a--b"}}, {}, 400, "not a repo"),  # noqa: E501
    ],
)  # fmt: skip
def test_bad_deliveries_get_a_clear_error_and_store_nothing(secrets, body, kwargs, status, message):
    answer = deliver(body, **kwargs)
    assert answer.status == status
    assert message in answer.body["error"]
    assert Event.objects.count() == 0


def test_only_post_is_accepted(secrets):
    response = Client().get(WEBHOOK_URL, HTTP_X_WEBHOOK_SECRET=NEW_SECRET)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "POST" in response.json()["error"]


def test_no_configured_secret_refuses_everything(settings):
    settings.WEBHOOK_SECRETS = []
    assert deliver({"add": "user/model"}, secret="").status == 401
    assert deliver({"add": "user/model"}, secret="anything").status == 401
    assert Event.objects.count() == 0


def test_a_repeated_delivery_is_acknowledged_and_counted_not_stored(secrets):
    payload = v3("repo", "create")
    first, again, third = deliver(payload), deliver(payload), deliver(payload, secret=OLD_SECRET)
    assert (first.status, again.status, third.status) == (201, 200, 200)
    assert again.body["duplicate"] is True and again.body["event"] == first.body["event"]
    event = Event.objects.get()
    assert event.duplicates == 2


def test_the_same_legacy_change_made_again_later_is_a_new_event(secrets):
    deliver({"update": "acme/bert-tiny"})
    Event.objects.update(received_at=timezone.now() - timedelta(minutes=1))
    answer = deliver({"update": "acme/bert-tiny"})
    assert answer.status == 201 and answer.body["stored"] is True
    assert Event.objects.count() == 2
    # ...and a retry of that new one is still collapsed.
    assert deliver({"update": "acme/bert-tiny"}).status == 200 and Event.objects.count() == 2


def test_a_v3_body_replayed_long_after_is_stored_again(secrets):
    payload = v3(
        "repo.content", "update", updatedRefs=[{"ref": "refs/heads/main", "oldSha": "b" * 40, "newSha": "c" * 40}]
    )
    deliver(payload)
    Event.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    assert deliver(payload).status == 200  # still within the retry window of a v3 delivery
    Event.objects.update(received_at=timezone.now() - timedelta(hours=1))
    assert deliver(payload).status == 201 and Event.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_from_many_threads_at_once_is_stored_once(secrets):
    """Eight workers get the same delivery at once; each retries a 5xx as the Hub does.

    (The suite's in-memory SQLite answers "table is locked" to a second writer where a file database
    would wait: the receiver then says 503, which the Hub retries. PostgreSQL never needs the retry.)
    """
    payload = json.dumps(v3("repo", "create", repo="acme/concurrent")).encode()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send() -> None:
        barrier.wait()
        for _ in range(200):
            answer = deliver(payload)
            if answer.status < 500:
                break
            time.sleep(0.01)
        statuses.append(answer.status)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 7 + [201]
    event = Event.objects.get()
    assert event.duplicates == 7


def test_old_and_new_secrets_both_work_while_both_are_configured(secrets):
    assert deliver({"add": "acme/one"}, secret=OLD_SECRET).status == 201
    assert deliver({"add": "acme/two"}, secret=NEW_SECRET).status == 201
    assert [e.verified_by for e in Event.objects.order_by("id")] == [
        "HUBDASH_WEBHOOK_SECRETS #1",
        "HUBDASH_WEBHOOK_SECRETS #2",
    ]
    secrets.WEBHOOK_SECRETS = [NEW_SECRET]  # rotation done: the old one is dropped
    assert deliver({"add": "acme/three"}, secret=OLD_SECRET).status == 401
    assert deliver({"add": "acme/three"}, secret=NEW_SECRET).status == 201
    assert Event.objects.count() == 3


def test_secrets_created_in_hubdash_work_until_retired(settings, alice):
    settings.WEBHOOK_SECRETS = []
    row, value = WebhookSecret.generate("production Hub webhook", created_by=alice)
    assert value not in (row.digest, row.last4) and value.endswith(row.last4)
    assert deliver({"add": "acme/one"}, secret=value).status == 201
    assert Event.objects.get().verified_by == f"secret “production Hub webhook” …{row.last4}"
    row.retire()
    assert deliver({"add": "acme/two"}, secret=value).status == 401
    assert Event.objects.count() == 1
