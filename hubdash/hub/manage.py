"""Changing repos on the Hub: create, delete, move or rename, visibility and gating.

Each call runs inside `translated()` with the person's own token and is never retried (the client does
not retry mutations, and neither do we: a second create after a lost answer would meet "already
exists"). After a change, the repo's cached answers (and, when the set of repos someone can list
changed, every cached listing) are dropped for every person, so pages show the Hub's new state at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal, cast

from django.conf import settings
from huggingface_hub import CommitOperationAdd
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.utils import get_session, hf_raise_for_status

from . import cache, errors
from .client import HubClient, translated
from .repo_types import PLURAL, Kind, RepoSummary
from .repos import auth_headers, hub_url, moved_or_refused, repo_detail, valid_repo_id

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
class ChangedSettings:
    """A repo after a settings change: read back, with the visibility and gating of the Hub's own answer.

    Repo info only says `private`, and a protected Space reads there as public; the settings answer is the
    one place that says "protected"."""

    repo: RepoSummary
    visibility: Visibility

    @property
    def gating(self) -> Gating:
        return cast(Gating, self.repo.gated or "off")


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
) -> ChangedSettings | None:
    """Change visibility and/or gating: what the Hub answered, merged into the repo read back (None when
    the Hub took the change but the repo could not be read back)."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if visibility is None and gating is None:
        raise errors.InvalidRequest("Nothing to change.")
    if visibility == "protected" and kind != "space":
        raise errors.InvalidRequest("Only Spaces can be protected.")
    body: dict[str, Any] = {}
    if visibility is not None:
        body["visibility"] = visibility
    if gating is not None:
        body["gated"] = False if gating == "off" else gating
    url = f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}/{repo_id}/settings"
    _token(client)
    # huggingface_hub's `update_repo_settings` drops the Hub's answer; the same PUT on its session keeps it.
    with translated():
        response = get_session().put(url, json=body, headers=auth_headers(client), follow_redirects=False)
        if response.is_redirect:
            raise moved_or_refused(response)
        hf_raise_for_status(response)
        answered, gated = _settings_answer(response.json())
    cache.forget_repo(kind, repo_id)
    cache.forget_listings()  # listing rows show visibility and gating both
    try:
        read_back = repo_detail(client, kind, repo_id, None).summary
    except errors.HubError:
        return None  # the Hub took the change; only reading the repo back failed
    return ChangedSettings(replace(read_back, private=answered == "private", gated=gated), answered)


def _settings_answer(data: object) -> tuple[Visibility, str | None]:
    """The visibility and gating in the Hub's answer to a settings PUT; a shape it never sends is unreadable."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    visibility = data.get("visibility")
    if visibility is None and isinstance(data.get("private"), bool):  # a Hub that only knows `private`
        visibility = "private" if data["private"] else "public"
    if visibility not in VISIBILITIES:
        raise ValueError("no visibility in the settings answer")
    gated = data.get("gated")
    if gated not in (None, False, "auto", "manual"):
        raise ValueError("unknown gating in the settings answer")
    return cast(Visibility, visibility), gated or None


__all__ = [
    "GATINGS",
    "SPACE_SDKS",
    "VISIBILITIES",
    "AlreadyExists",
    "ChangedSettings",
    "CreatedRepo",
    "Gating",
    "Visibility",
    "create_repo",
    "delete_repo",
    "move_repo",
    "update_settings",
]
