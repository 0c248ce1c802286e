"""A pull request's raw git diff, as the Hub gives it (`?diff=1`), read into files and lines for the page.

The work is bounded whatever the diff holds (the Hub's diff of a pull request may be megabytes):

- lines are built for the page up to a budget for the whole page (MAX_CHARS, MAX_LINES); past it a file's
  remaining lines are only counted (`str.count`, no object per line) and the page links to the whole diff;
- the first MAX_FILES_DRAWN files get their own section (heading, sizes, lines); the files after them up to
  MAX_FILES_LISTED are named in a list; any further ones are only counted.

An LFS file's diff is of its pointer; the page shows its size and SHA-256 from paths-info instead. Lines, paths
and files holding Unicode direction controls (U+202A to U+202E, U+2066 to U+2069: text shown in another order than it
is read, "Trojan Source") are flagged, and the page shows where each control is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

MAX_CHARS = 200_000
MAX_LINES = 2_000
MAX_FILES_DRAWN = 300  # files with a section of their own (and sizes asked of paths-info: at most 600 paths)
MAX_FILES_LISTED = 1_000  # files named on the page at all
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_FIRST_HUNK = re.compile(r"^@@ -\d", re.MULTILINE)
_LFS_POINTER = "version https://git-lfs.github.com/spec/"  # the first line of every LFS pointer
BIDI_CHARS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI = re.compile(f"[{BIDI_CHARS}]")
_BIDI_SPLIT = re.compile("([\u202a-\u202e\u2066-\u2069])")

Change = Literal["added", "deleted", "modified", "renamed"]
LineKind = Literal["hunk", "add", "del", "ctx", "note"]


@dataclass(frozen=True)
class Piece:
    """A stretch of a line as the page shows it: text, or one direction control named by its code point."""

    text: str
    control: bool = False

    @property
    def code(self) -> str:
        return f"U+{ord(self.text):04X}" if self.control else ""

    @property
    def name(self) -> str:
        return unicodedata.name(self.text, "direction control").title() if self.control else ""


def pieces(text: str) -> tuple[Piece, ...]:
    """`text` split around its direction controls, for the page to show each control where it is."""
    return tuple(Piece(part, bool(i % 2)) for i, part in enumerate(_BIDI_SPLIT.split(text)) if part)


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str
    old_no: int | None = None
    new_no: int | None = None

    @property
    def bidi(self) -> bool:
        """Whether the line holds a direction control (shown as its code point, flagged)."""
        return BIDI.search(self.text) is not None

    @property
    def pieces(self) -> tuple[Piece, ...]:
        return pieces(self.text)


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
    lines_bidi: bool = False  # its changed lines hold direction controls (drawn or not)

    @property
    def anchor(self) -> str:
        return "file-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.path)[:80]

    @property
    def path_bidi(self) -> bool:
        return BIDI.search(self.path) is not None or BIDI.search(self.old_path or "") is not None

    @property
    def bidi(self) -> bool:
        return self.lines_bidi or self.path_bidi


@dataclass
class ParsedDiff:
    files: list[DiffFile]  # the first MAX_FILES_LISTED files, in the diff's order
    cut: bool  # some lines are not shown: the page links to the whole diff
    more_files: int = 0  # files past MAX_FILES_LISTED: counted, not named

    @property
    def drawn(self) -> list[DiffFile]:
        """The files with a section of their own."""
        return self.files[:MAX_FILES_DRAWN]

    @property
    def listed(self) -> list[DiffFile]:
        """The files after those drawn, named in a list."""
        return self.files[MAX_FILES_DRAWN:]

    @property
    def file_count(self) -> int:
        return len(self.files) + self.more_files

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path of the drawn files, as paths-info is asked about them (a rename's both sides)."""
        seen: dict[str, None] = {}
        for item in self.drawn:
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


def _header(lines: list[str]) -> DiffFile:
    """A file's heading lines (`diff --git` to its first hunk): its path, change, whether binary."""
    current = DiffFile(path=_header_path(lines[0][len("diff --git ") :]))
    for text in lines[1:]:
        if text.startswith("new file mode"):
            current.change = "added"
        elif text.startswith("deleted file mode"):
            current.change = "deleted"
        elif text.startswith("rename from "):
            current.old_path, current.change = _unquote(text[len("rename from ") :]), "renamed"
        elif text.startswith("rename to "):
            current.path = _unquote(text[len("rename to ") :])
        elif text.startswith("--- "):
            if _side(text[4:], "a/") is None:
                current.change = "added"
        elif text.startswith("+++ "):
            new = _side(text[4:], "b/")
            if new is None:
                current.change = "deleted"
            elif current.change != "renamed":
                current.path = new
        elif text.startswith("Binary files "):
            current.binary, current.shown = True, False
    return current


