"""A plan's life after its preview: confirmed (password or a fresh Hugging Face sign-in for plans that make
repos public or delete them), waiting for another admin's approval where the team asks for one, approved,
declined, expired, cancelled; and undo, a new plan restoring the states the journal kept. Each step is a feed
event (`activity.record`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from hubdash.activity import record
from hubdash.core.permissions import is_admin

from . import planning, runs
from .models import (
    APPROVAL_DAYS,
    AWAITING,
    CANCELLED,
    DECLINED,
    DELETE,
    EXPIRED,
    ITEM_DONE,
    MOVE,
    PENDING,
    PREVIEW,
    QUEUED,
    SKIPPED,
    STOPPED,
    ApprovalSetting,
    Plan,
    PlanItem,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class NotAllowed(Exception):
    """A step this person may not take on this plan now (said in plain words)."""


NOTHING_TO_DO = "This plan has nothing to change: every repo in it is skipped. Nothing was run."


def active_admins() -> int:
    return get_user_model().objects.filter(is_superuser=True, is_active=True).count()


def set_approvals(user: User, required: bool) -> None:
    """Turn the second admin's approval on or off: on needs two active admins at least."""
    if required and active_admins() < 2:
        raise NotAllowed("Approvals need two active admins at least: one makes a plan, another approves it.")
    ApprovalSetting.objects.update_or_create(pk=1, defaults={"required": required, "changed_by": user})
    record(
        action="team",
        summary="turned on approvals of bulk plans" if required else "turned off approvals of bulk plans",
        member=user,
    )


def confirm(plan: Plan, user: User, override: str = "") -> Plan:
    """The maker confirms (the password already checked by the view when the plan needs it); a plan that
    breaks the team's guardrails only with an admin's reason (`override`), which the plan and feed keep."""
    if plan.maker_id != user.pk:
        raise NotAllowed("Only the person who made a plan may confirm it.")
    if plan.state == PREVIEW and not plan.items.filter(state=PENDING).exists():
        raise NotAllowed(NOTHING_TO_DO)
    override = " ".join(override.split())[:500]
    if plan.violations:
        if override and not is_admin(user):
            raise NotAllowed("Only an admin may override a guardrail; nothing was changed.")
        if not override:
            raise NotAllowed(
                "This plan breaks the team's guardrails: change the selection first"
                + (", or override them with a reason." if is_admin(user) else ".")
            )
        Plan.objects.filter(pk=plan.pk, state=PREVIEW).update(override_reason=override)
        record(
            action="update",
            summary=f"overrode the guardrails of bulk plan {plan.pk}: {override}"[:300],
            member=user,
            details={"override": override, "rules": plan.violations, "plan": plan.pk},
        )
    needs_approval = plan.needs_confirmation and ApprovalSetting.current()
    state = AWAITING if needs_approval else QUEUED
    with transaction.atomic():
        if not Plan.objects.filter(pk=plan.pk, state=PREVIEW).update(
            state=state, confirmed_at=timezone.now(), needs_approval=needs_approval
        ):
            raise NotAllowed("This plan was confirmed or cancelled already.")
    plan.refresh_from_db()
    todo = plan.items.filter(state=PENDING).count()
    what = f"bulk plan {plan.pk}: {planning.describe(plan)}, {todo} repo{'s' if todo != 1 else ''}"
    if needs_approval:
        record(action="update", summary=f"asked for approval of {what}", member=user)
    else:
        record(action="update", summary=f"confirmed {what}", member=user)
        runs.start(plan)
    return plan


def decide(plan: Plan, admin: User, approve: bool, reason: str = "") -> Plan:
    """Another admin approves (the run is queued) or declines a waiting plan."""
    if not is_admin(admin):
        raise NotAllowed("Only admins decide on plans.")
    if plan.maker_id == admin.pk:
        raise NotAllowed("Another admin must decide on your own plan.")
    expire_due()
    state = QUEUED if approve else DECLINED
    if not Plan.objects.filter(pk=plan.pk, state=AWAITING).update(
        state=state, decided_by=admin, decided_at=timezone.now(), decline_reason=reason[:300]
    ):
        raise NotAllowed("This plan is no longer waiting for a decision.")
    plan.refresh_from_db()
    if approve:
        record(
            action="update",
            summary=f"approved bulk plan {plan.pk} ({planning.describe(plan)})",
            member=admin,
            subject=plan.maker,
        )
        runs.start(plan)
    else:
        runs.give_up(plan)
        said = f": {reason}" if reason else ""
        record(
            action="update",
            summary=f"declined bulk plan {plan.pk} ({planning.describe(plan)}){said}"[:300],
            member=admin,
            subject=plan.maker,
        )
    return plan


