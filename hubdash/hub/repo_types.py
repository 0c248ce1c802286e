"""Typed views of the Hub's repo answers (lists, info, refs, files, commits, tags), for templates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Kind = Literal["model", "dataset", "space"]
KINDS: tuple[Kind, ...] = ("model", "dataset", "space")
# The path segment the Hub uses for each kind, in its API and on its website.
PLURAL: dict[Kind, str] = {"model": "models", "dataset": "datasets", "space": "spaces"}
WEB_PREFIX: dict[Kind, str] = {"model": "", "dataset": "datasets/", "space": "spaces/"}


@dataclass(frozen=True)
class RepoSummary:
    """One repo as a listing (or the home page) shows it."""

    kind: Kind
    id: str
    private: bool = False
    gated: str | None = None  # "auto" or "manual" when gated
    disabled: bool = False
    downloads: int | None = None
    likes: int = 0
    trending: float = 0.0
    created_at: datetime | None = None
    last_modified: datetime | None = None
    task: str | None = None
    library: str | None = None
    sdk: str | None = None
    tags: tuple[str, ...] = ()
    sha: str | None = None
    files: tuple[str, ...] = ()
    config: Mapping[str, Any] | None = None

    @property
    def namespace(self) -> str:
        return self.id.partition("/")[0] if "/" in self.id else ""

    @property
    def name(self) -> str:
        return self.id.rpartition("/")[2]

    @property
    def plural(self) -> str:
        return PLURAL[self.kind]


@dataclass(frozen=True)
class Listing:
    """One page of a listing, and how to ask for the next one."""

    repos: tuple[RepoSummary, ...]
    next_cursor: str | None = None
    # Ascending order asked for but the set was too large to sort here: shown in the Hub's order.
    descending_only: bool = False


@dataclass(frozen=True)
class TagInfo:
    id: str
    label: str
    group: str
    sub_type: str | None = None


@dataclass(frozen=True)
class TagVocabulary:
    """The Hub's tags for one kind, by group (pipeline_tag, library, language, license...)."""

    kind: Kind
    groups: Mapping[str, tuple[TagInfo, ...]]

    def label_of(self, tag: str) -> str:
        for tags in self.groups.values():
            for info in tags:
                if info.id == tag:
                    return info.label
        return tag

    def group_of(self, tag: str) -> str | None:
        for group, tags in self.groups.items():
            if any(info.id == tag for info in tags):
                return group
        return None


@dataclass(frozen=True)
class RepoDetail:
    """What the Hub says about a repo at one revision."""

    summary: RepoSummary
    sha: str
    used_storage: int | None = None
    parameters: int | None = None
    parameters_by_dtype: Mapping[str, int] = field(default_factory=dict)
    license: str | None = None
    languages: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()  # linked datasets (models: trained on; Spaces: use)
    models: tuple[str, ...] = ()  # linked models (Spaces)
    spaces: tuple[str, ...] = ()  # Spaces that use this model
    runtime_stage: str | None = None
    runtime_hardware: str | None = None
    card_data: Mapping[str, Any] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None
    title: str | None = None  # Spaces have a display title


@dataclass(frozen=True)
class GitRef:
    name: str
    ref: str
    target: str


@dataclass(frozen=True)
class RepoRefs:
    branches: tuple[GitRef, ...]
    tags: tuple[GitRef, ...]
    pulls: tuple[GitRef, ...] = ()


@dataclass(frozen=True)
class TreeEntry:
    path: str
    is_dir: bool
    size: int
    lfs: bool = False

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2]


@dataclass(frozen=True)
class Tree:
    entries: tuple[TreeEntry, ...]
    commit: str | None
    truncated: bool = False


@dataclass(frozen=True)
class CommitInfo:
    id: str
    title: str
    message: str
    authors: tuple[str, ...]
    date: datetime | None


@dataclass(frozen=True)
class CommitPage:
    commits: tuple[CommitInfo, ...]
    next_cursor: str | None = None


@dataclass(frozen=True)
class FileText:
    """A file's start, as text when it is text; `truncated` when it was longer than the cap."""

    path: str
    text: str | None
    size: int | None
    truncated: bool = False


@dataclass(frozen=True)
class Metric:
    id: str
    space_id: str | None
    description: str
