"""Members, invitations and the sign-in policy became team's models without moving a table or losing a row:
a database migrated before the split, with a row in each of those tables, reads the same rows after it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from hubdash.team.models import Invitation, Member, SignInPolicy

pytestmark = pytest.mark.backend

BEFORE_THE_SPLIT = [("accounts", "0006_member_deactivated_at"), ("team", None)]
TABLES = {"accounts_member", "accounts_invitation", "accounts_signinpolicy"}


def migrate(targets: list[tuple[str, str | None]]) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_rows_made_before_the_split_are_team_rows_after_it(alice, bob):
    migrate(BEFORE_THE_SPLIT)
    applied = MigrationExecutor(connection).loader.applied_migrations
    assert ("team", "0001_initial") not in applied and ("accounts", "0007_team_tables_move_to_team") not in applied
    old_apps = MigrationExecutor(connection).loader.project_state(BEFORE_THE_SPLIT[0]).apps
    seen, deactivated = timezone.now() - timedelta(hours=1), timezone.now() - timedelta(days=2)
    old_apps.get_model("accounts", "Member").objects.create(
        user_id=bob.pk, last_seen_at=seen, deactivated_at=deactivated
    )
    old_apps.get_model("accounts", "Invitation").objects.create(
        token_hash="a" * 64, role="admin", note="for dana", created_by_id=alice.pk, expires_at=seen + timedelta(days=3)
    )
    old_apps.get_model("accounts", "SignInPolicy").objects.create(
        pk=1, mode="orgs", orgs=["acme"], min_role="write", updated_by_id=alice.pk
    )

    # As a database from before the split has them: the models' content types under accounts.
    from django.contrib.contenttypes.models import ContentType

    content_types = ContentType.objects
    content_types.filter(app_label="team").delete()
    for model in ("member", "invitation", "signinpolicy"):
        content_types.get_or_create(app_label="accounts", model=model)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert TABLES <= set(connection.introspection.table_names())
    member = Member.objects.get(user=bob)
    assert (member.last_seen_at, member.deactivated_at) == (seen, deactivated)
    invitation = Invitation.objects.get()
    assert (invitation.token_hash, invitation.role, invitation.note, invitation.created_by) == (
        "a" * 64,
        "admin",
        "for dana",
        alice,
    )
    policy = SignInPolicy.current()
    assert (policy.mode, policy.orgs, policy.min_role, policy.updated_by) == ("orgs", ["acme"], "write", alice)
    # Their permissions and admin history followed them: one content type each, under team.
    for model in ("member", "invitation", "signinpolicy"):
        assert ContentType.objects.filter(app_label="team", model=model).count() == 1
        assert not ContentType.objects.filter(app_label="accounts", model=model).exists()
    ContentType.objects.clear_cache()  # the ids changed under Django's cache of content types
    # New rows go to the same tables, and the ids go on from the old ones.
    assert Invitation.objects.create(token_hash="b" * 64, expires_at=seen).pk > invitation.pk