def cancel(plan: Plan, user: User) -> None:
    if plan.maker_id != user.pk:
        raise NotAllowed("Only the person who made a plan may cancel it.")
    if not Plan.objects.filter(pk=plan.pk, state__in=[PREVIEW, AWAITING]).update(state=CANCELLED):
        raise NotAllowed("Only a plan not yet running can be cancelled.")
    runs.give_up(plan)
    record(action="update", summary=f"cancelled bulk plan {plan.pk}", member=user)


def shown(plan: Plan, now: datetime | None = None) -> Plan:
    """The plan as pages show it, computed, never written (the periodic jobs write it): one waiting longer
    than APPROVAL_DAYS is expired, a running one whose worker went silent is stopped."""
    now = now or timezone.now()
    if plan.state == AWAITING and plan.confirmed_at and plan.confirmed_at < now - timedelta(days=APPROVAL_DAYS):
        plan.state = EXPIRED
    elif runs.is_stale(plan, now):
        plan.state, plan.outcome = STOPPED, runs.WORKER_GONE
    return plan


def expire_due(now: datetime | None = None) -> int:
    """Plans waiting for approval longer than APPROVAL_DAYS expire (the periodic job and every decision)."""
    now = now or timezone.now()
    due = list(Plan.objects.filter(state=AWAITING, confirmed_at__lt=now - timedelta(days=APPROVAL_DAYS)))
    expired = 0
    for plan in due:
        if Plan.objects.filter(pk=plan.pk, state=AWAITING).update(state=EXPIRED, finished_at=now):
            runs.give_up(plan)
            expired += 1
            record(
                action="update",
                summary=f"bulk plan {plan.pk} expired undecided after {APPROVAL_DAYS} days",
                member=plan.maker,
            )
    return expired


def undo(plan: Plan, user: User) -> Plan:
    """A new plan restoring, for each repo the plan changed, the state it had before where it was known."""
    if plan.maker_id != user.pk:
        raise NotAllowed("Only the person who made a plan may undo it.")
    done = list(plan.items.filter(state=ITEM_DONE).order_by("position"))
    if not done:
        raise NotAllowed("This plan changed no repo: there is nothing to undo.")
    field = planning.FIELD[plan.change]
    items: list[PlanItem] = []
    for position, old in enumerate(done):
        item = PlanItem(position=position, kind=old.kind, state=PENDING, repo_id=old.repo_id)
        was = old.before.get(field)
        if plan.change == MOVE:
            item.repo_id, item.new_id = old.new_id, old.repo_id
            item.before, item.after = {"id": old.new_id}, {"id": old.repo_id}
        else:
            item.before = {**old.before, field: old.after.get(field)}
            item.after = {field: was}
        if plan.change == DELETE:
            item.state, item.reason = SKIPPED, "A deletion cannot be undone."
        elif was is None:
            item.state, item.reason = SKIPPED, "Its state before the plan was not known: not restored."
        items.append(item)
    dangerous = any(i.after.get("visibility") == "public" for i in items if i.state == PENDING)
    with transaction.atomic():
        new = Plan.objects.create(
            maker=user,
            change=plan.change,
            target="restore",
            source=f"Undo of plan {plan.pk}",
            undo_of=plan,
            calls=sum(1 for i in items if i.state == PENDING) * planning.CALLS_PER_ITEM,
            needs_confirmation=dangerous,
        )
        new.estimated_seconds = planning.estimate_seconds(new.calls, planning.DEFAULT_CALL_S, None)
        new.save(update_fields=["estimated_seconds"])
        for item in items:
            item.plan = new
        PlanItem.objects.bulk_create(items)
    record(action="update", summary=f"made bulk plan {new.pk} to undo plan {plan.pk}", member=user)
    return new
