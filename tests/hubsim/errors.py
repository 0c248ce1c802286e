"""The Hub's error answers: a status, an `X-Error-Code`, a message.

huggingface_hub maps errors by `X-Error-Code` first, so every repo/revision/entry
error carries one; an unknown token deliberately carries none (the client then
reports a bad token rather than a missing repo).
"""

from __future__ import annotations

INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


class HubError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        body: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}
        self.body = body


def repo_not_found(authenticated: bool) -> HubError:
    # The Hub answers 401 to anonymous callers and 404 to signed-in ones, so
    # that a private repo's existence is not revealed either way.
    if authenticated:
        return HubError(404, "Repository not found", "RepoNotFound")
    return HubError(401, "Invalid username or password.", "RepoNotFound")


def revision_not_found(revision: str) -> HubError:
    return HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


def entry_not_found(path: str, revision: str, commit: str) -> HubError:
    return HubError(
        404,
        f'{path} does not exist on "{revision}"',
        "EntryNotFound",
        headers={"X-Repo-Commit": commit},
    )


def bad_request(message: str) -> HubError:
    return HubError(400, message)


def forbidden(message: str) -> HubError:
    return HubError(403, message)


def unauthenticated(message: str = "You must be authenticated to do this") -> HubError:
    return HubError(401, message)


class Redirect(HubError):
    """A renamed repo: 307 to the canonical id, relative `Location`, text body, as the Hub does."""

    def __init__(self, location: str) -> None:
        super().__init__(307, f"Temporary Redirect. Redirecting to {location}", headers={"Location": location})
