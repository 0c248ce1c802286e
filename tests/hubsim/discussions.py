"""Discussions and pull requests of a repo (shared/hub-api.md §15.5): their state, and what changes it.

A discussion and a pull request share one numbering per repo (`Repo.pr_count` counts both). A pull request's
changes live on `refs/pr/N` (held in `Repo.branches` under that name); its diff is from the merge base of the
target branch and `refs/pr/N` to `refs/pr/N`, and merging it makes a merge commit on the target branch.
Authors are kept by account id, so a renamed account keeps its discussions. Nothing here speaks HTTP or sends
webhooks: `api_discussions.py` and the control API do, after calling these functions under `World.lock`.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import re
import secrets
import time
from dataclasses import dataclass, field

from .state import Account, Commit, FileEntry, Repo, World

STATUSES = ("draft", "open", "closed", "merged")
TITLE_MIN, TITLE_MAX = 3, 200
COMMENT_MAX = 65536


def event_id(ts: float | None = None) -> str:
    """A 24-hex id like the Hub's, time-prefixed by when the thing happened (so seeded ones sort by date)."""
    return f"{int(ts if ts is not None else time.time()):08x}" + secrets.token_hex(8)


@dataclass
class Event:
    id: str
    type: str  # comment | status-change | title-change | commit
    author_id: str | None  # the Account.id; None: a deleted account
    created_at: float
    data: dict = field(default_factory=dict)
    # comments: raw, hidden, hidden_by (account id), history [(raw, ts, editor id)], oldest first
    # status-change: status; title-change: from, to; commit: subject, oid


@dataclass
class Discussion:
    num: int
    id: str
    title: str
    author_id: str
    created_at: float
    is_pull_request: bool
    status: str  # draft | open | closed | merged
    events: list[Event] = field(default_factory=list)
    pinned: bool = False
    target: str = "refs/heads/main"  # pull requests: the branch it merges into
    merge_commit: str | None = None
    merged_base: str | None = None  # the merge base when it was merged: its diff stays what it merged

    @property
    def ref(self) -> str:
        return f"refs/pr/{self.num}"

    @property
    def comments(self) -> list[Event]:
        return [e for e in self.events if e.type == "comment"]

    @property
    def last_activity(self) -> float:
        return max([self.created_at, *(e.created_at for e in self.events)])

    def comment(self, comment_id: str) -> Event | None:
        for event in self.events:
            if event.type == "comment" and event.id == comment_id.lower():
                return event
        return None


class Refusal(Exception):
    """Something the Hub refuses: a status and a message (the HTTP side turns it into the Hub's error)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# -- validation ------------------------------------------------------------------------------------
def check_title(title: object) -> str:
    if not isinstance(title, str) or not TITLE_MIN <= len(title.strip()) <= TITLE_MAX:
        raise Refusal(400, f'"title" must be a string of {TITLE_MIN} to {TITLE_MAX} characters')
    return title.strip()


def check_comment(text: object, name: str = "comment", minimum: int = 1) -> str:
    if not isinstance(text, str) or not minimum <= len(text) <= COMMENT_MAX:
        raise Refusal(400, f'"{name}" must be a string of {minimum} to {COMMENT_MAX} characters')
    if minimum and not text.strip():
        raise Refusal(400, f'"{name}" must not be blank')
    return text


# -- roles -------------------------------------------------------------------------------------------
def author_roles(world: World, account: Account, repo: Repo) -> tuple[bool, bool]:
    """`isOwner`, `isOrgMember` as the Hub marks an event's author: the owner of a user namespace, a member
    (any role) of the organisation that owns the repo."""
    if account.name == repo.namespace:
        return True, False
    owner = world.accounts.get(repo.namespace)
    return False, bool(owner is not None and owner.is_org and account.name in owner.members)


def is_member(world: World, account: Account | None, repo: Repo) -> bool:
    return account is not None and any(author_roles(world, account, repo))


# -- changes -------------------------------------------------------------------------------------------
def _ancestors(repo: Repo, sha: str) -> list[str]:
    """Every commit reachable from `sha`, nearest first (breadth first over all parents)."""
    seen, order, queue = {sha}, [sha], [sha]
    while queue:
        commit = repo.commits.get(queue.pop(0))
        for parent in commit.parents if commit else []:
            if parent not in seen:
                seen.add(parent)
                order.append(parent)
                queue.append(parent)
    return order


def merge_base(repo: Repo, a: str, b: str) -> str | None:
    theirs = set(_ancestors(repo, a))
    return next((sha for sha in _ancestors(repo, b) if sha in theirs), None)


def _changed(before: dict[str, FileEntry], after: dict[str, FileEntry]) -> set[str]:
    return {p for p in set(before) | set(after) if _key(before.get(p)) != _key(after.get(p))}


def _key(entry: FileEntry | None) -> object:
    return None if entry is None else entry.content_key()


def target_sha(repo: Repo, discussion: Discussion) -> str | None:
    return repo.branches.get(discussion.target.removeprefix("refs/heads/"))


def head_sha(repo: Repo, discussion: Discussion) -> str | None:
    return repo.branches.get(discussion.ref)


def base_sha(repo: Repo, discussion: Discussion) -> str | None:
    """Where the pull request's changes start: the merge base, or the one frozen when it was merged."""
    if discussion.merged_base:
        return discussion.merged_base
    target, head = target_sha(repo, discussion), head_sha(repo, discussion)
    if target is None or head is None:
        return None
    return merge_base(repo, target, head)


