"""Making a plan: a selection (rows ticked in a listing, or all that match its query, at most 1,000) and a
change, read into one row per repo with its state now and after, or why it is skipped; the calls its run will
make, their share of the person's quota, and how long it should take. Nothing is changed on the Hub here."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from hubdash import hub
from hubdash.activity import record
from hubdash.core import visibility
from hubdash.hub import ratelimit
from hubdash.hub import repo_state as hub_state
from hubdash.hub import repos as hub_repos
from hubdash.hub import usage as hub_usage
from hubdash.hub.repo_types import KINDS, Kind
from hubdash.hub.rights import writable_namespaces

from . import guard
from .models import (
    DELETE,
    DISCUSSIONS,
    GATING,
    MOVE,
    PENDING,
    SKIPPED,
    VISIBILITY,
    ApprovalSetting,
    Plan,
    PlanItem,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_REPOS = 1000
CALLS_PER_ITEM = 2  # the re-read just before, and the change
DEFAULT_CALL_S = 0.15  # one Hub call's time, when the plan made none to measure it

TARGETS: dict[str, tuple[str, ...]] = {
    VISIBILITY: ("private", "public", "protected"),
    GATING: ("off", "auto", "manual"),
    DISCUSSIONS: ("on", "off"),
    MOVE: ("",),
    DELETE: ("",),
}
# What each change reads and writes in an item's `before` and `after`.
FIELD = {VISIBILITY: "visibility", GATING: "gating", DISCUSSIONS: "discussions", MOVE: "id", DELETE: "exists"}


class BadSelection(ValueError):
    """The selection or the change cannot make a plan (said in plain words)."""


@dataclass(frozen=True)
class Picked:
    """A selected repo, with what its listing row said (None: the listing did not say)."""

    kind: Kind
    repo_id: str
    private: bool | None = None
    gated: str | None = None


def parse_picked(kind: Kind, values: list[str]) -> list[Picked]:
    """Ticked rows: `id|private|gating` as the listing drew them (`1`/`0`, `auto`/`manual`/empty)."""
    picked: dict[str, Picked] = {}
    for value in values:
        repo_id, _, rest = value.partition("|")
        private, _, gated = rest.partition("|")
        if not hub_repos.valid_repo_id(repo_id) or "/" not in repo_id:
            raise BadSelection(f"“{repo_id[:100]}” is not a repo name.")
        picked.setdefault(
            repo_id,
            Picked(
                kind,
                repo_id,
                {"1": True, "0": False}.get(private),
                gated if gated in ("auto", "manual") else None,
            ),
        )
    if len(picked) > MAX_REPOS:
        raise BadSelection(f"At most {MAX_REPOS:,} repos at once; {len(picked):,} were selected.")
    return list(picked.values())


def match_all(client: hub.HubClient, kind: Kind, data: dict[str, Any]) -> tuple[list[Picked], bool, int]:
    """Every repo of a listing's query, up to MAX_REPOS, in one Hub call: (repos, more matched, calls)."""
    sort = data.get("sort") or "trending"
    if sort not in hub_repos.SORT_KEYS:
        sort = "trending"
    query = hub_repos.ListQuery(
        kind=kind,
        search=" ".join(str(data.get("search") or "").split())[:200],
        author=str(data.get("author") or "").strip()[:96],
        filters=tuple(dict.fromkeys(str(f) for f in data.get("filter", ()) if f))[:20],
        sort=sort,
        limit=MAX_REPOS,
    )
    if query.author and ("/" in query.author or not hub_repos.valid_repo_id(query.author)):
        raise BadSelection("The listing's author is not a Hub user or organisation name.")
    listing = hub_repos.list_repos(client, query, keep=False)
    picked = [Picked(kind, r.id, r.private, r.gated) for r in listing.repos[:MAX_REPOS]]
    return picked, listing.next_cursor is not None, 1


@dataclass
class Made:
    """What making a plan found out, beside its rows."""

    calls: int = 0
    seconds: float = 0.0


