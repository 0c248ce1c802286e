"""The token table belongs to the hub app: moved there without losing a row, and read once per request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubdash import hub
from hubdash.hub.vault import seal
from tests.personas import ALICE_TOKEN, BOB_TOKEN

pytestmark = pytest.mark.backend

BEFORE_THE_MOVE = [("accounts", "0001_initial")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_a_token_stored_before_the_move_still_works_after_it(hub_world, alice):
    migrate(BEFORE_THE_MOVE)
    old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_THE_MOVE[0]).apps
    key_id, blob = seal(ALICE_TOKEN, alice.pk)
    old_apps.get_model("accounts", "HubToken").objects.create(
        user_id=alice.pk,
        ciphertext=blob,
        key_id=key_id,
        last4=ALICE_TOKEN[-4:],
        role="write",
        scopes=[],
        hub_username="alice",
        verified_at=timezone.now(),
    )
    assert "accounts_hubtoken" in connection.introspection.table_names()

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    tables = connection.introspection.table_names()
    assert "hub_hubtoken" in tables and "accounts_hubtoken" not in tables
    person = User.objects.get(pk=alice.pk)
    status = hub.token_status(person)
    assert status is not None and (status.last4, status.role, status.state) == (ALICE_TOKEN[-4:], "write", "valid")
    assert hub.identity_for(person).fullname == "Alice Martin"  # the sealed token still decrypts and works


def token_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "hub_hubtoken" in q["sql"]]


@pytest.mark.django_db
def test_the_profile_reads_the_token_row_once(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    for method, name in (("get", "profile"), ("post", "profile-refresh"), ("get", "token")):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(alice_client, method)(reverse(name), headers={"HX-Request": "true"})
        assert response.status_code == 200
        reads = [sql for sql in token_queries(queries) if sql.lstrip().upper().startswith("SELECT")]
        assert len(reads) <= 1, (name, reads)


@pytest.mark.django_db
def test_the_team_page_reads_every_token_in_one_query(hub_world, alice_client, bob_client, charlie):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    bob_client.post(reverse("token"), {"token": BOB_TOKEN})
    with CaptureQueriesContext(connection) as queries:
        page = alice_client.get(reverse("team")).content.decode()
    # Everyone's token in one query, whatever the team's size; the account menu reads the viewer's own.
    assert len(token_queries(queries)) <= 2
    assert page.count("badge good") == 2 and "none" in page


@pytest.mark.django_db
def test_the_person_and_their_token_are_each_read_once_per_page(hub_world, alice_client):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    with CaptureQueriesContext(connection) as queries:
        assert alice_client.get(reverse("profile")).status_code == 200
    reads = [sql for sql in token_queries(queries) if sql.lstrip().upper().startswith("SELECT")]
    people = [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]
    # Loaded with the signed-in person (the account menu and every Hub call need it), never again.
    assert len(reads) == 1 and len(people) == 1, (reads, people)


@pytest.mark.django_db
def test_who_the_person_is_on_the_hub_is_read_once_per_page(hub_world, alice_client, monkeypatch):
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    backend = caches["default"]
    read = backend.get
    whoami_reads: list[str] = []

    def counted(key, *args, **kwargs):  # type: ignore[no-untyped-def]
        if key.startswith("hub:whoami:"):
            whoami_reads.append(key)
        return read(key, *args, **kwargs)

    monkeypatch.setattr(backend, "get", counted)
    # The listing asks three times (what she may write, the page's key, the account menu); the home page too.
    for name in ("model-list", "home"):
        whoami_reads.clear()
        page = alice_client.get(reverse(name))
        assert page.status_code == 200 and "Account menu" in page.content.decode()
        assert len(whoami_reads) == 1, (name, whoami_reads)
