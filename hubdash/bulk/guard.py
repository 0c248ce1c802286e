"""Guardrails, as bulk plans call them: the team's rules through core's registry (hubdash.core.guardrails),
each plan item read as the change it would make to its repo.

The call sites are `planning.make_plan` and the run, before changing each repo: `check(user, changes)`
answers a list of violations, each naming its rule and repo.

Changes the Hub reported by webhook are judged with the facts the rules need (`reported_needs`, and
`read_reported`, which the receiver's task runs off its request): what hubdash already knows of the repo (the
last repo-info answer, at the delivered commit for the license; the usage app's last snapshot), else one Hub
call for its info with the token someone lent for the namespace's unattended work (anonymously for a public
repo), never more than one per delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hubdash import hub
from hubdash.core import guardrails
from hubdash.core.guardrails import Change, Violation
from hubdash.hub import facts as hub_facts
from hubdash.hub import repos as hub_repos
from hubdash.jobs.delegation import lent_client

from .models_saved import DELETE_DOWNLOADS, LICENSE_STAYS_GATED, PUBLIC_NEEDS_GATING, Guardrail

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


# -- changes the Hub reported (webhooks) ---------------------------------------------------------------


def _reported_missing(changes: Sequence[Change]) -> dict[str, set[str]]:
    """repo id -> the facts some rule covering it needs and the reported change lacks (one query)."""
    rules = list(Guardrail.objects.all())
    missing: dict[str, set[str]] = {}
    for change in changes:
        wanted: set[str] = set()
        for rule in rules:
            if not rule.covers(change.namespace):
                continue
            if rule.rule == PUBLIC_NEEDS_GATING and change.what != "delete":
                wanted |= {"gated", "private"}
            elif rule.rule == LICENSE_STAYS_GATED and change.what != "delete":
                wanted |= {"license", "gated", "private"}
            elif rule.rule == DELETE_DOWNLOADS and change.what == "delete":
                wanted.add("downloads")
        lacking = {fact for fact in wanted if fact not in change.facts}
        if wanted and change.what == "gating" and change.after is None:
            lacking.add("gated")  # a settings change the payload did not spell out: the gating now is read
        if lacking:
            missing.setdefault(change.repo_id, set()).update(lacking)
    return missing


def reported_needs(changes: Sequence[Change]) -> bool:
    return bool(_reported_missing(changes))


def read_reported(changes: Sequence[Change], head_sha: str | None) -> list[Change]:
    """The reported changes with the facts their rules need: known ones first, then at most one Hub call."""
    missing = _reported_missing(changes)
    calls_left = 1
    read: list[Change] = []
    for change in changes:
        lacking = missing.get(change.repo_id)
        if not lacking:
            read.append(change)
            continue
        known = {**guardrails.known_facts(change.kind, change.repo_id)}
        known.update(hub_facts.known(change.kind, change.repo_id, head_sha))
        unspelt = change.what == "gating" and change.after is None
        if unspelt:  # what hubdash knew of its gating is what it was before this change
            change = replace(change, before=known.pop("gated", None))
        facts = {**known, **change.facts}  # the payload's own word (private) first
        if any(fact not in facts for fact in lacking) or unspelt:
            fresh = _read_once(change, facts.get("private")) if calls_left and change.what != "delete" else None
            calls_left -= change.what != "delete"
            facts = {**facts, **fresh} if fresh is not None else {**facts, "unread": change.what != "delete"}
        if unspelt:
            change = replace(change, after=facts.get("gated") if not facts.get("unread") else None)
        read.append(replace(change, facts=facts))
    return read


def _read_once(change: Change, private: object) -> dict[str, Any] | None:
    """The repo's info, in one Hub call; None when nobody's token may read it or the Hub does not say. A moved
    repo is read under its new name (the old one answers a redirect)."""
    repo_id = change.after if change.what == "move" and change.after else change.repo_id
    client = lent_client(repo_id.partition("/")[0]) or lent_client(change.repo_id.partition("/")[0])
    if client is None and private is False:
        client = hub.HubClient(None)  # a public repo reads without a token
    if client is None:
        return None
    try:
        detail = hub_repos.repo_detail(client, change.kind, repo_id, None)  # type: ignore[arg-type]
    except hub.HubError:
        return None
    return {
        "license": detail.license,
        "downloads": detail.summary.downloads,
        "gated": detail.summary.gated or "off",
        "private": detail.summary.private,
    }