def make_plan(
    user: User,
    client: hub.HubClient,
    picked: list[Picked],
    change: str,
    target: str = "",
    prefix: str = "",
    source: str = "",
    more_matched: bool = False,
    calls_so_far: int = 0,
) -> Plan:
    """Read the selection into a plan (frozen list of repos). Raises BadSelection, HubError."""
    if change not in TARGETS:
        raise BadSelection("Choose a change.")
    if change in (VISIBILITY, GATING, DISCUSSIONS) and target not in TARGETS[change]:
        raise BadSelection("Choose what the change makes them.")
    if change == MOVE:
        target = target.strip()
        prefix = prefix.strip()
        if not target or "/" in target or not hub_repos.valid_repo_id(target):
            raise BadSelection("Give the namespace to move them to: a Hub user or organisation name.")
        if prefix and not hub_repos.valid_repo_id(f"{target}/{prefix}x"):
            raise BadSelection("A prefix may hold letters, digits, “-”, “_” and “.” only.")
    else:
        prefix = ""
    if change == DELETE:
        target = ""
    if not picked:
        raise BadSelection("Select at least one repo (or plan for all that match).")
    if len(picked) > MAX_REPOS:
        raise BadSelection(f"At most {MAX_REPOS:,} repos at once.")
    started = time.monotonic()
    made = Made(calls=calls_so_far)
    writable = writable_namespaces(user)
    protected = _protected(client, picked, change, writable, made)
    spaces = [p.repo_id for p in picked if p.kind == "space" and p.repo_id not in protected]
    answered = visibility.last_known("space", spaces) if change == VISIBILITY else {}
    items: list[PlanItem] = []
    for position, repo in enumerate(picked):
        items.append(_item(client, repo, position, change, target, prefix, writable, (protected, answered), made))
    made.seconds = time.monotonic() - started
    todo = sum(1 for i in items if i.state == PENDING)
    calls = todo * CALLS_PER_ITEM
    budget = _budget(client)
    per_call = made.seconds / made.calls if made.calls and made.seconds > 0 else DEFAULT_CALL_S
    # Guardrails: the team's rules, checked on the changes the plan would make (a broken one blocks it).
    violations = guard.check(user, changes_of(change, items))
    with transaction.atomic():
        plan = Plan.objects.create(
            maker=user,
            change=change,
            target=target,
            prefix=prefix,
            source=source[:500],
            more_matched=more_matched,
            calls=calls,
            plan_calls=made.calls,
            estimated_seconds=estimate_seconds(calls, per_call, budget),
            quota_share=quota_share(calls, budget),
            needs_confirmation=_dangerous(change, target, items),
            violations=[str(v) for v in violations],
        )
        plan.needs_approval = plan.needs_confirmation and ApprovalSetting.current()
        plan.save(update_fields=["needs_approval"])
        for item in items:
            item.plan = plan
        PlanItem.objects.bulk_create(items)
    record(
        action="update",
        summary=f"made bulk plan {plan.pk} ({describe(plan)}: {todo} to change, {len(items) - todo} skipped)",
        member=user,
    )
    return plan


def changes_of(change: str, items: list[PlanItem]) -> list[dict[str, Any]]:
    """The changes as guardrails read them: one per repo to change."""
    return [
        {"kind": i.kind, "repo_id": i.repo_id, "change": change, "before": i.before, "after": i.after}
        for i in items
        if i.state == PENDING
    ]


def _dangerous(change: str, target: str, items: list[PlanItem]) -> bool:
    """Plans that make repos public or delete them ask for the password (and, if on, an approval)."""
    if change == DELETE:
        return True
    return change == VISIBILITY and any(i.after.get("visibility") == "public" for i in items if i.state == PENDING)


def _protected(
    client: hub.HubClient, picked: list[Picked], change: str, writable: frozenset[str], made: Made
) -> dict[str, str | None]:
    """For Spaces' visibility: each namespace's repositories-settings list (visibility incl. protected),
    one call per namespace (and page); a namespace whose list this person may not read is not there."""
    if change != VISIBILITY:
        return {}
    found: dict[str, str | None] = {}
    for namespace in sorted({p.repo_id.split("/")[0] for p in picked if p.kind == "space"}):
        if namespace not in writable:
            continue
        made.calls += 1
        try:
            listed = hub_usage.repositories_settings(client, namespace)
        except hub.HubError:
            listed = None
        for setting in listed or ():
            if setting.kind == "space":
                found[setting.repo_id] = setting.visibility
    return found


def _visibility_now(repo: Picked, known: tuple[dict[str, str | None], dict[str, str]]) -> str | None:
    """A repo's visibility now. A Space's: its namespace's repositories-settings list (read for this plan), else
    the Hub's last settings answer hubdash saw where the listing agrees with it; else unknown (repo info and
    listings read a protected Space as public)."""
    listed, answered = known
    if repo.kind == "space" and repo.repo_id in listed:
        return listed[repo.repo_id]
    if repo.kind == "space" and repo.repo_id in answered:
        seen = answered[repo.repo_id]
        if repo.private is None or (seen == "private") == repo.private:
            return seen  # (a private answer the listing now reads public is stale: public or protected since)
    if repo.private is None:
        return None
    if repo.private:
        return "private"
    return "public" if repo.kind != "space" else None


