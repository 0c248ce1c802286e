"""Applying a confirmed plan: one django-tasks job, with its maker's own token and rights checked again, that
re-reads each repo just before changing it (a repo renamed, deleted or changed on the Hub since the plan is
skipped, said, never overwritten), paces itself by the Hub's `RateLimit` figures, and keeps each repo's outcome.

Each item is claimed in one UPDATE (pending → claimed) before its Hub call: of two runs of one plan, one does
it. A worker killed mid-run leaves its plan running with a stale heartbeat; `refresh` then calls it stopped,
and starting it again does the rest: an item left claimed is re-read, found done if the Hub already shows
the plan's state (its change had gone out), else done then. No repo is changed twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from hubdash import hub
from hubdash.activity import record
from hubdash.core import visibility
from hubdash.core.heartbeat import heartbeat
from hubdash.core.logging import redact
from hubdash.core.permissions import is_admin
from hubdash.hub import manage as hub_manage
from hubdash.hub import ratelimit
from hubdash.hub import repo_state as hub_state
from hubdash.hub.repo_types import Kind
from hubdash.hub.rights import writable_namespaces
from hubdash.jobs.pacing import Pacer

from . import guard, planning
from .models import (
    CLAIMED,
    DELETE,
    DISCUSSIONS,
    DONE,
    GATING,
    ITEM_DONE,
    MOVE,
    NOT_TRIED,
    PENDING,
    QUEUED,
    REFUSED,
    RUNNING,
    SKIPPED,
    STOPPED,
    VISIBILITY,
    Plan,
    PlanItem,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

HEARTBEAT_S = 15.0  # a running plan says it is alive this often (its own thread), even while the pacer waits
STALE_S = 90.0  # a running plan silent this long lost its worker: it is stopped
# For tests: called after each item's Hub change, before its outcome is kept (a kill is simulated there).
after_change_hook: Callable[[PlanItem], None] | None = None


def start(plan: Plan) -> bool:
    """Queue a confirmed (or stopped) plan's run; False when it is not in a state to start."""
    queued = Plan.objects.filter(pk=plan.pk, state__in=[STOPPED, QUEUED]).update(state=QUEUED)
    if not queued:
        return False
    run_plan.enqueue(plan.pk)
    return True


WORKER_GONE = "The worker stopped during the run: start it again to do the rest."


def is_stale(plan: Plan, now: datetime | None = None) -> bool:
    """A running plan whose worker stopped beating (computed: pages show it stopped before the sweep runs)."""
    if plan.state != RUNNING or plan.heartbeat_at is None:
        return False
    return (now or timezone.now()) - plan.heartbeat_at > timedelta(seconds=STALE_S)


def stop_stale(plan_id: int | None = None, now: datetime | None = None) -> int:
    """Running plans whose worker stopped beating are stopped (the rest waits for "Start again"): the bulk
    periodic job's sweep, and "Start again" on that plan. Returns how many."""
    stale = (now or timezone.now()) - timedelta(seconds=STALE_S)
    found = Plan.objects.filter(state=RUNNING, heartbeat_at__lt=stale)
    if plan_id is not None:
        found = found.filter(pk=plan_id)
    return found.update(state=STOPPED, outcome=WORKER_GONE)


@task()
def run_plan(plan_id: int) -> str:
    """The job: claim the plan (queued → running), do each item, end with the summary line."""
    claimed = Plan.objects.filter(pk=plan_id, state=QUEUED).update(
        state=RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now(), outcome=""
    )
    if not claimed:
        return "not queued"
    plan = Plan.objects.select_related("maker").get(pk=plan_id)
    repos = plan.items.exclude(state=SKIPPED).count()
    record(
        action="update",
        summary=f"started bulk plan {plan.pk} ({planning.describe(plan)}, {repos} repos)",
        member=plan.maker,
    )
    try:
        with heartbeat(Plan.objects.filter(pk=plan_id, state=RUNNING), HEARTBEAT_S, name=f"bulk-plan-{plan_id}"):
            outcome = _run(plan)
    except hub.HubError as err:
        outcome = f"Stopped: {err.message}"
        _finish(plan, STOPPED, outcome)
        return "stopped"
    except Exception:
        logger.exception("bulk plan %s stopped", plan_id)
        _finish(plan, STOPPED, "Stopped by an internal error (logged): start it again to do the rest.")
        return "stopped"
    return outcome