def conflicts(repo: Repo, discussion: Discussion) -> list[str]:
    """Paths changed on both sides since the merge base, to different contents (none once merged)."""
    if discussion.status == "merged":
        return []
    target, head, base = target_sha(repo, discussion), head_sha(repo, discussion), base_sha(repo, discussion)
    if target is None or head is None or base is None:
        return []
    ours, theirs, start = repo.commits[target].files, repo.commits[head].files, repo.commits[base].files
    both = _changed(start, theirs) & _changed(start, ours)
    return sorted(p for p in both if _key(ours.get(p)) != _key(theirs.get(p)))


def diff(repo: Repo, discussion: Discussion) -> str:
    """The pull request's changes as git prints them (`git diff base head`): text hunks for text files, the
    pointer file's lines for LFS files (what git holds), `Binary files … differ` for binary regular files."""
    head, base = head_sha(repo, discussion), base_sha(repo, discussion)
    if head is None or base is None:
        return ""
    before, after = repo.commits[base].files, repo.commits[head].files
    return "".join(_file_diff(path, before.get(path), after.get(path)) for path in sorted(_changed(before, after)))


def _git_text(entry: FileEntry) -> str | None:
    """What git holds for a file, as text; None for binary content."""
    if entry.is_lfs:
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{entry.lfs_sha256}\nsize {entry.size}\n"
    data = entry.content or b""
    if b"\0" in data[:8000]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _file_diff(path: str, old: FileEntry | None, new: FileEntry | None) -> str:
    zero = "0" * 7
    lines = [f"diff --git a/{path} b/{path}\n"]
    if old is None:
        lines += ["new file mode 100644\n", f"index {zero}..{new.oid[:7]}\n"]  # type: ignore[union-attr]
    elif new is None:
        lines += ["deleted file mode 100644\n", f"index {old.oid[:7]}..{zero}\n"]
    else:
        lines.append(f"index {old.oid[:7]}..{new.oid[:7]} 100644\n")
    texts = [None if e is None else _git_text(e) for e in (old, new)]
    a_name = f"a/{path}" if old is not None else "/dev/null"
    b_name = f"b/{path}" if new is not None else "/dev/null"
    if (old is not None and texts[0] is None) or (new is not None and texts[1] is None):
        lines.append(f"Binary files {a_name} and {b_name} differ\n")
        return "".join(lines)
    hunks = list(
        difflib.unified_diff(
            (texts[0] or "").splitlines(keepends=True), (texts[1] or "").splitlines(keepends=True), a_name, b_name
        )
    )
    for line in hunks:
        if line.startswith(("---", "+++")):
            lines.append(line.rstrip(" \t\n").split("\t")[0] + "\n")
        elif line.endswith("\n"):
            lines.append(line)
        else:
            lines += [line + "\n", "\\ No newline at end of file\n"]
    return "".join(lines)


# -- markdown: a small, safe renderer (everything escaped; a few constructs made into tags) -------------
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|/)[^)\s]*)\)")
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])")


def _inline(text: str) -> str:
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    out = _CODE.sub(keep, html.escape(text, quote=True))
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}" rel="nofollow">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    out = _ITALIC.sub(r"<em>\1</em>", out)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], out)