def _item(
    client: hub.HubClient,
    repo: Picked,
    position: int,
    change: str,
    target: str,
    prefix: str,
    writable: frozenset[str],
    protected: tuple[dict[str, str | None], dict[str, str]],
    made: Made,
) -> PlanItem:
    namespace, name = repo.repo_id.split("/", 1)
    item = PlanItem(position=position, kind=repo.kind, repo_id=repo.repo_id, state=PENDING)
    before: dict[str, Any] = {
        "visibility": _visibility_now(repo, protected),
        "gating": (repo.gated or "off") if repo.private is not None or repo.gated else None,
    }
    item.before = before
    if change == MOVE:
        item.new_id = f"{target}/{prefix}{name}"
        item.after, before["id"] = {"id": item.new_id}, repo.repo_id
    elif change == DELETE:
        item.after, before["exists"] = {"exists": False}, True
    else:
        item.after = {FIELD[change]: target}
    if namespace not in writable:
        item.state, item.reason = SKIPPED, f"You may not change repos of {namespace}."
        return item
    if change == VISIBILITY:
        if target == "protected" and repo.kind != "space":
            item.state, item.reason = SKIPPED, "Not a Space: only Spaces can be protected."
        elif before["visibility"] == target:
            item.state, item.reason = SKIPPED, f"Already {target}."
    elif change == GATING:
        if before["gating"] == target:
            item.state, item.reason = SKIPPED, "Already so." if target != "off" else "Already not gated."
    elif change == DISCUSSIONS:
        made.calls += 1  # the listing does not say: one repo-info call each
        try:
            state = hub_state.repo_state(client, repo.kind, repo.repo_id)
        except hub.Moved as err:
            item.state, item.reason = SKIPPED, f"Renamed on the Hub: now {err.new_id}. Select it again."
            return item
        except hub.NotFound:
            item.state, item.reason = SKIPPED, "Not found on the Hub (deleted, or you can no longer see it)."
            return item
        except (hub.HubUnavailable, hub.RateLimited):
            state = None
        if state is not None and state.discussions_disabled is not None:
            before["discussions"] = "off" if state.discussions_disabled else "on"
            before["visibility"] = before["visibility"] or ("private" if state.private else None)
            before["gating"] = state.gated or "off"
        else:
            before["discussions"] = None
        if before["discussions"] == target:
            item.state, item.reason = SKIPPED, f"Discussions already {target}."
    elif change == MOVE:
        new_id = item.new_id
        if new_id == repo.repo_id:
            item.state, item.reason = SKIPPED, f"Already in {target}."
        elif target not in writable:
            item.state, item.reason = SKIPPED, f"You may not create repos in {target}."
        elif not hub_repos.valid_repo_id(new_id):
            item.state, item.reason = SKIPPED, f"{new_id} is not a valid repo name."
    return item


def _budget(client: hub.HubClient) -> ratelimit.Budget | None:
    try:
        return ratelimit.latest(client)
    except Exception:  # not knowing the share is no reason to refuse a plan
        return None


def share_percent() -> int:
    """The share of a window's quota a plan's run may use (the rest is kept for the person's pages)."""
    return max(1, min(100, int(settings.BULK_QUOTA_SHARE)))


def quota_share(calls: int, budget: ratelimit.Budget | None, now: float | None = None) -> float | None:
    """The calls' share of what the person's token has left in its window now (its whole quota if the window
    has reset since), as a fraction; None when the Hub has not said."""
    if budget is None:
        return None
    left = budget.left(now)
    if not left:
        return None if left is None else float(calls > 0) * 99.0
    return calls / left


def estimate_seconds(calls: int, per_call: float, budget: ratelimit.Budget | None) -> float:
    """How long the run should take: each call's time, or the pace the quota allows if slower (the pacer
    spreads the usable share of a window over it), plus waits for windows to reset."""
    if calls == 0:
        return 0.0
    if budget is None or not budget.quota or not budget.window:
        return calls * per_call
    usable = max(1, math.floor(budget.quota * share_percent() / 100))
    paced = budget.window / usable
    return calls * max(per_call, paced)


def describe(plan: Plan) -> str:
    """The change in words: "make private", "turn gating to manual", "move to acme"."""
    words = {
        VISIBILITY: f"make {plan.target}",
        GATING: "turn gating off" if plan.target == "off" else f"gate them ({plan.target})",
        DISCUSSIONS: f"turn discussions {plan.target}",
        MOVE: f"move to {plan.target}" + (f" with the prefix “{plan.prefix}”" if plan.prefix else ""),
        DELETE: "delete",
    }
    if plan.target == "restore":
        return "restore the states before plan " + str(plan.undo_of_id)
    return words.get(plan.change, plan.change)


def kind_of(value: str) -> Kind:
    if value not in KINDS:
        raise BadSelection("Choose models, datasets or Spaces.")
    return value
