"""Rules that settle routine requests, run by the refresh after the mirror is updated.

Each pending request goes to the first rule (in the namespace's order) whose scope and conditions it meets;
"leave for a person" keeps it from the rules after. A request a person moved back to pending is never decided
by a rule again. Decisions go out in batches (hubdash.access.bulk), with the delegated token, paced; each
names its rule in the mirror and the feed (one event per rule and run).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.utils import timezone

from hubdash import hub
from hubdash.activity import record
from hubdash.hub.access import Status
from hubdash.hub.repo_types import Kind

from . import bulk, plan
from .bulk_runs import FEED_ACTION, mirror_decision
from .conditions import Facts, all_hold, skips_hidden
from .models import PENDING, AccessRequest
from .models_rules import ACCEPT, ITEM_DONE, LEAVE, REJECT, Rule

HUB_STATUS: dict[str, Status] = {ACCEPT: "accepted", REJECT: "rejected"}


def facts_of(row: AccessRequest) -> Facts:
    if row.hidden:
        return Facts(hidden=True, fields=dict(row.fields or {}))
    return Facts(
        hidden=False,
        email=row.email or None,
        verified_orgs=tuple(row.verified_orgs or ()),
        is_pro=row.is_pro,
        fields=dict(row.fields or {}),
    )


def matches(rule: Rule, row: AccessRequest) -> bool:
    if rule.repo_id is not None and rule.repo_id != row.repo_id:
        return False
    if row.hidden and skips_hidden(rule.conditions):
        return False
    return all_hold(rule.conditions, facts_of(row))


def pending_for_rules(namespace: str) -> list[AccessRequest]:
    """The requests rules may decide: pending, and not moved back to pending by a person."""
    return list(
        AccessRequest.objects.filter(namespace=namespace, status=PENDING, reopened_by_person=False, repo__gated=True)
        .select_related("repo")
        .order_by("requested_at", "id")
    )


@dataclass
class Assignment:
    """What each rule takes of the pending requests (first match wins)."""

    taken: dict[int, list[AccessRequest]] = field(default_factory=dict)  # rule pk -> rows
    hidden_skipped: dict[int, int] = field(default_factory=dict)  # rule pk -> hidden rows it could not judge

    def of(self, rule: Rule) -> list[AccessRequest]:
        return self.taken.get(rule.pk, [])


def assign(rules: Sequence[Rule], rows: Iterable[AccessRequest]) -> Assignment:
    out = Assignment()
    for row in rows:
        for rule in rules:
            if row.hidden and skips_hidden(rule.conditions) and (rule.repo_id in (None, row.repo_id)):
                out.hidden_skipped[rule.pk] = out.hidden_skipped.get(rule.pk, 0) + 1
            if matches(rule, row):
                out.taken.setdefault(rule.pk, []).append(row)
                break
    return out


def active_rules(namespace: str) -> list[Rule]:
    return list(
        Rule.objects.filter(namespace=namespace, enabled=True).select_related("repo").order_by("position", "id")
    )


def apply_rules(namespace: str, client: hub.HubClient, run: object) -> str:
    """Decide the pending requests of `namespace` the rules settle; returns an outcome line ("" for none)."""
    rules = active_rules(namespace)
    if not rules:
        return ""
    assignment = assign(rules, pending_for_rules(namespace))
    said: list[str] = []
    for rule in rules:
        rows = assignment.of(rule)
        if rule.action == LEAVE or not rows:
            continue
        line, stopped = _apply_rule(rule, rows, client)
        said.append(line)
        if stopped:
            said.append(stopped)
            break
    return "; ".join(said)


def _apply_rule(rule: Rule, rows: list[AccessRequest], client: hub.HubClient) -> tuple[str, str]:
    status = HUB_STATUS[rule.action]
    by_pk = {r.pk: r for r in rows}
    counts = {"done": 0, "refused": 0, "already": 0}
    problems: list[str] = []

    def settle(settled: list[bulk.Settled]) -> None:
        now = timezone.now()
        for s in settled:
            if s.outcome == ITEM_DONE:
                counts["done"] += 1
                mirror_decision(
                    AccessRequest.objects.filter(pk=s.key, status=PENDING),
                    status,
                    rule=rule.name,
                    reason=rule.reason,
                    when=now,
                )
            else:
                counts["refused" if s.outcome == "refused" else "already"] += 1
                if s.mirror_status:
                    mirror_decision(AccessRequest.objects.filter(pk=s.key), s.mirror_status, when=now)
                if s.outcome == "refused" and len(problems) < 3:
                    problems.append(f"{by_pk[s.key].who} on {by_pk[s.key].repo.repo_id}: {s.message}")

    items = [
        plan.Item(
            r.pk,
            cast(Kind, r.repo.kind),
            r.repo.repo_id,
            bulk.target_of("" if r.hidden else r.username, "" if r.hidden else r.hub_user_id, r.request_id),
        )
        for r in rows
    ]
    stopped = bulk.apply(client, items, status, rule.reason or None, settle=settle, waiting=lambda note: None)
    not_tried = len(rows) - sum(counts.values())
    repos = len({r.repo_id for r in rows})
    verb = "accepted" if status == "accepted" else "rejected"
    done = counts["done"]
    line = f"rule “{rule.name}” {verb} {done} request{_s(done)} on {repos} repo{_s(repos)}"
    extra = [
        f"{counts['refused']} refused" if counts["refused"] else "",
        f"{counts['already']} already decided or withdrawn" if counts["already"] else "",
        f"{not_tried} not tried" if not_tried else "",
    ]
    tail = ", ".join(e for e in extra if e)
    summary = f"{line} ({tail})" if tail else line
    record(
        action=FEED_ACTION,
        summary=summary,
        details={
            "rule": rule.name,
            "rule_id": rule.pk,
            "namespace": rule.namespace,
            "status": status,
            "outcome": "success" if not tail else "partial",
            **({"reason": rule.reason} if rule.reason else {}),
            "done": counts["done"],
            "refused": counts["refused"],
            "already": counts["already"],
            "not_tried": not_tried,
            **({"problems": problems} if problems else {}),
        },
    )
    Rule.objects.filter(pk=rule.pk).update(last_run_at=timezone.now(), last_run_summary=summary[:300])
    return summary, stopped


def _s(n: int) -> str:
    return "" if n == 1 else "s"
