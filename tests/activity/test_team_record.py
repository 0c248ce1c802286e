"""The record of team changes: who acted and whom it concerned, in the feed, its filters and exports;
Hub error text redacted as the logs are; and what hubdash's own events say about themselves."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from hubdash import hub
from hubdash.activity import record
from hubdash.activity.models import Event, WebhookSecret
from tests.personas import ALICE_TOKEN, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

TOKEN_IN_ERROR = "hf_SeCrEtVaLuE0123456789abcdefXYZ"


def read(response) -> str:
    return response.content.decode()


def feed_lines(client: Client, query: str = "") -> list[str]:
    page = read(client.get(f"/activity/{query}"))
    return [line.split("</li>", 1)[0] for line in page.split('<li class="event-item"')[1:]]


def exported(client: Client, query: str = "") -> list[dict[str, str]]:
    body = b"".join(client.get(f"/activity/export.csv{query}").streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# -- who acted, whom it concerned --------------------------------------------------------------------


def test_a_change_an_admin_makes_to_someone_is_by_the_admin_about_them(alice_client, bob):
    assert alice_client.post(f"/team/{bob.pk}/role/", {"role": "admin"}).status_code == 302
    [line] = feed_lines(alice_client, "?action=team")
    assert ">bob</span>" in line and "role set to admin" in line
    assert "by <strong>alice</strong>" in line and "by <strong>bob</strong>" not in line
    assert "by alice" not in line.split('class="event-meta"')[0]  # said once, beside the summary, not in it
    assert len(feed_lines(alice_client, "?actor=alice")) == 1
    assert feed_lines(alice_client, "?actor=bob") == []
    assert len(feed_lines(alice_client, "?subject=bob")) == 1
    assert feed_lines(alice_client, "?subject=alice") == []
    [row] = exported(alice_client, "?subject=bob")
    assert (row["actor"], row["member"], row["subject"]) == ("alice", "alice", "bob")
    [item] = json.loads(b"".join(alice_client.get("/activity/export.json?actor=alice").streaming_content))
    assert (item["actor"], item["subject"]) == ("alice", "bob")


def test_the_feed_form_has_a_labelled_whom_filter_beside_who(alice_client):
    page = read(alice_client.get("/activity/?subject=bob"))
    assert '<label for="id_subject">About whom</label>' in page
    assert 'name="subject" id="id_subject" value="bob"' in page
    assert page.index('id="id_actor"') < page.index('id="id_subject"')


def test_the_team_page_lists_a_change_under_the_person_it_concerned(alice_client, alice, bob):
    alice_client.post(f"/team/{bob.pk}/active/", {})
    page = read(alice_client.get("/team/"))
    bob_row = page.split(f'id="person-{bob.pk}"', 1)[1].split("</tr>", 1)[0]
    alice_row = page.split(f'id="person-{alice.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "deactivated" in bob_row and "by alice" in bob_row
    assert "deactivated" not in alice_row


def test_a_change_people_make_to_themselves_names_them_once(bob, bob_client):
    from hubdash.accounts.team_changes import record_team_change

    record_team_change(person=bob, by=bob, summary="changed their password", change="password changed")
    [line] = feed_lines(bob_client, "?subject=bob&actor=bob")
    assert "changed their password" in line and "by <strong>bob</strong>" in line
    assert 'class="event-repo event-subject"' not in line


# -- events stored before the fix --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_the_maker_the_actor_and_the_member_the_subject():
    fixed, before = ("activity", "0003_team_change_actor_and_subject"), ("activity", "0002_team_change_subject")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    apps = executor.loader.project_state([before]).apps
    users = apps.get_model("auth", "User")
    old = apps.get_model("activity", "Event")
    demo, bobby, gone = (users.objects.create(username=name) for name in ("demo", "bobby", "gone"))
    # As recorded before the fix: the person changed as the actor, the maker only in details.by.
    role = old.objects.create(
        source="hubdash", action="team", summary="role set to admin by demo", actor="bobby", member_id=bobby.pk,
        details={"change": "role changed", "person": "bobby", "by": "demo", "role": "admin"},
    )  # fmt: skip
    by_someone_gone = old.objects.create(
        source="hubdash", action="team", summary="deactivated by ex-admin", actor="gone", member_id=gone.pk,
        details={"change": "deactivated", "person": "gone", "by": "ex-admin"},
    )  # fmt: skip
    own = old.objects.create(
        source="hubdash", action="team", summary="changed their password", actor="bobby", member_id=bobby.pk,
        details={"change": "password changed", "person": "bobby", "by": "bobby"},
    )  # fmt: skip
    # Already right: recorded after the fix, and an event of the webhook set-up, which concerns nobody.
    right = old.objects.create(
        source="hubdash", action="team", summary="unlocked", actor="demo", member_id=demo.pk,
        subject="bobby", subject_member_id=bobby.pk,
        details={"change": "unlocked", "person": "bobby", "by": "demo"},
    )  # fmt: skip
    setup = old.objects.create(
        source="hubdash", action="team", summary="generated the webhook secret “ci”", actor="demo", member_id=demo.pk,
        details={"secret": "ci (…abcd)"},
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([fixed])

    def shape(pk: int) -> tuple[str, str | None, str, str | None, str]:
        event = Event.objects.select_related("member", "subject_member").get(pk=pk)
        name = lambda user: user.username if user else None  # noqa: E731
        return event.actor, name(event.member), event.subject, name(event.subject_member), event.summary

    assert shape(role.pk) == ("demo", "demo", "bobby", "bobby", "role set to admin")
    assert shape(by_someone_gone.pk) == ("ex-admin", None, "gone", "gone", "deactivated")
    assert shape(own.pk) == ("bobby", "bobby", "bobby", "bobby", "changed their password")
    assert shape(right.pk) == ("demo", "demo", "bobby", "bobby", "unlocked")
    assert shape(setup.pk) == ("demo", "demo", "", None, "generated the webhook secret “ci”")
    assert list(Event.objects.filter(actor="demo").order_by("id").values_list("id", flat=True)) == [
        role.pk, right.pk, setup.pk,
    ]  # fmt: skip


# -- the Hub's words, redacted -----------------------------------------------------------------------


def test_a_hub_refusal_quoting_a_token_is_redacted_before_it_is_stored(hub_world, alice):
    hub.connect_token(alice, ALICE_TOKEN)
    admin = signed_in(alice)
    message = f"Invalid request: the token {TOKEN_IN_ERROR} may not create webhooks"
    hub_world.fault(
        method="POST", path="/api/settings/webhooks", times=1, status=400, body=json.dumps({"error": message})
    )
    admin.post("/webhooks/register", {"watched": ["org:acme"]})
    event = Event.objects.get(summary__contains="failed")
    assert "may not create webhooks" in event.details["reason"]
    assert TOKEN_IN_ERROR not in json.dumps(event.details) and "[redacted]" in event.details["reason"]
    assert TOKEN_IN_ERROR not in read(admin.get(f"/activity/{event.pk}/"))


def test_a_reason_stored_before_redaction_is_redacted_when_shown(alice_client):
    event = Event.objects.create(
        source="hubdash", action="create", summary="create", details={"reason": f"refused {TOKEN_IN_ERROR}"}
    )
    page = read(alice_client.get(f"/activity/{event.pk}/"))
    assert TOKEN_IN_ERROR not in page and "refused [redacted]" in page


# -- what hubdash's own events say -------------------------------------------------------------------


def test_hubdashs_own_events_have_no_visibility_to_call_unknown_and_no_delivery(alice_client, alice):
    event = record(action="delete", summary="deleted", member=alice, repo_type="model", repo_id="acme/old")
    [line] = feed_lines(alice_client)
    assert "visibility unknown" not in line
    page = read(alice_client.get(f"/activity/{event.pk}/"))
    assert ">Delivery<" not in page and "unknown" not in page
    assert "Recorded by hubdash" in page and "<dd>alice</dd>" in page


def test_a_legacy_delivery_still_says_its_visibility_is_unknown(alice_client, secrets):
    from tests.activity.conftest import deliver

    deliver({"update": "datasets/acme/data"})
    [line] = feed_lines(alice_client)
    assert "visibility unknown" in line


def test_the_test_event_is_the_push_the_page_promises_marked_test(hub_world, alice):
    hub.connect_token(alice, ALICE_TOKEN)
    admin = signed_in(alice)
    WebhookSecret.generate("production")
    page = read(admin.post("/webhooks/test"))
    assert "A made-up “pushed to main” on <code>hubdash/webhook-test</code>" in page
    line = page.split('class="event-list test-result">', 1)[1].split("</ul>", 1)[0]
    assert '<span class="event-what">pushed to main</span>' in line
    assert '<span class="badge">test</span>' in line and "marked “test”" in page
    assert 'href="/models/hubdash/webhook-test/"' not in line  # a made-up repo is not linked
