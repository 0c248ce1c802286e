"""The handful of errors hubdash shows for Hub failures; views branch on these, never on the client's."""

from __future__ import annotations


class HubError(Exception):
    """Something went wrong talking to the Hub. `message` is safe to show to the user."""

    status = 502
    kind = "hub"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HubError):
    status = 404
    kind = "not_found"


class NoAccess(HubError):
    status = 403
    kind = "no_access"


class BadToken(HubError):
    """The Hub rejects the token (revoked, expired, mistyped)."""

    status = 401
    kind = "bad_token"


class NoToken(HubError):
    """The user has not connected a Hub token, and the action needs one."""

    status = 403
    kind = "no_token"


class RateLimited(HubError):
    status = 429
    kind = "rate_limited"

    def __init__(self, message: str, retry_after: int | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidRequest(HubError):
    status = 400
    kind = "invalid"


class HubUnavailable(HubError):
    """Unreachable, timed out, answered 5xx or something that is not the Hub's JSON."""

    status = 503
    kind = "unavailable"


class Moved(HubError):
    """The repo was renamed or moved: the Hub redirects its old id to `new_id`."""

    status = 301
    kind = "moved"

    def __init__(self, message: str, new_id: str) -> None:
        super().__init__(message)
        self.new_id = new_id


class UnknownRevision(NotFound):
    """The repo exists but has no such branch, tag or commit."""