def render(markdown: str) -> str:
    """Paragraphs, `#` headings, `-` lists, fenced code, `code`, **bold**, *italic*, http(s) links; any HTML
    in the source comes out as text."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append("<p>" + "<br>\n".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    lines = markdown.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            flush()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                code.append(lines[i])
                i += 1
            out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
        elif heading := re.match(r"(#{1,6})\s+(.*)", line):
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif item := re.match(r"\s*[-*]\s+(.*)", line):
            if paragraph:
                flush()
            items.append(item.group(1))
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            paragraph.append(line)
        i += 1
    flush()
    return "\n".join(out)


# -- what changes a discussion -----------------------------------------------------------------------
def new_comment(author: Account, text: str, when: float) -> Event:
    return Event(event_id(when), "comment", author.id, when, {"raw": text, "hidden": False, "history": []})


def open_discussion(
    world: World,
    repo: Repo,
    author: Account,
    title: str,
    description: str,
    *,
    pull_request: bool = False,
    when: float | None = None,
    target: str = "main",
) -> Discussion:
    """A new discussion, or a pull request in `draft` whose `refs/pr/N` starts at the target branch's head."""
    when = time.time() if when is None else when
    with world.lock:
        repo.pr_count += 1
        discussion = Discussion(
            num=repo.pr_count,
            id=event_id(when),
            title=title,
            author_id=author.id,
            created_at=when,
            is_pull_request=pull_request,
            status="draft" if pull_request else "open",
            target=f"refs/heads/{target}",
        )
        discussion.events.append(new_comment(author, description, when))
        if pull_request:
            repo.branches[discussion.ref] = repo.branches[target]
        repo_discussions(repo)[discussion.num] = discussion
        return discussion


def repo_discussions(repo: Repo) -> dict[int, Discussion]:
    """A repo's discussions by number (repos saved before discussions existed get an empty dict)."""
    return repo.__dict__.setdefault("discussions", {})


def add_comment(discussion: Discussion, author: Account, text: str, when: float | None = None) -> Event:
    event = new_comment(author, text, time.time() if when is None else when)
    discussion.events.append(event)
    return event


def set_status(discussion: Discussion, author: Account, status: str, when: float | None = None) -> Event:
    when = time.time() if when is None else when
    event = Event(event_id(when), "status-change", author.id, when, {"status": status})
    discussion.status = status
    discussion.events.append(event)
    return event


def set_title(discussion: Discussion, author: Account, title: str, when: float | None = None) -> Event:
    when = time.time() if when is None else when
    event = Event(event_id(when), "title-change", author.id, when, {"from": discussion.title, "to": title})
    discussion.title = title
    discussion.events.append(event)
    return event


def record_commit(discussion: Discussion, author: Account, commit: Commit, when: float | None = None) -> Event | None:
    """A commit pushed to `refs/pr/N`: a `commit` event; a draft becomes open (a status change by the pusher)
    — the returned status change, if any."""
    when = commit.date if when is None else when
    discussion.events.append(
        Event(event_id(when), "commit", author.id, when, {"subject": commit.title, "oid": commit.id})
    )
    if discussion.status == "draft":
        return set_status(discussion, author, "open", when)
    return None


def edit_comment(event: Event, editor: Account, text: str, when: float | None = None) -> None:
    when = time.time() if when is None else when
    data = event.data
    data["history"].append((data["raw"], data.get("updated_at", event.created_at), data.get("editor", event.author_id)))
    data["raw"], data["updated_at"], data["editor"] = text, when, editor.id


def hide_comment(event: Event, moderator: Account) -> None:
    event.data.update(hidden=True, hidden_by=moderator.id, raw="", history=[])


def commit_to_pr(
    world: World,
    repo: Repo,
    discussion: Discussion,
    author: Account,
    files: dict[str, FileEntry],
    title: str,
    when: float | None = None,
) -> tuple[str | None, Commit]:
    """Commit `files` (the whole new tree) on `refs/pr/N` as `author`; the commit is recorded on the PR."""
    with world.lock:
        old, commit = world.commit(repo, discussion.ref, files, title, title, author.name, date=when)
        record_commit(discussion, author, commit, when)
        return old, commit


def merge(world: World, repo: Repo, discussion: Discussion, merger: Account, when: float | None = None) -> Commit:
    """Merge a pull request: a merge commit on the target branch (parents: its head, then the PR's head) whose
    tree is the target's with the PR's changes applied; the PR is `merged` with its `mergeCommitId`. The caller
    checks conflicts and status first."""
    when = time.time() if when is None else when
    with world.lock:
        branch = discussion.target.removeprefix("refs/heads/")
        target, head, base = target_sha(repo, discussion), head_sha(repo, discussion), base_sha(repo, discussion)
        assert target is not None and head is not None and base is not None
        files = dict(repo.commits[target].files)
        start, theirs = repo.commits[base].files, repo.commits[head].files
        for path in _changed(start, theirs):
            if path in theirs:
                files[path] = theirs[path]
            else:
                files.pop(path, None)
        title = f"{discussion.title} (#{discussion.num})"
        seed = f"{target}|{head}|{when}|{secrets.token_hex(8)}"
        commit = Commit(
            id=hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest(),
            parents=[target, head],
            files=files,
            title=title,
            message=title,
            author=merger.name,
            date=when,
        )
        repo.commits[commit.id] = commit
        repo.branches[branch] = commit.id
        discussion.merged_base = base
        discussion.merge_commit = commit.id
        set_status(discussion, merger, "merged", when)
        return commit
