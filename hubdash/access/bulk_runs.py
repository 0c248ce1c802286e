"""Bulk runs: a selection of the queue made into a plan (the preview), then applied by a background job with
the person's own token, checked again when it runs; each item's outcome kept, the mirror updated, one feed
event per run."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.db import close_old_connections, connection, transaction
from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import task

from hubdash import hub
from hubdash.activity import record
from hubdash.activity.models import ACTIONS
from hubdash.hub import ratelimit
from hubdash.hub.access import Status, Target
from hubdash.hub.repo_types import Kind
from hubdash.hub.rights import writable_namespaces

from . import bulk, plan
from .decisions import user_hub_name
from .models import PENDING, REJECTED, AccessRequest
from .models_rules import (
    DONE,
    DRAFT,
    GONE,
    ITEM_DONE,
    NOT_TRIED,
    QUEUED,
    REFUSED,
    RUNNING,
    WAITING,
    BulkItem,
    BulkRun,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

MAX_ITEMS = 1000
FEED_ACTION = "access" if "access" in ACTIONS else "update"
VERBS = {"accepted": "accept", "rejected": "reject", "pending": "move back to pending"}
PAST = {"accepted": "accepted", "rejected": "rejected", "pending": "moved back to pending"}
STOPPED = "The worker was stopped while deciding these; the rest was not tried. Resume to decide them."
INTERNAL = "hubdash stopped these decisions (an internal error, logged); the rest was not tried."
KILLED = (
    "The worker deciding these stopped (killed or restarted) before it finished; the rest was not tried. "
    "Resume to decide them."
)
ANOTHER = "Another worker took over these decisions; this one stopped."
# A running job says so this often (its own thread and connection); four missed beats and the sweep takes its
# worker for gone (the database queue has no lease of its own), as for scheduled jobs and uploads.
HEARTBEAT_S = 10.0


def item_of(row: AccessRequest) -> plan.Item[int]:
    return plan.Item(row.pk, cast(Kind, row.repo.kind), row.repo.repo_id, _target(row))


def _target(row: AccessRequest) -> Target:
    return bulk.target_of("" if row.hidden else row.username, "" if row.hidden else row.hub_user_id, row.request_id)


def draft(user: User, rows: Iterable[AccessRequest], status: Status, reason: str) -> BulkRun:
    """The plan of a bulk decision, kept for the preview: nothing is sent before it is confirmed."""
    rows = list(rows)[:MAX_ITEMS]
    with transaction.atomic():
        run = BulkRun.objects.create(
            created_by=user,
            status=status,
            reason=reason if status == "rejected" else "",
            namespaces=sorted({r.namespace for r in rows}),
        )
        items = [
            BulkItem(
                run=run,
                mirror=row,
                kind=row.repo.kind,
                repo_id=row.repo.repo_id,
                who=row.who,
                user="" if row.hidden else row.username,
                user_id="" if row.hidden else row.hub_user_id,
                request_id=row.request_id,
            )
            for row in rows
        ]
        BulkItem.objects.bulk_create(items)
        run.planned_calls = sum(s.calls for s in plan.shares([_plan_item(i) for i in items]))
        run.save(update_fields=["planned_calls"])
    return run


def _plan_item(item: BulkItem) -> plan.Item[int]:
    return plan.Item(
        item.pk or 0, cast(Kind, item.kind), item.repo_id, bulk.target_of(item.user, item.user_id, item.request_id)
    )


@dataclass(frozen=True)
class Preview:
    requests: int
    repos: list[plan.RepoShare]
    calls: int
    batch_calls: int
    single_calls: int
    max_rereads: int
    budget: ratelimit.Budget | None

    @property
    def quota_share(self) -> str:
        """The calls' share of the person's quota, as the Hub last said it."""
        if self.budget is None:
            return "The Hub has not yet said how many calls your token has left in its rate-limit window."
        b = self.budget
        calls = f"These {self.calls} calls" if self.calls != 1 else "This call"
        remaining = b.quota if b.quota and time.time() - b.seen_at >= b.reset_in else b.remaining  # window reset since
        left = f"{remaining:,} of {b.quota:,}" if b.quota else f"{remaining:,}"
        window = f" {b.window // 60}-minute" if b.window and b.window % 60 == 0 else ""
        comes = "comes" if self.calls == 1 else "come"
        share = f"{calls} {comes} out of your token's quota: {left} calls left in its current{window} window"
        if self.calls > remaining:
            return share + ", so the job will wait for the window to reset and go on."
        return share + "."


def preview(run: BulkRun) -> Preview:
    items = [_plan_item(i) for i in run.items.all()]
    shares = plan.shares(items)
    try:
        budget = ratelimit.latest(hub.client_for(run.created_by))
    except Exception:  # the share is told when known; not knowing it is no reason to refuse the preview
        budget = None
    return Preview(
        requests=len(items),
        repos=shares,
        calls=sum(s.calls for s in shares),
        batch_calls=sum(s.batch_calls for s in shares),
        single_calls=sum(s.single_calls for s in shares),
        max_rereads=bulk.REREADS_PER_REPO * len(shares),
        budget=budget,
    )


def counts(run: BulkRun) -> dict[str, int]:
    """done, refused (the Hub said no, or it was decided or withdrawn already), not tried, total."""
    by = dict(run.items.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    total = sum(by.values())
    done = by.get(ITEM_DONE, 0)
    not_tried = by.get(NOT_TRIED, 0)
    return {
        "done": done,
        "refused": by.get(REFUSED, 0),
        "already": total - done - not_tried - by.get(REFUSED, 0) - by.get(GONE, 0),
        "withdrawn": by.get(GONE, 0),
        "not_tried": not_tried,
        "total": total,
    }


def start(run: BulkRun) -> bool:
    """Queue a previewed run (once, however often it is confirmed)."""
    if not BulkRun.objects.filter(pk=run.pk, state=DRAFT).update(state=QUEUED):
        return False
    run_bulk.enqueue(run.pk)
    return True


def resume(run: BulkRun) -> int:
    """Queue a finished run again for its items not tried (a worker killed, a token reconnected since); the
    ones settled are never sent again. Returns how many are left to try, 0 when there was nothing to resume."""
    left = run.items.filter(outcome=NOT_TRIED).count()
    if not left:
        return 0
    with transaction.atomic():
        if not BulkRun.objects.filter(pk=run.pk, state=DONE).update(
            state=QUEUED, stopped_because="", note="", finished_at=None
        ):
            return 0
        run.items.filter(outcome=NOT_TRIED).update(message="")
        run_bulk.enqueue(run.pk)
    return left


def stale_after() -> timedelta:
    """Four missed heartbeats, and never less than a few seconds."""
    return timedelta(seconds=max(2.0, 4 * HEARTBEAT_S))


def sweep(now: datetime | None = None) -> int:
    """End the runs whose worker is gone (a stale heartbeat): done, with what was decided kept and the rest
    "not tried", told in the feed, ready to resume. Safe to run anywhere at once (one UPDATE claims each run).
    Returns how many it ended."""
    now = now or timezone.now()
    ended = 0
    stale = BulkRun.objects.filter(state__in=(RUNNING, WAITING), heartbeat_at__lt=now - stale_after())
    for run in stale.select_related("created_by"):
        claimed = BulkRun.objects.filter(pk=run.pk, state=run.state, heartbeat_at=run.heartbeat_at).update(
            state=DONE, note="", stopped_because=KILLED, finished_at=now
        )
        if claimed:
            logger.warning("bulk run %s: its worker stopped (no heartbeat since %s)", run.pk, run.heartbeat_at)
            _told(run, KILLED)
            ended += 1
    return ended


def as_seen(run: BulkRun, now: datetime | None = None) -> BulkRun:
    """The run as its page shows it: one whose worker is gone (a stale heartbeat) is said stopped, computed
    here and written by nobody but the sweep (the periodic refresh, a new run, a resume)."""
    now = now or timezone.now()
    if run.state in (RUNNING, WAITING) and run.heartbeat_at is not None and run.heartbeat_at < now - stale_after():
        run.state, run.note, run.stopped_because = DONE, "", KILLED
    return run


@task()
def run_bulk(run_id: int) -> str:
    """Apply one confirmed bulk run; whatever happens it ends done, every item settled or said not tried."""
    sweep()
    now = timezone.now()
    claimed = BulkRun.objects.filter(pk=run_id, state=QUEUED).update(
        state=RUNNING, started_at=Coalesce("started_at", Value(now)), heartbeat_at=now
    )
    if not claimed:
        return "not queued"
    run = BulkRun.objects.select_related("created_by").get(pk=run_id)
    try:
        with Heartbeat(run.pk):
            stopped = _run(run)
    except Exception:
        logger.exception("bulk run %s stopped", run_id)
        stopped = INTERNAL
    except BaseException:  # the worker is being stopped: say so, and what was not tried, before it goes
        _finish(run, STOPPED)
        raise
    return _finish(run, stopped)


def _run(run: BulkRun) -> str:
    user = run.created_by
    if not user.is_active:
        return "Your hubdash account was deactivated before the job ran: nothing was sent."
    try:
        client = hub.client_for(user)
        hub.identity_for(user, refresh=True)  # the token checked again, now: whoami
        allowed = writable_namespaces(user)
    except hub.TokenKeyError:
        return "hubdash can no longer decrypt your stored token: nothing was sent. Connect it again."
    except hub.NoToken:
        return "Your Hub token was removed before the job ran: nothing was sent."
    except hub.BadToken:
        return "The Hub rejected your token (revoked or expired) before the job ran: nothing was sent."
    except hub.HubError as err:
        return f"The Hub could not say who you are, so nothing was sent: {err.message}"
    refused = [ns for ns in run.namespaces if ns not in allowed]
    if refused:
        BulkItem.objects.filter(run=run, repo_id__regex=_in_namespaces(refused), outcome=NOT_TRIED).update(
            outcome=REFUSED,
            message="Your token may no longer manage this namespace's repos, so this was not sent.",
        )

    def waiting(note: str) -> None:
        BulkRun.objects.filter(pk=run.pk).update(state=WAITING if note else RUNNING, note=note)

    def settle(settled: list[bulk.Settled]) -> None:
        _settle(run, settled)

    def sending(keys: list[int]) -> None:
        # Each item goes out once: one that another worker marked sent (a run resumed while this worker was
        # taken for dead) stops this one.
        if BulkItem.objects.filter(pk__in=keys, outcome=NOT_TRIED, sent_at=None).update(sent_at=timezone.now()) < len(
            keys
        ):
            raise bulk.Stop(ANOTHER)

    status = cast(Status, run.status)
    unsettled = run.items.filter(outcome=NOT_TRIED)
    sent = [_plan_item(i) for i in unsettled.exclude(sent_at=None)]
    if sent:  # sent when the worker died, their answer lost: the Hub says whether they were done
        try:
            confirmed, again = bulk.confirm_sent(client, sent, status, waiting)
        except bulk.Stop as stop:
            return stop.message
        settle(confirmed)
        BulkItem.objects.filter(pk__in=[i.key for i in again]).update(sent_at=None)
    items = [_plan_item(i) for i in unsettled.all()]
    return bulk.apply(client, items, status, run.reason or None, settle=settle, waiting=waiting, sending=sending)


def _in_namespaces(namespaces: list[str]) -> str:
    import re

    return "^(" + "|".join(re.escape(ns) for ns in namespaces) + ")/"


def _settle(run: BulkRun, settled: list[bulk.Settled]) -> None:
    now = timezone.now()
    with transaction.atomic():
        items = {i.pk: i for i in BulkItem.objects.filter(run=run, pk__in=[s.key for s in settled])}
        for s in settled:
            item = items[s.key]
            item.outcome, item.message, item.decided_at = s.outcome, s.message[:300], now
            if s.mirror_status and item.mirror_id:
                mirror_decision(
                    AccessRequest.objects.filter(pk=item.mirror_id),
                    s.mirror_status,
                    by=run.created_by if s.outcome == ITEM_DONE else None,
                    reason=run.reason if s.outcome == ITEM_DONE else "",
                    when=now,
                )
        BulkItem.objects.bulk_update(items.values(), ["outcome", "message", "decided_at"])


def mirror_decision(
    rows: QuerySet[AccessRequest],
    status: str,
    *,
    by: User | None = None,
    rule: str = "",
    reason: str = "",
    when: datetime | None = None,
) -> None:
    """The mirror rows after a decision hubdash made (`by` a person or a `rule`), or found made on the Hub."""
    now = when or timezone.now()
    fields: dict[str, object] = {"status": status}
    if by is not None or rule:
        fields.update(
            decided_by=by,
            decided_by_rule=rule,
            reason=reason if status == REJECTED else "",
            decided_at=None if status == PENDING else now,
            # A person moving a request back to pending tells the rules to leave it alone from now on.
            reopened_by_person=status == PENDING and by is not None,
        )
        if status != PENDING:
            fields["reviewed_at"] = now
            if by is not None:
                fields["granted_by"] = user_hub_name(by)
    else:
        fields.update(decided_by=None, decided_by_rule="", decided_at=now)
    rows.update(**fields)


def _finish(run: BulkRun, stopped: str) -> str:
    BulkRun.objects.filter(pk=run.pk).update(
        state=DONE, note="", stopped_because=stopped[:300], finished_at=timezone.now()
    )
    return _told(run, stopped)


def _told(run: BulkRun, stopped: str) -> str:
    """The ended run's items not tried say why; one feed event with the counts; the summary line."""
    if stopped:
        BulkItem.objects.filter(run=run, outcome=NOT_TRIED).update(message=stopped[:300])
    c = counts(run)
    repos = run.items.values("repo_id").distinct().count()
    line = f"{PAST[run.status]} {c['done']} of {c['total']} access requests on {repos} repo{'s' if repos != 1 else ''}"
    tail = _tail(c)
    why = f": {run.reason}" if run.reason else ""  # a rejection's reason, as the requesters read it
    record(
        action=FEED_ACTION,
        summary=f"{line}{tail}{why}"[:300],
        member=run.created_by,
        details={
            "outcome": "success" if c["done"] == c["total"] else "partial",
            "bulk_run": run.pk,
            "status": run.status,
            **({"reason": run.reason} if run.reason else {}),
            **{k: v for k, v in c.items()},
        },
    )
    return f"{line}{tail}"


def _tail(c: dict[str, int]) -> str:
    parts = [
        f"{c['refused']} refused" if c["refused"] else "",
        f"{c['already']} already decided" if c["already"] else "",
        f"{c['withdrawn']} withdrawn" if c["withdrawn"] else "",
        f"{c['not_tried']} not tried" if c["not_tried"] else "",
    ]
    said = [p for p in parts if p]
    return f" ({', '.join(said)})" if said else ""


class Heartbeat:
    """While a run runs, say so every HEARTBEAT_S (its own thread and connection)."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"bulk-run-{run_id}-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_S):
                try:
                    close_old_connections()
                    BulkRun.objects.filter(pk=self.run_id, state__in=(RUNNING, WAITING)).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a busy database: the next beat tries again; staleness allows several misses
                    logger.warning("bulk run %s: heartbeat not written", self.run_id, exc_info=True)
        finally:
            connection.close()
