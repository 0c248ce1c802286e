"""Changing repos on the Hub: create, delete, move or rename, visibility and gating.

Each call runs inside `translated()` with the person's own token and is never retried (the client does
not retry mutations, and neither do we: a second create after a lost answer would meet "already
exists"). After a change, the repo's cached answers (and, when the set of repos someone can list
changed, every cached listing) are dropped for every person, so pages show the Hub's new state at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from huggingface_hub import CommitOperationAdd
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

from . import cache, errors
from .client import HubClient, translated
from .repo_types import Kind, RepoSummary
from .repos import hub_url, repo_detail, valid_repo_id

Visibility = Literal["public", "private", "protected"]
Gating = Literal["off", "auto", "manual"]
VISIBILITIES: tuple[Visibility, ...] = ("public", "private", "protected")
GATINGS: tuple[Gating, ...] = ("off", "auto", "manual")
# The SDKs the pinned huggingface_hub accepts for a new Space (the Hub requires one).
SPACE_SDKS = ("gradio", "docker", "static", "streamlit")


class AlreadyExists(errors.InvalidRequest):
    """The Hub already has a repo of that type under that id (the person may or may not see it)."""

    status = 409
    kind = "exists"

    def __init__(self, message: str, repo_kind: Kind, repo_id: str) -> None:
        super().__init__(message)
        self.repo_kind = repo_kind
        self.repo_id = repo_id


@dataclass(frozen=True)
class CreatedRepo:
    kind: Kind
    repo_id: str  # as the Hub named it in its answer
    url: str  # the repo's page on the Hub
    license_error: str | None = None  # the repo exists; only its license could not be written


def _token(client: HubClient) -> str:
    if not client._token:
        raise errors.NoToken("Connect a Hub token with write access first.")
    return client._token


def _conflict(err: HfHubHTTPError) -> bool:
    return err.response is not None and err.response.status_code == 409


def create_repo(
    client: HubClient,
    kind: Kind,
    namespace: str,
    name: str,
    visibility: Visibility,
    sdk: str | None = None,
    license: str | None = None,
) -> CreatedRepo:
    """Create a repo; an existing one is `AlreadyExists` (never silently reused, unlike `exist_ok`)."""
    repo_id = f"{namespace}/{name}"
    if not valid_repo_id(repo_id) or "/" in name:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if visibility == "protected" and kind != "space":
        raise errors.InvalidRequest("Only Spaces can be protected.")
    token = _token(client)
    with translated():
        try:
            url = client._api.create_repo(
                repo_id,
                token=token,
                repo_type=kind,
                visibility=visibility,
                space_sdk=sdk if kind == "space" else None,
                exist_ok=False,
            )
        except HfHubHTTPError as err:
            if _conflict(err):
                raise AlreadyExists(f"There is already a {kind} named {repo_id}.", kind, repo_id) from None
            raise
        named = str(getattr(url, "repo_id", "") or repo_id)
    created = named if valid_repo_id(named) and "/" in named else repo_id
    cache.forget_repo(kind, created)
    cache.forget_listings()
    license_error = None
    if license:
        try:
            _write_license(client, kind, created, license, sdk)
        except errors.HubError as err:
            license_error = err.message
    return CreatedRepo(kind, created, hub_url(kind, created), license_error)


def _write_license(client: HubClient, kind: Kind, repo_id: str, license: str, sdk: str | None) -> None:
    """The Hub reads a repo's license from its card's front matter; `create_repo` cannot set it."""
    front = [f"license: {license}"] + ([f"sdk: {sdk}"] if kind == "space" and sdk else [])
    card = "---\n" + "\n".join(front) + "\n---\n"
    with translated():
        client._api.create_commit(
            repo_id,
            [CommitOperationAdd("README.md", card.encode())],
            commit_message="Add license",
            token=_token(client),
            repo_type=kind,
        )
    cache.forget_repo(kind, repo_id)


def delete_repo(client: HubClient, kind: Kind, repo_id: str) -> bool:
    """Delete a repo: True when the Hub deleted it, False when it was already gone (that counts as done)."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    token = _token(client)
    deleted = True
    with translated():
        try:
            client._api.delete_repo(repo_id, token=token, repo_type=kind)
        except RepositoryNotFoundError:
            deleted = False
    cache.forget_repo(kind, repo_id)
    cache.forget_listings()
    return deleted


def move_repo(client: HubClient, kind: Kind, from_id: str, to_id: str) -> str:
    """Move or rename a repo; the Hub redirects the old id to the new one. Returns the new id."""
    if not all(valid_repo_id(i) and "/" in i for i in (from_id, to_id)):
        raise errors.InvalidRequest("That is not a valid repo name.")
    if from_id == to_id:
        raise errors.InvalidRequest("That is the repo's current name.")
    token = _token(client)
    with translated():
        try:
            client._api.move_repo(from_id, to_id, token=token, repo_type=kind)
        except HfHubHTTPError as err:
            if _conflict(err):
                raise AlreadyExists(f"There is already a {kind} named {to_id}.", kind, to_id) from None
            raise
    for repo_id in (from_id, to_id):
        cache.forget_repo(kind, repo_id)
    cache.forget_listings()
    return to_id


def update_settings(
    client: HubClient,
    kind: Kind,
    repo_id: str,
    visibility: Visibility | None = None,
    gating: Gating | None = None,
) -> RepoSummary | None:
    """Change visibility and/or gating, then read the repo back: what the Hub now says, not what was asked
    (None when the change was accepted but the repo could not be read back)."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if visibility is None and gating is None:
        raise errors.InvalidRequest("Nothing to change.")
    if visibility == "protected" and kind != "space":
        raise errors.InvalidRequest("Only Spaces can be protected.")
    gated: Literal["auto", "manual", False] | None = None
    if gating is not None:
        gated = False if gating == "off" else gating
    token = _token(client)
    with translated():
        client._api.update_repo_settings(repo_id, gated=gated, visibility=visibility, token=token, repo_type=kind)
    cache.forget_repo(kind, repo_id)
    if visibility is not None:
        cache.forget_listings()
    try:
        return repo_detail(client, kind, repo_id, None).summary
    except errors.HubError:
        return None  # the Hub took the change; only reading the repo back failed


__all__ = [
    "GATINGS",
    "SPACE_SDKS",
    "VISIBILITIES",
    "AlreadyExists",
    "CreatedRepo",
    "Gating",
    "Visibility",
    "create_repo",
    "delete_repo",
    "move_repo",
    "update_settings",
]
