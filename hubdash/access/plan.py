"""How a set of decisions becomes Hub calls: per repo, batches of at most 100 requests addressed by user (or
user id), and one call per request whose requester the repo hides (only its request id can address it).

Pure: the preview counts calls with it, and the job makes exactly those calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from hubdash.hub.access import BATCH_MAX, Target
from hubdash.hub.repo_types import Kind

K = TypeVar("K")  # what the caller uses to name an item (a row's id)


@dataclass(frozen=True)
class Item(Generic[K]):
    key: K
    kind: Kind
    repo_id: str
    target: Target

    @property
    def batchable(self) -> bool:
        return bool(self.target.user or self.target.user_id)


@dataclass(frozen=True)
class Call(Generic[K]):
    """One Hub call: a batch (up to BATCH_MAX items) or a single decision by request id."""

    kind: Kind
    repo_id: str
    items: tuple[Item[K], ...]
    batch: bool


@dataclass(frozen=True)
class RepoShare:
    kind: Kind
    repo_id: str
    requests: int
    batch_calls: int
    single_calls: int

    @property
    def calls(self) -> int:
        return self.batch_calls + self.single_calls


def calls(items: Iterable[Item[K]]) -> list[Call[K]]:
    """The calls, repo by repo in the order repos first appear, batches before singles."""
    per_repo: dict[tuple[Kind, str], list[Item[K]]] = {}
    for item in items:
        per_repo.setdefault((item.kind, item.repo_id), []).append(item)
    planned: list[Call[K]] = []
    for (kind, repo_id), repo_items in per_repo.items():
        batchable = [i for i in repo_items if i.batchable]
        for start in range(0, len(batchable), BATCH_MAX):
            planned.append(Call(kind, repo_id, tuple(batchable[start : start + BATCH_MAX]), batch=True))
        planned.extend(Call(kind, repo_id, (i,), batch=False) for i in repo_items if not i.batchable)
    return planned


def shares(items: Sequence[Item[K]]) -> list[RepoShare]:
    """Per repo: how many requests, and how many calls of each sort they take."""
    per_repo: dict[tuple[Kind, str], list[int]] = {}
    for item in items:
        counts = per_repo.setdefault((item.kind, item.repo_id), [0, 0])
        counts[0 if item.batchable else 1] += 1
    return [
        RepoShare(kind, repo_id, batched + single, ceil(batched / BATCH_MAX), single)
        for (kind, repo_id), (batched, single) in per_repo.items()
    ]