def _run(plan: Plan) -> str:
    user = plan.maker
    if not user.is_active:  # deactivated since it was queued (admin, shell): its token is not used
        _finish(plan, STOPPED, "Stopped: its maker was deactivated before the run; nothing was sent.")
        return "stopped"
    client = hub.client_for(user)
    writable = writable_namespaces(user)  # rights checked again when it runs
    # an override holds only while its maker is still an admin (demoted since: the guardrails apply again)
    overridden = bool(plan.override_reason) and is_admin(user)
    pacer = _SharePacer(client)
    changed_any = False
    for item in plan.items.filter(state__in=[PENDING, CLAIMED]).order_by("position"):
        if not Plan.objects.filter(pk=plan.pk, state=RUNNING).exists():
            break  # the person stopped it (or the page found its worker gone): the rest waits
        if item.state == PENDING:
            if not PlanItem.objects.filter(pk=item.pk, state=PENDING).update(state=CLAIMED, claimed_at=timezone.now()):
                continue  # another run took it
            item.state = CLAIMED
            resumed = False
        else:
            resumed = True  # claimed by a run that did not finish it: re-read decides
        ns = (item.new_id if plan.change == MOVE and resumed else item.repo_id).split("/")[0]
        if item.repo_id.split("/")[0] not in writable and ns not in writable:
            _outcome(item, REFUSED, f"You may no longer change repos of {item.repo_id.split('/')[0]}.")
            continue
        broken = [] if overridden else guard.check(user, planning.changes_of(plan.change, [_as_pending(item)]))
        if broken:
            _outcome(item, REFUSED, f"A guardrail of the team forbids this change now: {broken[0]}")
            continue
        try:
            changed_any |= _do(plan, item, client, pacer, user, resumed)
        except _StoppedMeanwhile:
            break  # its item stays claimed: started again, the re-read decides
    if changed_any:
        hub_state.forget_listings()
    if not Plan.objects.filter(pk=plan.pk, state=RUNNING).exists():
        return "stopped"
    _finish(plan, DONE, summary_line(plan))
    return "done"


class _SharePacer(Pacer):
    """A pacer that keeps the person's share of the window out of the run's reach, worked out from the quota
    of each call's figures: a run started with no figures cached still leaves the person their pages."""

    def wait_for(self, budget: ratelimit.Budget | None, now: float, last: float | None) -> float:
        if budget is not None and budget.quota:
            self.reserve = round(budget.quota * (100 - planning.share_percent()) / 100)
        return super().wait_for(budget, now, last)


def _as_pending(item: PlanItem) -> PlanItem:
    item.state = PENDING
    return item


class _StoppedMeanwhile(Exception):
    """The plan was stopped while its run waited out a 429."""


def _call(pacer: Pacer, plan_id: int | None, call: Callable[[], Any]) -> Any:
    """One paced Hub call; a 429 (the Hub has limits without headers, on commits and moves) waits as it says
    and tries the same call again, never failing the repo for it, until the person stops the plan."""
    while True:
        pacer.before_call()
        try:
            return call()
        except hub.RateLimited as err:
            pacer.after_429(err)
            if plan_id is not None and not Plan.objects.filter(pk=plan_id, state=RUNNING).exists():
                raise _StoppedMeanwhile from None


def _do(plan: Plan, item: PlanItem, client: hub.HubClient, pacer: Pacer, user: User, resumed: bool) -> bool:
    """Re-read, then change one repo; True when the Hub was changed."""
    kind: Kind = item.kind  # type: ignore[assignment]
    after = item.after
    try:
        state = _call(pacer, plan.pk, lambda: hub_state.repo_state(client, kind, item.repo_id))
    except hub.Moved as err:
        if plan.change == MOVE and err.new_id == item.new_id and resumed:
            _outcome(item, ITEM_DONE, "Moved (found moved when the run started again).")
            return False
        _outcome(item, SKIPPED, f"Renamed on the Hub since the plan: now {err.new_id}. Not changed.")
        return False
    except hub.NotFound:
        if plan.change == DELETE:
            _outcome(item, ITEM_DONE, "Deleted (already gone from the Hub).")
        else:
            _outcome(item, SKIPPED, "Deleted on the Hub since the plan (or you can no longer see it). Not changed.")
        return False
    except hub.HubError as err:
        _outcome(item, REFUSED, f"Could not be read again: {err.message}")
        return False
    already, changed_since = _compare(plan.change, item, state)
    if already and resumed:  # its change went out before the worker stopped
        _outcome(item, ITEM_DONE, "Done (found done when the run started again).")
        return False
    if changed_since:
        _outcome(item, SKIPPED, f"Changed on the Hub since the plan: {changed_since}. Not changed.")
        return False
    if already:
        _outcome(item, ITEM_DONE, "Already as planned on the Hub (nothing sent).")
        return False
    try:
        if plan.change == VISIBILITY:
            answered = _call(
                pacer,
                plan.pk,
                lambda: hub_state.put_settings(client, kind, item.repo_id, visibility=after["visibility"]),
            )
            # kept as the repos' own settings changes keep theirs: the listing, and the next plan, tell protected
            visibility.remember(kind, item.repo_id, answered or after["visibility"])
        elif plan.change == GATING:
            _call(pacer, plan.pk, lambda: hub_state.put_settings(client, kind, item.repo_id, gating=after["gating"]))
        elif plan.change == DISCUSSIONS:
            _call(
                pacer,
                plan.pk,
                lambda: hub_state.set_discussions(client, kind, item.repo_id, after["discussions"] == "on"),
            )
        elif plan.change == MOVE:
            _call(pacer, plan.pk, lambda: hub_manage.move_repo(client, kind, item.repo_id, item.new_id))
        elif plan.change == DELETE:
            _call(pacer, plan.pk, lambda: hub_manage.delete_repo(client, kind, item.repo_id))
    except hub.HubError as err:
        _outcome(item, REFUSED, err.message)
        return False
    if after_change_hook is not None:
        after_change_hook(item)
    _outcome(item, ITEM_DONE, "")
    _repo_event(plan, item, user, state.private)
    return True


