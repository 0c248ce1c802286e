"""Guardrails, as bulk plans call them: the team's rules through core's registry (hubdash.core.guardrails),
each plan item read as the change it would make to its repo.

The call sites are `planning.make_plan` and the run, before changing each repo: `check(user, changes)`
answers a list of violations, each naming its rule and repo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hubdash.core import guardrails
from hubdash.core.guardrails import Change, Violation

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
    return guardrails.check(user, read)
