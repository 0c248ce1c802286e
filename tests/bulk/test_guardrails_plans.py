"""Guardrails on bulk plans: a plan that breaks a team rule names it and its repos and cannot be confirmed
as it is; an admin confirms it with a reason (recorded, and the run then changes the repos); a member's
reason is refused and nothing changes."""

from __future__ import annotations

import pytest

from hubdash.activity.models import Event
from hubdash.bulk.models import Guardrail, Plan
from tests.bulk.test_plans import made, ticked
from tests.personas import PASSWORD, signed_in

pytestmark = pytest.mark.django_db

DAVE_TOKEN = "hf_dave_write_0123456789abcdef"


@pytest.fixture
def guarded(bulk):
    Guardrail.objects.create(rule="public_gated", namespace="acme")
    return bulk


def test_a_plan_that_breaks_a_rule_names_it_and_cannot_be_confirmed_as_it_is(guarded, work):
    plan = made(guarded.plan("visibility:public", ticked(guarded, ["acme/org-secret"])))
    assert plan.violations == [
        "No repo of acme becomes public without gating: acme/org-secret would be public without gating."
    ]
    page = guarded.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "no repo of acme becomes public without gating" in page.lower() and "acme/org-secret" in page
    assert 'name="override_reason"' in page  # alice is an admin
    guarded.forget_calls()
    response = guarded.alice.post(f"/bulk/plans/{plan.pk}/confirm/", {"password": PASSWORD})
    assert response.status_code == 409
    assert "breaks the team&#x27;s guardrails" in response.content.decode()
    work()
    assert guarded.writes() == []
    assert guarded.state("acme/org-secret")["private"] is True


def test_an_admin_overrides_a_plan_with_a_reason_which_is_recorded_and_the_run_goes_ahead(guarded, work):
    plan = made(guarded.plan("visibility:public", ticked(guarded, ["acme/org-secret", "alice/own-model"])))
    data = {"password": PASSWORD, "override_reason": "Open-sourcing it today"}
    response = guarded.alice.post(f"/bulk/plans/{plan.pk}/confirm/", data)
    assert response.status_code == 302
    work()
    plan.refresh_from_db()
    assert plan.state == "done" and plan.override_reason == "Open-sourcing it today"
    assert guarded.state("acme/org-secret")["private"] is False
    event = Event.objects.get(summary__startswith=f"overrode the guardrails of bulk plan {plan.pk}")
    assert event.details["override"] == "Open-sourcing it today"
    assert event.member.username == "alice"


def test_a_member_may_not_override_a_plan(guarded, work):
    from django.contrib.auth.models import User

    from hubdash import hub

    guarded.hub.add_user("dave", orgs={"acme": "write"}, tokens={DAVE_TOKEN: "write"})
    dave = User.objects.create_user("dave", "dave@example.com", PASSWORD)
    hub.connect_token(dave, DAVE_TOKEN)
    client = signed_in(dave)
    plan = made(guarded.plan("visibility:public", ticked(guarded, ["acme/org-secret"]), client=client))
    assert plan.violations
    page = client.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "Only an admin may override a guardrail" in page and 'name="override_reason"' not in page
    guarded.forget_calls()
    data = {"password": PASSWORD, "override_reason": "trust me"}
    response = client.post(f"/bulk/plans/{plan.pk}/confirm/", data)
    assert response.status_code == 409
    assert "Only an admin may override a guardrail; nothing was changed." in response.content.decode()
    work()
    assert guarded.writes() == []
    assert Plan.objects.get(pk=plan.pk).state == "preview"
    assert guarded.state("acme/org-secret")["private"] is True


def test_a_delete_plan_reads_each_repos_downloads_for_the_rule(bulk, work):
    bulk.hub.add_repo("acme/popular-model", downloads=50_000)
    bulk.hub.add_repo("acme/quiet-model", downloads=3)
    Guardrail.objects.create(rule="delete_downloads", downloads=1000)
    plan = made(bulk.plan("delete:", ticked(bulk, ["acme/popular-model", "acme/quiet-model"])))
    assert plan.violations == [
        "Never delete a repo with more than 1,000 downloads: acme/popular-model has 50,000 downloads."
    ]
    bulk.forget_calls()
    response = bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/", {"password": PASSWORD})
    assert response.status_code == 409
    work()
    assert bulk.writes() == []
    assert bulk.state("acme/popular-model") is not None and bulk.state("acme/quiet-model") is not None


def test_an_override_no_longer_holds_once_its_maker_is_demoted(guarded, work):
    plan = made(guarded.plan("visibility:public", ticked(guarded, ["acme/org-secret"])))
    data = {"password": PASSWORD, "override_reason": "Open-sourcing it today"}
    assert guarded.alice.post(f"/bulk/plans/{plan.pk}/confirm/", data).status_code == 302
    assert guarded.alice.post(f"/bulk/plans/{plan.pk}/stop/").status_code == 302
    work()  # the queued job finds its plan stopped
    plan.maker.is_superuser = False  # alice is no longer an admin
    plan.maker.save()
    assert guarded.alice.post(f"/bulk/plans/{plan.pk}/start/").status_code == 302
    work()
    assert guarded.state("acme/org-secret")["private"] is True
    assert guarded.writes() == []
    page = guarded.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "A guardrail of the team forbids this change now" in page
    assert "public without gating" in page