def _count(body: str, start: int) -> tuple[int, int]:
    """Added and deleted lines of a file's hunks from `start` (the beginning of a line) to its end."""
    return (
        body.count("\n+", start) + body.startswith("+", start),
        body.count("\n-", start) + body.startswith("-", start),
    )


class _Budget:
    """What is left of the page's lines and characters."""

    def __init__(self, chars: int, lines: int) -> None:
        self.chars, self.lines = chars, lines

    def take(self, line: DiffLine) -> bool:
        if len(line.text) > self.chars or self.lines < 1:
            self.chars = self.lines = 0  # spent: nothing more is shown, in this file or the next
            return False
        self.chars -= len(line.text)
        self.lines -= 1
        return True


def _draw(current: DiffFile, body: str, budget: _Budget) -> None:
    """Build the file's lines from its hunks (`body`) while the page's budget lasts; count the rest."""
    old_no = new_no = 0
    pos, end = 0, len(body)
    while pos < end:
        if not budget.lines:
            current.cut, current.shown = True, bool(current.lines)
            adds, dels = _count(body, pos)
            current.additions += adds
            current.deletions += dels
            return
        stop = body.find("\n", pos)
        stop = end if stop < 0 else stop
        text, start, pos = body[pos:stop], pos, stop + 1
        hunk = _HUNK.match(text)
        if hunk:
            old_no, new_no = int(hunk[1]), int(hunk[2])
            line = DiffLine("hunk", text)
        elif text.startswith("+"):
            line = DiffLine("add", text[1:], None, new_no)
        elif text.startswith("-"):
            line = DiffLine("del", text[1:], old_no, None)
        elif text.startswith(" "):
            line = DiffLine("ctx", text[1:], old_no, new_no)
        elif text.startswith("\\"):
            line = DiffLine("note", text[1:].strip())
        else:
            continue
        if not budget.take(line):
            pos = start  # this line too is counted, not shown
            continue
        current.lines.append(line)
        if line.kind == "add":
            current.additions += 1
            new_no += 1
        elif line.kind == "del":
            current.deletions += 1
            old_no += 1
        elif line.kind == "ctx":
            old_no += 1
            new_no += 1


def parse(raw: str, max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> ParsedDiff:
    """The diff's files, each with its change, counts, and lines while the page's budget lasts."""
    files: list[DiffFile] = []
    budget = _Budget(max_chars, max_lines)
    cut = False
    starts: list[int] = [0] if raw.startswith("diff --git ") else []
    pos = 0
    while len(starts) <= MAX_FILES_LISTED:  # where each file begins, found at C speed
        pos = raw.find("\ndiff --git ", pos) + 1
        if not pos:
            break
        starts.append(pos)
    more = 0
    if len(starts) > MAX_FILES_LISTED:  # past what the page names: counted alone
        more = raw.count("\ndiff --git ", starts[MAX_FILES_LISTED] - 1)
        raw = raw[: starts[MAX_FILES_LISTED]]
        starts = starts[:MAX_FILES_LISTED]
    for index, start in enumerate(starts):
        chunk = raw[start : starts[index + 1] if index + 1 < len(starts) else len(raw)]
        hunks = _FIRST_HUNK.search(chunk)
        head_end = hunks.start() if hunks else len(chunk)
        current = _header(chunk[:head_end].split("\n", 30)[:30])  # a heading is a few lines
        body = chunk[head_end:]
        current.lfs = f"\n+{_LFS_POINTER}" in body or f"\n-{_LFS_POINTER}" in body
        current.lines_bidi = not body.isascii() and any(char in body for char in BIDI_CHARS)
        files.append(current)
        drawable = bool(body) and not current.lfs and not current.binary and index < MAX_FILES_DRAWN
        if drawable and budget.lines:
            _draw(current, body, budget)
            continue
        # Nothing drawn: a pointer's lines say nothing a reader wants (size and hash come from paths-info), a
        # binary or empty change has none, a file past those drawn or past the budget is counted alone.
        current.shown = False
        cut = cut or drawable
        if body:
            current.additions, current.deletions = _count(body, 0)
    return ParsedDiff(files, cut or any(item.cut for item in files), more)
