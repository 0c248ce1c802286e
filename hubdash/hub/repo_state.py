"""A repo's settings as they are now, read fresh (never from the shared cache), and discussions on or off:
what a bulk plan shows as "now" and what its run re-reads before changing a repo (shared/hub-api.md §15.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from huggingface_hub.utils import get_session, hf_raise_for_status

from . import cache, errors
from .client import HubClient, translated
from .repo_types import PLURAL, Kind
from .repos import _get, auth_headers, moved_or_refused, valid_repo_id


@dataclass(frozen=True)
class RepoState:
    """What one repo-info answer says of a repo's settings. Repo info cannot tell a protected Space (it
    reads as public there): `private` is the files' visibility only."""

    kind: Kind
    repo_id: str  # as the Hub named it
    private: bool
    gated: str | None  # "auto", "manual", None when not gated
    discussions_disabled: bool | None  # None: the answer did not say


def repo_state(client: HubClient, kind: Kind, repo_id: str) -> RepoState:
    """One fresh repo-info call. Raises Moved (renamed since), NotFound (deleted, or no longer visible),
    RateLimited, BadToken, HubUnavailable."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    with translated():
        data = _get(client, f"/api/{PLURAL[kind]}/{repo_id}").json()
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        gated = data.get("gated")
        disabled = data.get("discussionsDisabled")
        named = data.get("id")
    return RepoState(
        kind=kind,
        repo_id=named if isinstance(named, str) and valid_repo_id(named) else repo_id,
        private=bool(data.get("private")),
        gated=gated if gated in ("auto", "manual") else None,
        discussions_disabled=disabled if isinstance(disabled, bool) else None,
    )


def set_discussions(client: HubClient, kind: Kind, repo_id: str, enabled: bool) -> bool:
    """Turn a repo's discussions on or off (the settings PUT's `discussionsDisabled`); returns whether they
    are on now, as the Hub answered."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if not client._token:
        raise errors.NoToken("Connect a Hub token with write access first.")
    url = f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}/{repo_id}/settings"
    with translated():
        response = get_session().put(
            url, json={"discussionsDisabled": not enabled}, headers=auth_headers(client), follow_redirects=False
        )
        if response.is_redirect:
            raise moved_or_refused(response)
        hf_raise_for_status(response)
        data: Any = response.json()
    cache.forget_repo(kind, repo_id)
    if isinstance(data, dict) and isinstance(data.get("discussionsDisabled"), bool):
        return not data["discussionsDisabled"]
    return enabled


def put_settings(
    client: HubClient, kind: Kind, repo_id: str, visibility: str | None = None, gating: str | None = None
) -> str | None:
    """Change visibility and/or gating with one call, no read-back (a bulk run re-reads before, not after).
    Returns the visibility the Hub answered (public, private, protected; None when it did not say): the one
    answer that tells a protected Space."""
    if not valid_repo_id(repo_id) or "/" not in repo_id:
        raise errors.InvalidRequest("That is not a valid repo name.")
    if not client._token:
        raise errors.NoToken("Connect a Hub token with write access first.")
    if visibility == "protected" and kind != "space":
        raise errors.InvalidRequest("Only Spaces can be protected.")
    body: dict[str, Any] = {}
    if visibility is not None:
        body["visibility"] = visibility
    if gating is not None:
        body["gated"] = False if gating == "off" else gating
    if not body:
        raise errors.InvalidRequest("Nothing to change.")
    url = f"{settings.HF_ENDPOINT}/api/{PLURAL[kind]}/{repo_id}/settings"
    with translated():
        response = get_session().put(url, json=body, headers=auth_headers(client), follow_redirects=False)
        if response.is_redirect:
            raise moved_or_refused(response)
        hf_raise_for_status(response)
    cache.forget_repo(kind, repo_id)
    try:
        answered: Any = response.json()
    except ValueError:
        return None
    seen = answered.get("visibility") if isinstance(answered, dict) else None
    return seen if seen in ("public", "private", "protected") else None


def forget_listings() -> None:
    """After a bulk run changed repos: every cached listing is dropped once, not once per repo."""
    cache.forget_listings()