def _compare(change: str, item: PlanItem, state: hub_state.RepoState) -> tuple[bool, str]:
    """(already as planned, how it changed since the plan: "" when not) from a fresh read."""
    before, after = item.before, item.after
    if change == VISIBILITY:
        target, was = after["visibility"], before.get("visibility")
        already = (target == "private" and state.private) or (
            target == "public" and not state.private and item.kind != "space"
        )
        if was is not None and (was == "private") != state.private:
            return already, f"now {'private' if state.private else 'public'}, the plan read {was}"
        return already, ""
    if change == GATING:
        now, was = state.gated or "off", before.get("gating")
        changed = f"gating now {now}, the plan read {was}" if was is not None and was != now else ""
        return now == after["gating"], changed
    if change == DISCUSSIONS:
        if state.discussions_disabled is None:
            return False, ""
        now, was = ("off" if state.discussions_disabled else "on"), before.get("discussions")
        changed = f"discussions now {now}, the plan read {was}" if was is not None and was != now else ""
        return now == after["discussions"], changed
    return False, ""


def _outcome(item: PlanItem, state: str, reason: str) -> None:
    reason = redact(reason)[:300]  # a Hub refusal that echoed a token keeps no secret in the table or the page
    PlanItem.objects.filter(pk=item.pk).update(state=state, reason=reason, finished_at=timezone.now())
    item.state, item.reason = state, reason


def _repo_event(plan: Plan, item: PlanItem, user: User, was_private: bool) -> None:
    after = item.after
    if plan.change == VISIBILITY:
        action, summary, private = (
            "settings",
            f"made {after['visibility']} (bulk plan {plan.pk})",
            after["visibility"] == "private",
        )
    elif plan.change == GATING:
        action, private = "settings", was_private
        summary = f"turned gating {after['gating']} (bulk plan {plan.pk})"
    elif plan.change == DISCUSSIONS:
        action, summary, private = (
            "settings",
            f"turned discussions {after['discussions']} (bulk plan {plan.pk})",
            was_private,
        )
    elif plan.change == MOVE:
        action, summary, private = "move", f"moved from {item.repo_id} (bulk plan {plan.pk})", was_private
    else:
        action, summary, private = "delete", f"deleted (bulk plan {plan.pk})", was_private
    repo_id = item.new_id if plan.change == MOVE else item.repo_id
    try:
        record(action=action, summary=summary, member=user, repo_type=item.kind, repo_id=repo_id, private=private)
    except Exception:  # the change is made; a feed line that cannot be written must not stop the run
        logger.exception("bulk plan %s: the feed event of %s could not be written", plan.pk, repo_id)


def counts(plan: Plan) -> dict[str, int]:
    by = dict(plan.items.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return {
        "done": by.get(ITEM_DONE, 0),
        "refused": by.get(REFUSED, 0),
        "skipped": by.get(SKIPPED, 0),
        "not_tried": by.get(NOT_TRIED, 0),
        "todo": by.get(PENDING, 0) + by.get(CLAIMED, 0),
        "total": sum(by.values()),
        "handled": sum(by.values()) - by.get(PENDING, 0) - by.get(CLAIMED, 0),
    }


def summary_line(plan: Plan) -> str:
    c = counts(plan)
    return f"{c['done']} done, {c['refused']} refused, {c['skipped']} skipped, {c['not_tried']} not tried"


def _finish(plan: Plan, state: str, outcome: str) -> None:
    with transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(state=state, outcome=outcome[:300], finished_at=timezone.now())
    plan.refresh_from_db()
    verb = "finished" if state == DONE else "stopped"
    record(action="update", summary=f"{verb} bulk plan {plan.pk}: {outcome}"[:300], member=plan.maker)


def give_up(plan: Plan) -> None:
    """A plan cancelled for good: what was not done is marked not tried."""
    plan.items.filter(Q(state=PENDING) | Q(state=CLAIMED)).update(
        state=NOT_TRIED, reason="Not tried: the plan was cancelled."
    )
