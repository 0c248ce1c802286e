"""Guardrails: team rules that every hubdash path changing a repo's visibility or gating, moving or deleting
it asks first (`check`), and that the webhook receiver asks about changes made on the Hub (`check`, with
no person).

The rules themselves live in the `bulk` app, which registers its checker when Django loads it; `repos` and
`activity` only know this registry, so that no shared page imports a capability app. With no checker
registered, nothing is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

What = Literal["visibility", "gating", "move", "delete"]


@dataclass(frozen=True)
class Change:
    """One change to one repo, as the path making it knows it.

    `before`/`after`: the visibility (public, private, protected), the gating (off, auto, manual) or, for a
    move, the repo id; None when not known (a repo being created has no before). `facts`: what is known of
    the repo besides (`private`, `gated`, `license`, `downloads`); a fact left out is unknown.
    """

    kind: str
    repo_id: str
    what: What
    before: str | None = None
    after: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        """The namespace the repo is in after the change (a move's target)."""
        target = self.after if self.what == "move" and self.after else self.repo_id
        return target.partition("/")[0]


@dataclass(frozen=True)
class Violation:
    rule: str  # the rule's name, as the admin reads it on the guardrails page
    message: str  # why this change breaks it, in a sentence
    repo_id: str = ""

    def __str__(self) -> str:
        return f"{self.rule[:1].upper()}{self.rule[1:]}: {self.message}"


# `user` is the person making the change (None: a change made on the Hub, reported by a webhook).
Checker = Callable[[Any, Sequence[Change]], Iterable[Violation]]
_checkers: list[Checker] = []


def register(checker: Checker) -> None:
    if checker not in _checkers:
        _checkers.append(checker)


def check(user: Any, changes: Sequence[Change]) -> list[Violation]:
    """Every rule these changes would break (empty: go ahead)."""
    if not changes:
        return []
    return [violation for checker in _checkers for violation in checker(user, changes)]


def summary(violations: Sequence[Violation]) -> str:
    """The refusal in one paragraph: each rule's name and the repos that break it."""
    by_rule: dict[str, list[str]] = {}
    for violation in violations:
        repos = by_rule.setdefault(violation.rule, [])
        if violation.repo_id and violation.repo_id not in repos:
            repos.append(violation.repo_id)
    parts = [f"“{rule}”" + (f" ({', '.join(repos)})" if repos else "") for rule, repos in by_rule.items()]
    return "This breaks the team's guardrail " + "; ".join(parts) + "."


__all__ = ["Change", "Checker", "Violation", "check", "register", "summary"]
