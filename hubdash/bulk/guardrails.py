"""The team's guardrails, checked through core's registry (hubdash.core.guardrails) by every path that
changes a repo's visibility or gating, moves or deletes it: repos' own pages, `/new/`, bulk plans, and the
webhook receiver for changes made on the Hub itself (which hubdash reports, never reverts).

A fact a change does not know (a webhook does not say whether the repo is gated, nor its license or
downloads: `guard.read_reported` finds them, off the webhook's request) is not guessed: a rule that needs it
is broken only when the fact is known, except "public without gating", where a repo made public with no
gating known is reported (it is what the rule exists to catch).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from hubdash.core.guardrails import Change, Violation

from .models_saved import DELETE_DOWNLOADS, LICENSE_STAYS_GATED, PUBLIC_NEEDS_GATING, Guardrail


def _after(change: Change) -> tuple[bool | None, str | None]:
    """(public afterwards, gating afterwards) as far as the change and its facts tell."""
    facts = change.facts
    private = facts.get("private")
    public: bool | None = None if private is None else not private
    gated = facts.get("gated")
    gating: str | None = gated if isinstance(gated, str) else ("off" if gated is False else None)
    if change.what == "visibility" and change.after is not None:
        public = change.after in ("public", "protected")
    if change.what == "gating" and change.after is not None:
        gating = change.after
    return public, gating


def _breaks(rule: Guardrail, change: Change) -> str | None:
    """Why `change` breaks `rule`, or None."""
    if not rule.covers(change.namespace):
        return None
    public, gating = _after(change)
    if rule.rule == PUBLIC_NEEDS_GATING:
        if change.what not in ("visibility", "gating", "move") or public is not True or gating not in (None, "off"):
            return None
        if change.what == "visibility" and change.before in ("public", "protected"):
            return None  # already public: this change does not make it so
        if change.what == "gating":
            if change.before in (None, "off"):
                return None  # not known to have been gated (a settings change reported by a webhook): no change
            return f"{change.repo_id} is public and would no longer be gated."
        if change.what == "move":
            if gating != "off":
                return None  # a move does not change gating: only a repo known to be ungated breaks it
            return f"{change.repo_id} is public without gating and would move into {change.namespace}."
        known = "" if gating == "off" else " (hubdash does not know it to be gated)"
        return f"{change.repo_id} would be public without gating{known}."
    if rule.rule == LICENSE_STAYS_GATED:
        if not rule.license_matches(change.facts.get("license")) or gating != "off":
            return None
        license = change.facts.get("license")
        if change.what == "gating" and change.before not in (None, "off"):
            return f"{change.repo_id} has license {license} and would no longer be gated."
        if change.what == "gating" and change.before is None:
            return f"{change.repo_id} has license {license} and is not gated."  # what it was before: not known
        if change.what in ("visibility", "move") and public:
            return f"{change.repo_id} has license {license} and would be public without gating."
        return None
    if rule.rule == DELETE_DOWNLOADS and change.what == "delete":
        downloads = change.facts.get("downloads")
        if isinstance(downloads, int) and downloads > (rule.downloads or 0):
            return f"{change.repo_id} has {downloads:,} downloads."
        if downloads is None and change.facts.get("unread"):
            return f"hubdash could not read how many downloads {change.repo_id} has."
    return None


def check(user: Any, changes: Sequence[Change]) -> Iterable[Violation]:
    rules = list(Guardrail.objects.all())
    for change in changes:
        for rule in rules:
            why = _breaks(rule, change)
            if why is not None:
                yield Violation(rule.title, why, change.repo_id)


__all__ = ["check"]
