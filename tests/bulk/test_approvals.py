"""Plans that make repos public or delete them: the password, and where the team turned it on, another admin's
approval on the Team page's list (the bulk app's fragment); declined and expired plans change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hubdash.activity.models import Event
from hubdash.bulk import jobs as bulk_jobs
from hubdash.bulk.models import ApprovalSetting, Plan
from tests.bulk.conftest import HTMX
from tests.bulk.test_plans import made, outcomes, ticked
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

SECRET = ["acme/org-secret"]


def second_admin(bob) -> None:
    bob.is_superuser = True
    bob.save()


def turn_on(bulk) -> None:
    response = bulk.alice.post("/bulk/approvals/setting/", {"required": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert ApprovalSetting.current()


def waiting_plan(bulk) -> Plan:
    plan = made(bulk.plan("visibility:public", ticked(bulk, SECRET)))
    assert plan.needs_confirmation
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/", {"password": PASSWORD}).status_code == 302
    plan.refresh_from_db()
    return plan


def test_approvals_cannot_be_turned_on_with_one_admin(bulk):
    response = bulk.alice.post("/bulk/approvals/setting/", {"required": "on"})
    assert response.status_code == 409
    assert "two active admins" in response.content.decode()
    assert not ApprovalSetting.current()
    assert bulk.bob.post("/bulk/approvals/setting/", {"required": "on"}).status_code == 403


def test_approval_needed_then_given_by_another_admin(bulk, bob, work):
    second_admin(bob)
    turn_on(bulk)
    plan = waiting_plan(bulk)
    assert plan.state == "awaiting"
    work()
    assert bulk.state("acme/org-secret")["private"] is True  # nothing before the approval
    team = bulk.bob.get("/team/").content.decode()
    assert 'hx-get="/bulk/approvals/"' in team
    region = bulk.bob.get("/bulk/approvals/", **HTMX).content.decode()
    assert f"Plan {plan.pk}: make public" in region
    assert 'aria-label="Approve plan' in region
    # its maker may not approve it
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 409
    assert bulk.bob.post(f"/bulk/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 302
    plan.refresh_from_db()
    assert plan.state == "queued"
    assert plan.decided_by == bob
    work()
    plan.refresh_from_db()
    assert plan.state == "done"
    assert bulk.state("acme/org-secret")["private"] is False
    assert Event.objects.filter(summary__startswith=f"approved bulk plan {plan.pk}", member=bob).exists()


def test_declined_changes_nothing(bulk, bob, work):
    second_admin(bob)
    turn_on(bulk)
    plan = waiting_plan(bulk)
    response = bulk.bob.post(
        f"/bulk/plans/{plan.pk}/decide/", {"decision": "decline", "reason": "not yet", "from": "approvals"}, **HTMX
    )
    assert response.status_code == 200
    assert "No plan waits for approval." in response.content.decode()
    work()
    plan.refresh_from_db()
    assert plan.state == "declined"
    assert outcomes(plan)["acme/org-secret"][0] == "not_tried"
    assert bulk.state("acme/org-secret")["private"] is True
    assert Event.objects.filter(summary=f"declined bulk plan {plan.pk} (make public): not yet").exists()


def test_undecided_plans_expire_after_seven_days(bulk, bob, work):
    second_admin(bob)
    turn_on(bulk)
    plan = waiting_plan(bulk)
    Plan.objects.filter(pk=plan.pk).update(confirmed_at=timezone.now() - timedelta(days=6, hours=23))
    assert bulk_jobs.expire(None) == "No plan expired"  # type: ignore[arg-type]
    Plan.objects.filter(pk=plan.pk).update(confirmed_at=timezone.now() - timedelta(days=7, minutes=1))
    assert bulk_jobs.expire(None) == "1 plan expired"  # type: ignore[arg-type]
    plan.refresh_from_db()
    assert plan.state == "expired"
    assert bulk.bob.post(f"/bulk/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 409
    work()
    assert bulk.state("acme/org-secret")["private"] is True
    assert "Expired: no admin decided within 7 days" in bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()


def test_without_the_setting_a_public_plan_only_needs_the_password(bulk, work):
    plan = waiting_plan(bulk)
    assert plan.state == "queued"
    work()
    assert bulk.state("acme/org-secret")["private"] is False


def test_someone_without_a_password_confirms_with_a_fresh_hugging_face_sign_in(bulk, alice, work):
    import time

    picked = ticked(bulk, SECRET)
    alice.set_unusable_password()
    alice.save()
    from tests.personas import signed_in

    client = signed_in(alice)
    plan = made(bulk.plan("visibility:public", picked, client=client))
    page = client.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "Confirm with Hugging Face" in page
    assert client.post(f"/bulk/plans/{plan.pk}/confirm/").status_code == 400
    session = client.session
    session["hubdash_hf_confirmed_at"] = time.time()
    session.save()
    assert client.post(f"/bulk/plans/{plan.pk}/confirm/").status_code == 302
    work()
    assert bulk.state("acme/org-secret")["private"] is False


def test_pages_show_an_overdue_plan_expired_without_writing_it_and_the_job_writes_it(bulk, bob, work):
    second_admin(bob)
    turn_on(bulk)
    plan = waiting_plan(bulk)
    Plan.objects.filter(pk=plan.pk).update(confirmed_at=timezone.now() - timedelta(days=7, minutes=1))
    region = bulk.bob.get("/bulk/approvals/", **HTMX).content.decode()
    assert f"/bulk/plans/{plan.pk}/" not in region  # no longer waiting, as far as anyone can see
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "Expired: no admin decided within 7 days" in page
    plan.refresh_from_db()
    assert plan.state == "awaiting"  # the pages wrote nothing
    assert not Event.objects.filter(summary__contains="expired undecided").exists()
    assert bulk_jobs.expire(None) == "1 plan expired"  # type: ignore[arg-type]
    plan.refresh_from_db()
    assert plan.state == "expired"
    assert bulk.bob.post("/bulk/approvals/").status_code == 405  # a page, not a change


def test_a_history_restore_of_the_approvals_page_gets_the_whole_page(bulk, bob):
    second_admin(bob)
    region = bulk.bob.get("/bulk/approvals/", **HTMX).content.decode()
    assert "<html" not in region
    restored = bulk.bob.get("/bulk/approvals/", **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in restored
