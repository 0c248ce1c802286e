"""Pushing files to a repo: one commit (or a new pull request) with the person's own token.

This runs in a background job, not in a web request: a large file takes minutes to send, so the call
has no total deadline (`transport.without_total_deadline`), while each connect, read and write keeps
its timeout. huggingface_hub does the rest as it is: regular files inline, large ones through LFS (or
Xet when `hf_xet` is installed and the Hub offers it), then the commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import CommitOperationAdd

from . import cache, errors, transport
from .client import HubClient, translated
from .manage import _token
from .repo_types import Kind
from .repos import valid_repo_id, valid_revision

MAX_PATH_CHARS = 1000
# Each read and write of a push may wait this long (not the pages' 10 s): the Hub, or its storage, may
# take minutes to answer the end of a multi-gigabyte upload while it assembles and checks the parts.
PUSH_OP_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Pushed:
    commit_url: str  # the commit on the Hub (for a pull request: its head commit)
    commit_oid: str
    pr_url: str | None = None  # the new pull request, when one was asked for


def path_problem(path: str) -> str | None:
    """Why the Hub would refuse this path in a repo (None: it would take it). No Hub call."""
    if not path:
        return "A path is needed."
    if len(path) > MAX_PATH_CHARS:
        return f"A path may have at most {MAX_PATH_CHARS} characters."
    if path.startswith("/"):
        return "A path cannot start with /: paths are relative to the repo's top folder."
    if "\\" in path:
        return "Use / between folders, not \\."
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        return "A path cannot contain control characters."
    parts = path.split("/")
    if any(part == "" for part in parts):
        return "A path cannot have an empty folder name (// or a trailing /)."
    if any(part in (".", "..") for part in parts):
        return "A path cannot contain . or .. as a folder or file name."
    if ".git" in parts:
        return "A path cannot go into .git: the Hub keeps that folder for itself."
    return None


def push_files(
    client: HubClient,
    kind: Kind,
    repo_id: str,
    files: Sequence[tuple[Path, str]],
    *,
    known: Mapping[Path, tuple[int, str]] | None = None,
    branch: str,
    message: str,
    description: str = "",
    create_pr: bool = False,
) -> Pushed:
    """Commit `files` (local file, path in the repo) to `branch`, or open a pull request against it.

    `known` gives, for some local files, the size and sha256 (hex) of their bytes as received: the push
    then does not read a whole file once more just to hash it.
    """
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if not valid_revision(branch):
        raise errors.InvalidRequest("That is not a valid branch name.")
    problems = [f"{path}: {problem}" for _, path in files if (problem := path_problem(path))]
    if problems or not files:
        raise errors.InvalidRequest("; ".join(problems) or "Nothing to upload.")
    token = _token(client)
    operations = [_operation(local, path, (known or {}).get(local)) for local, path in files]
    try:
        with transport.without_total_deadline(PUSH_OP_TIMEOUT_S), translated():
            info = client._api.create_commit(
                repo_id,
                operations,
                commit_message=message,
                commit_description=description or None,
                token=token,
                repo_type=kind,
                revision=branch,
                create_pr=create_pr,
            )
    except errors.UnknownRevision:
        raise errors.UnknownRevision(
            f"The branch {branch} does not exist on the Hub: create it there first, or upload to another branch."
        ) from None
    finally:
        cache.forget_repo(kind, repo_id)  # even a failed push may have changed the repo (a PR opened, say)
    return Pushed(str(info.commit_url), str(info.oid), str(info.pr_url) if info.pr_url else None)


def _operation(local: Path, path: str, known: tuple[int, str] | None) -> CommitOperationAdd:
    """The file's commit operation; with its hash when already known, so the file is read once only.

    huggingface_hub hashes lazily (`UploadInfo.sha256` reads the file on first access) and lets a known
    hash be set through that public property; a file whose size is not the one hashed keeps the lazy hash.
    """
    operation = CommitOperationAdd(path_in_repo=path, path_or_fileobj=str(local))
    if known is not None and known[0] == operation.upload_info.size and not operation.upload_info.is_hashed:
        operation.upload_info.sha256 = bytes.fromhex(known[1])
    return operation


__all__ = ["Pushed", "path_problem", "push_files"]
