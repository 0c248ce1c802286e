"""A pull request's raw git diff, as the Hub gives it (`?diff=1`), read into files and lines for the page.

Every file is listed with what changed and its line counts; the lines themselves are kept up to a budget for the
whole page (MAX_CHARS, MAX_LINES): past it, a file says its diff is not shown and the page links to the whole.
An LFS file's diff is of its pointer; the page shows its size and SHA-256 from paths-info instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

MAX_CHARS = 200_000
MAX_LINES = 2_000
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_LFS_POINTER = ("version https://git-lfs.github.com/spec/", "oid sha256:")

Change = Literal["added", "deleted", "modified", "renamed"]
LineKind = Literal["hunk", "add", "del", "ctx", "note"]


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str
    old_no: int | None = None
    new_no: int | None = None


@dataclass
class DiffFile:
    path: str
    old_path: str | None = None  # a renamed file's former path
    change: Change = "modified"
    binary: bool = False
    lfs: bool = False  # the diff is of an LFS pointer: the content is stored apart
    additions: int = 0
    deletions: int = 0
    lines: list[DiffLine] = field(default_factory=list)
    shown: bool = True  # False: past the page's budget, or nothing to show (binary, LFS)
    cut: bool = False  # shown in part: the budget ran out inside this file

    @property
    def anchor(self) -> str:
        return "file-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)[:80]


@dataclass
class ParsedDiff:
    files: list[DiffFile]
    cut: bool  # some lines are not shown: the page links to the whole diff

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the pull request touches, as paths-info is asked about them (a rename's both sides)."""
        seen: dict[str, None] = {}
        for item in self.files:
            if item.old_path:
                seen[item.old_path] = None
            seen[item.path] = None
        return tuple(seen)


def _unquote(path: str) -> str:
    """git quotes paths with unusual characters in C style ("a/caf\\303\\251.txt")."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    body = path[1:-1]
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("latin-1").decode("utf-8")
    except (UnicodeError, ValueError):
        return body


def _side(value: str, prefix: str) -> str | None:
    """The path of a `--- a/x` / `+++ b/x` line; None for /dev/null."""
    value = _unquote(value.split("\t", 1)[0])
    if value == "/dev/null":
        return None
    return value[len(prefix) :] if value.startswith(prefix) else value


def _header_path(rest: str) -> str:
    """The path of `diff --git a/X b/X` when both sides are the same (the only case without ---/+++ lines that
    matters: a mode change, an empty file, a binary file)."""
    if rest.startswith('"'):
        end = rest.find('" ', 1)
        return _side(rest[: end + 1], "a/") or "" if end > 0 else rest
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half] == " " and rest[:2] == "a/" and rest[half + 1 : half + 3] == "b/":
        if rest[2:half] == rest[half + 3 :]:
            return rest[2:half]
    return rest[2:].split(" b/", 1)[0] if rest.startswith("a/") else rest


def parse(raw: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> ParsedDiff:
    files: list[DiffFile] = []
    current: DiffFile | None = None
    chars = lines = 0
    cut = False
    in_header = False
    old_no = new_no = 0
    for text in raw.split("\n"):
        if text.startswith("diff --git "):
            current = DiffFile(path=_header_path(text[len("diff --git ") :]), shown=not cut)
            files.append(current)
            in_header = True
            continue
        if current is None:
            continue
        if in_header:
            if text.startswith("new file mode"):
                current.change = "added"
                continue
            if text.startswith("deleted file mode"):
                current.change = "deleted"
                continue
            if text.startswith("rename from "):
                current.old_path, current.change = _unquote(text[len("rename from ") :]), "renamed"
                continue
            if text.startswith("rename to "):
                current.path = _unquote(text[len("rename to ") :])
                continue
            if text.startswith("--- "):
                old = _side(text[4:], "a/")
                if old is None:
                    current.change = "added"
                continue
            if text.startswith("+++ "):
                new = _side(text[4:], "b/")
                if new is None:
                    current.change = "deleted"
                elif current.change != "renamed":
                    current.path = new
                continue
            if text.startswith("Binary files "):
                current.binary, current.shown = True, False
                continue
        hunk = _HUNK.match(text)
        if hunk:
            in_header = False
            old_no, new_no = int(hunk[1]), int(hunk[2])
            line = DiffLine("hunk", text)
        elif text.startswith("+"):
            current.additions += 1
            current.lfs = current.lfs or text[1:].startswith(_LFS_POINTER)
            line = DiffLine("add", text[1:], None, new_no)
            new_no += 1
        elif text.startswith("-"):
            current.deletions += 1
            current.lfs = current.lfs or text[1:].startswith(_LFS_POINTER)
            line = DiffLine("del", text[1:], old_no, None)
            old_no += 1
        elif text.startswith(" "):
            line = DiffLine("ctx", text[1:], old_no, new_no)
            old_no += 1
            new_no += 1
        elif text.startswith("\\"):
            line = DiffLine("note", text[1:].strip())
        else:
            continue  # index lines, modes, similarity: said by the file's heading
        if not current.shown or current.cut:
            continue
        if chars + len(line.text) > max_chars or lines + 1 > max_lines:
            cut = True  # nothing more is shown, in this file or the next
            current.cut = True
            current.shown = bool(current.lines)
            continue
        current.lines.append(line)
        chars += len(line.text)
        lines += 1
    for item in files:
        if item.lfs:  # a pointer's lines say nothing a reader wants: size and hash come from paths-info
            chars -= sum(len(line.text) for line in item.lines)
            item.lines, item.shown, item.cut = [], False, False
    return ParsedDiff(files, cut)
