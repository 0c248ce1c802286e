"""Guardrails: team rules that every hubdash path changing a repo's visibility or gating, moving or deleting
it asks first (`check`), and that the webhook receiver asks about changes made on the Hub (`check`, with
no person).

The rules themselves live in the `bulk` app, which registers its checker when Django loads it; `repos` and
`activity` only know this registry, so that no shared page imports a capability app. With no checker
registered, nothing is refused.

A change the Hub reports by webhook says little: rules on the license, the downloads or the gating need
facts it lacks. The rules' app registers what they need (`needs_facts`) and a reader that finds them
(`read_facts`: what hubdash knows, from `known_facts` sources such as the usage app's snapshots, else one
Hub call), which the receiver runs in a task, off its request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

logger = logging.getLogger(__name__)

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
# Changes the Hub reported: whether some rule needs a fact they lack (the license, the downloads, the
# gating), and the reader that finds those facts (what hubdash knows, else one Hub call), off the request.
Needs = Callable[[Sequence[Change]], bool]
Reader = Callable[[Sequence[Change], str | None], list[Change]]
# What an app knows of a repo without asking the Hub (the usage app's last snapshot): (kind, repo id) -> facts.
FactSource = Callable[[str, str], Mapping[str, Any]]
_checkers: list[Checker] = []
_needs: list[Needs] = []
_readers: list[Reader] = []
_sources: list[FactSource] = []


def register(checker: Checker, needs: Needs | None = None, reader: Reader | None = None) -> None:
    if checker not in _checkers:
        _checkers.append(checker)
    if needs is not None and needs not in _needs:
        _needs.append(needs)
    if reader is not None and reader not in _readers:
        _readers.append(reader)


def register_facts(source: FactSource) -> None:
    if source not in _sources:
        _sources.append(source)


def needs_facts(changes: Sequence[Change]) -> bool:
    """Whether judging these changes (the Hub reported them) needs facts they lack: then they are judged off
    the webhook's request, once `read_facts` has found them."""
    return bool(changes) and any(needs(changes) for needs in _needs)


def read_facts(changes: Sequence[Change], head_sha: str | None = None) -> list[Change]:
    """The changes with the facts the rules need, as the registered readers find them."""
    found = list(changes)
    for reader in _readers:
        found = reader(found, head_sha)
    return found


def known_facts(kind: str, repo_id: str) -> dict[str, Any]:
    """What the apps know of a repo without a Hub call (first said wins; a source that fails says nothing)."""
    found: dict[str, Any] = {}
    for source in _sources:
        try:
            facts = source(kind, repo_id)
        except Exception:  # knowing less costs one Hub call, not the judgement
            logger.exception("guardrails: facts of %s unreadable", repo_id)
            continue
        for name, value in facts.items():
            if value is not None:
                found.setdefault(name, value)
    return found


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


__all__ = [
    "Change",
    "Checker",
    "Violation",
    "check",
    "known_facts",
    "needs_facts",
    "read_facts",
    "register",
    "register_facts",
    "summary",
]
