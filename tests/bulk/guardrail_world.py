"""Shared set-up of the guardrails' and saved views' tests: the browsing personas, plus dave, a member
(not an admin) whose Hub token writes in acme, and the team's rules."""

from __future__ import annotations

import pytest

from tests.personas import PASSWORD, signed_in
from tests.repos.conftest import browsing

__all__ = ["DAVE_TOKEN", "HTMX", "browsing", "dave", "judge_deliveries", "rule", "writes"]

DAVE_TOKEN = "hf_dave_write_0123456789abcdef"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def dave(browsing):
    from django.contrib.auth.models import User

    from hubdash import hub

    browsing.hub.add_user("dave", fullname="Dave Okafor", orgs={"acme": "write"}, tokens={DAVE_TOKEN: "write"})
    user = User.objects.create_user("dave", "dave@example.com", PASSWORD)
    hub.connect_token(user, DAVE_TOKEN)
    browsing.forget_calls()
    return signed_in(user)


def rule(kind: str, namespace: str = "", **fields):
    from hubdash.bulk.models import Guardrail

    return Guardrail.objects.create(rule=kind, namespace=namespace, **fields)


def writes(browsing) -> list[dict]:
    """What hubdash sent to the Hub that changes something."""
    return [r for r in browsing.hub_calls() if r["method"] in ("POST", "PUT", "DELETE")]


def judge_deliveries() -> None:
    """Run the webhook deliveries' queued guardrail judgements as the worker would (the task's own function)."""
    from django_tasks_db.models import DBTaskResult

    from hubdash.activity.violations import judge_delivery

    for row in DBTaskResult.objects.filter(status="READY", task_path__endswith="judge_delivery").order_by(
        "enqueued_at"
    ):
        DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL")
        judge_delivery.call(*row.args_kwargs["args"])
