"""Guardrails, as bulk plans call them: the team's rules through core's registry (hubdash.core.guardrails),
each plan item read as the change it would make to its repo.

The call sites are `planning.make_plan` and the run, before changing each repo: `check(user, changes)`
answers a list of violations, each naming its rule and repo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hubdash import hub
from hubdash.core import guardrails
from hubdash.core.guardrails import Change, Violation
from hubdash.hub import repos as hub_repos

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# A plan's change kinds that guardrails watch (discussions are none of theirs).
WATCHED = {"visibility": "visibility", "gating": "gating", "move": "move", "delete": "delete"}


def as_change(item: Mapping[str, Any]) -> Change | None:
    """A plan item (`planning.changes_of`: kind, repo_id, change, before, after) as guardrails read it."""
    what = WATCHED.get(item["change"])
    if what is None:
        return None
    before, after = item.get("before") or {}, item.get("after") or {}
    facts: dict[str, Any] = {}
    if before.get("visibility") is not None:
        facts["private"] = before["visibility"] == "private"
    if before.get("gating") is not None:
        facts["gated"] = before["gating"]
    for fact in ("license", "downloads"):
        if before.get(fact) is not None:
            facts[fact] = before[fact]
    if what == "move":
        return Change(item["kind"], item["repo_id"], "move", item["repo_id"], after.get("id"), facts)
    if what == "delete":
        return Change(item["kind"], item["repo_id"], "delete", facts=facts)
    return Change(item["kind"], item["repo_id"], what, before.get(what), after.get(what), facts)  # type: ignore[arg-type]


def check(user: User, changes: list[dict[str, Any]]) -> list[Violation]:
    """The guardrails a plan's changes break (empty: none)."""
    read = [change for change in map(as_change, changes) if change is not None]
    return guardrails.check(user, _with_facts(user, read))


def _with_facts(user: User, changes: list[Change]) -> list[Change]:
    """A listing row says nothing of a repo's license or downloads: where a rule needs them, each such repo's
    info is read (through the shared cache, within the page's budget). A repo whose info cannot be read is
    marked so, and a rule that needed it counts as broken: a plan never deletes blindly."""
    needs = facts_needed(changes)
    if not needs:
        return changes
    try:
        client = hub.client_for(user)
    except hub.TokenKeyError:
        client = None
    read: list[Change] = []
    for change in changes:
        if change.repo_id not in needs or client is None:
            read.append(change if client is not None or change.repo_id not in needs else _unread(change))
            continue
        try:
            detail = hub_repos.within_budget(
                lambda c=change: hub_repos.repo_detail(client, c.kind, c.repo_id, None),  # type: ignore[misc]
                hub_repos.FRAGMENT_BUDGET_S,
            )
        except hub.HubError:
            read.append(_unread(change))
            continue
        facts = {**change.facts, "license": detail.license, "downloads": detail.summary.downloads}
        read.append(replace(change, facts=facts))
    return read


def _unread(change: Change) -> Change:
    return replace(change, facts={**change.facts, "unread": True})


def facts_needed(changes: list[Change]) -> set[str]:
    """The repos whose license or downloads some rule needs (one query for the rules)."""
    from .models_saved import DELETE_DOWNLOADS, LICENSE_STAYS_GATED, Guardrail

    rules = list(Guardrail.objects.filter(rule__in=[DELETE_DOWNLOADS, LICENSE_STAYS_GATED]))
    needed = set()
    for change in changes:
        for rule in rules:
            if not rule.covers(change.namespace):
                continue
            if rule.rule == DELETE_DOWNLOADS and change.what == "delete" and "downloads" not in change.facts:
                needed.add(change.repo_id)
            if rule.rule == LICENSE_STAYS_GATED and change.what != "delete" and "license" not in change.facts:
                needed.add(change.repo_id)
    return needed
