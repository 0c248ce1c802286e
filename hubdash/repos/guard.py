"""The team's guardrails on repos' own paths (settings, listing rows, move, delete, `/new/`): ask the
registry in core before a change, refuse with the rule's name and the repo, or let an admin go ahead
with a reason, which the change's feed event keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hubdash.accounts.permissions import is_admin
from hubdash.core import guardrails
from hubdash.core.http import AuthedRequest
from hubdash.hub.repo_types import RepoDetail

OVERRIDE_FIELD = "override_reason"
REASON_MAX = 500
STATUS = 409


@dataclass
class Refusal:
    """A change the guardrails refuse, as the page shows it."""

    message: str
    violations: list[guardrails.Violation]
    may_override: bool
    reason: str = ""  # what was typed, kept
    problem: str = ""  # why a typed override was not taken
    values: dict[str, str] = field(default_factory=dict)  # what the override form posts again

    @property
    def rules(self) -> list[str]:
        return sorted({v.rule for v in self.violations})


@dataclass(frozen=True)
class Override:
    """An admin went ahead against the guardrails: what the change's feed event keeps."""

    reason: str
    rules: list[str]

    def details(self) -> dict[str, Any]:
        return {"override": self.reason, "rules": self.rules}


def facts(detail: RepoDetail) -> dict[str, Any]:
    """What the rules may look at, from the repo as the Hub just showed it."""
    repo = detail.summary
    return {
        "private": repo.private,
        "gated": repo.gated or "off",
        "license": detail.license,
        "downloads": repo.downloads,
    }


def refusal(request: AuthedRequest, changes: list[guardrails.Change]) -> Refusal | Override | None:
    """None when no rule is broken; an Override when an admin went ahead with a reason; else the refusal."""
    violations = guardrails.check(request.user, changes)
    if not violations:
        return None
    reason = " ".join(request.POST.get(OVERRIDE_FIELD, "").split())[:REASON_MAX]
    admin = is_admin(request.user)
    if reason and admin:
        return Override(reason, sorted({v.rule for v in violations}))
    problem = ""
    if reason and not admin:
        problem = "Only an admin may override a guardrail; nothing was changed."
    elif OVERRIDE_FIELD in request.POST and admin:
        problem = "Say why you override the guardrail: the reason is recorded in the feed."
    return Refusal(guardrails.summary(violations), violations, admin, reason, problem)


__all__ = ["OVERRIDE_FIELD", "STATUS", "Override", "Refusal", "facts", "refusal"]
