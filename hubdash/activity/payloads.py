"""Reading the two webhook families into the facts an event keeps: the seed's `{"add": "user/model"}`
and the Hub's v3 (`event.action`, `event.scope`, `repo`, ...). Pure functions of the parsed JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hubdash.hub.repos import valid_repo_id

LEGACY_KEYS = ("add", "update", "remove")
LEGACY_ACTIONS = {"add": ("create", "created"), "update": ("update", "updated"), "remove": ("delete", "deleted")}
LEGACY_PREFIXES = {"datasets/": "dataset", "spaces/": "space"}

# The v3 scopes hubdash knows and the actions each may carry; anything else is an update of its parent.
KNOWN_SCOPES: dict[str, tuple[str, ...]] = {
    "repo": ("create", "delete", "update", "move"),
    "repo.content": ("update",),
    "repo.config": ("update",),
    "discussion": ("create", "delete", "update"),
    "discussion.comment": ("create", "update"),
}
_REPO_TYPE = re.compile(r"[a-z]{1,16}")
_SHA = re.compile(r"[0-9a-f]{7,64}")
MAX_REFS_NAMED = 3

EXPECTED = (
    'Expected a Hub webhook payload: v3 ({"event": {"action": …, "scope": …}, "repo": {"type": …, "name": …}, …}) '
    'or the legacy shape ({"add" | "update" | "remove": "[datasets/|spaces/]namespace/name"}).'
)


class BadPayload(ValueError):
    """A body of neither family; the message says what was expected."""


@dataclass
class Parsed:
    source: str
    action: str
    summary: str
    repo_type: str
    repo_id: str
    private: bool | None
    actor: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return self.repo_id.split("/", 1)[0] if "/" in self.repo_id else ""


def parse(payload: object) -> Parsed:
    if not isinstance(payload, dict):
        raise BadPayload("The body must be a JSON object. " + EXPECTED)
    if "event" in payload:
        return _v3(payload)
    if len(payload) == 1 and next(iter(payload)) in LEGACY_KEYS:
        return _legacy(payload)
    raise BadPayload(EXPECTED)


def _legacy(payload: dict[str, Any]) -> Parsed:
    key, value = next(iter(payload.items()))
    if not isinstance(value, str):
        raise BadPayload(f'"{key}" must name a repo as a string. ' + EXPECTED)
    repo_type, repo_id = "model", value
    for prefix, kind in LEGACY_PREFIXES.items():
        if value.startswith(prefix):
            repo_type, repo_id = kind, value.removeprefix(prefix)
    if not valid_repo_id(repo_id):
        raise BadPayload(f'"{value[:200]}" is not a repo id. ' + EXPECTED)
    action, summary = LEGACY_ACTIONS[key]
    return Parsed("legacy", action, summary, repo_type, repo_id, None, details={"legacy": key})


def _text(value: object, limit: int = 200) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _v3(payload: dict[str, Any]) -> Parsed:
    event, repo = payload.get("event"), payload.get("repo")
    if (
        not isinstance(event, dict)
        or not isinstance(event.get("action"), str)
        or not isinstance(event.get("scope"), str)
    ):
        raise BadPayload('"event" must be an object with "action" and "scope" strings. ' + EXPECTED)
    if not isinstance(repo, dict) or not isinstance(repo.get("name"), str) or not isinstance(repo.get("type"), str):
        raise BadPayload('"repo" must be an object with "type" and "name" strings. ' + EXPECTED)
    repo_type, repo_id = repo["type"], repo["name"]
    if not _REPO_TYPE.fullmatch(repo_type) or not valid_repo_id(repo_id):
        raise BadPayload(f'"{repo_id[:200]}" ({repo_type[:20]}) is not a repo. ' + EXPECTED)
    raw_scope, raw_action = event["scope"][:100], event["action"][:100]
    scope = _known_scope(raw_scope)
    hub_action = raw_action if scope == raw_scope and raw_action in KNOWN_SCOPES[scope] else "update"
    private = repo.get("private") if isinstance(repo.get("private"), bool) else None
    details: dict[str, Any] = {"scope": raw_scope, "hub_action": raw_action}
    if scope != raw_scope or hub_action != raw_action:
        details["read_as"] = f"{scope} {hub_action}"
    if isinstance(repo.get("headSha"), str) and _SHA.fullmatch(repo["headSha"]):
        details["head_sha"] = repo["headSha"]
    webhook = payload.get("webhook")
    if isinstance(webhook, dict) and isinstance(webhook.get("id"), str):
        details["webhook_id"] = webhook["id"][:64]
    action, summary, actor = _describe(scope, hub_action, payload, details)
    return Parsed("hub", action, summary, repo_type, repo_id, private, actor, details)


def _known_scope(scope: str) -> str:
    """The scope itself when known, else its nearest known parent (`repo.content.x` → `repo.content`)."""
    parts = scope.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in KNOWN_SCOPES:
            return candidate
    return "repo"  # a domain hubdash does not know yet, about this repo


def _describe(scope: str, action: str, payload: dict[str, Any], details: dict[str, Any]) -> tuple[str, str, str]:
    """(action for the filter, what happened in words, who did it when the payload says)."""
    if scope == "repo":
        if action == "move":
            moved = payload.get("movedTo")
            target = _text(moved.get("name")) if isinstance(moved, dict) else ""
            if "/" in target and valid_repo_id(target):  # a move always lands in a namespace
                details["moved_to"] = target
                return "move", f"moved to {target}", ""
            return "move", "moved", ""
        return {"create": ("create", "created", ""), "delete": ("delete", "deleted", "")}.get(
            action, ("update", "updated", "")
        )
    if scope == "repo.content":
        return "push", _refs_summary(payload.get("updatedRefs"), details), ""
    if scope == "repo.config":
        config = payload.get("updatedConfig")
        if isinstance(config, dict) and isinstance(config.get("private"), bool):
            details["private"] = config["private"]
            return "settings", "made private" if config["private"] else "made public", ""
        return "settings", "changed settings", ""
    return _discussion(scope, action, payload, details)


def _ref_name(ref: str) -> tuple[str, str]:
    for prefix, kind in (("refs/heads/", "branch"), ("refs/tags/", "tag"), ("refs/pr/", "pull request")):
        if ref.startswith(prefix):
            return kind, ref.removeprefix(prefix)
    return "ref", ref


def _refs_summary(refs: object, details: dict[str, Any]) -> str:
    if not isinstance(refs, list) or not refs:
        return "pushed"
    phrases, kept = [], []
    for item in refs:
        if not isinstance(item, dict) or not isinstance(item.get("ref"), str):
            continue
        old, new = item.get("oldSha"), item.get("newSha")
        kind, name = _ref_name(item["ref"][:200])
        kept.append({"ref": item["ref"][:200], "old": _text(old, 64) or None, "new": _text(new, 64) or None})
        if kind == "pull request":
            phrases.append(f"updated pull request #{name}")
        elif not old:
            phrases.append(f"created {kind} {name}")
        elif not new:
            phrases.append(f"deleted {kind} {name}")
        else:
            phrases.append(f"pushed to {name}")
    details["refs"] = kept[:50]
    if not phrases:
        return "pushed"
    more = len(phrases) - MAX_REFS_NAMED
    return ", ".join(phrases[:MAX_REFS_NAMED]) + (f" and {more} more" if more > 0 else "")


def _discussion(scope: str, action: str, payload: dict[str, Any], details: dict[str, Any]) -> tuple[str, str, str]:
    discussion = payload.get("discussion") if isinstance(payload.get("discussion"), dict) else {}
    assert isinstance(discussion, dict)
    num = discussion.get("num")
    is_pr = discussion.get("isPullRequest") is True
    noun = "pull request" if is_pr else "discussion"
    ref = f"{noun} #{num}" if isinstance(num, int) and not isinstance(num, bool) else noun
    title = _text(discussion.get("title"), 200)
    status = _text(discussion.get("status"), 20)
    details.update(
        discussion={"num": num if isinstance(num, int) else None, "title": title, "status": status, "pr": is_pr}
    )
    author = discussion.get("author")
    actor = _text(author.get("id"), 100) if isinstance(author, dict) else ""
    if scope == "discussion.comment":
        comment = payload.get("comment") if isinstance(payload.get("comment"), dict) else {}
        assert isinstance(comment, dict)
        comment_author = comment.get("author")
        actor = _text(comment_author.get("id"), 100) if isinstance(comment_author, dict) else ""
        if action == "create":
            return "comment", f"commented on {ref}", actor
        if comment.get("hidden") is True:
            return "comment", f"hid a comment on {ref}", actor
        return "comment", f"edited a comment on {ref}", actor
    if action == "create":
        verb = "opened"
    elif action == "delete":
        verb = "deleted"
    else:
        verb = {"merged": "merged", "closed": "closed", "draft": "marked as draft"}.get(status, "updated")
    return "discussion", f"{verb} {ref}" + (f" “{title}”" if title else ""), actor
