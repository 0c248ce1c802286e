"""Who may see what: the one access helper every repo page and every repo fragment calls first."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.hub import repos as hub_repos
from hubdash.hub import rights
from hubdash.hub.repo_types import Kind, RepoDetail


@dataclass(frozen=True)
class RepoAccess:
    """A repo as this person's token sees it at one revision, and what they may do with it."""

    client: hub.HubClient
    kind: Kind
    repo_id: str
    revision: str  # as asked for; the commit shown is `detail.sha`
    detail: RepoDetail
    can_write: bool
    results: Mapping[str, Any] = field(default_factory=dict)
    # Why `can_write` is not known (the Hub could not say who the person is): a page that needs the right
    # answers with the Hub's state, one that only offers it (the tabs) leaves it out.
    rights_error: hub.HubError | None = None

    @property
    def asked_revision(self) -> str | None:
        return None if self.revision == "main" else self.revision

    @property
    def asked_commit(self) -> bool:
        """The revision asked for is the commit shown (whole or its first characters), not a branch or tag."""
        asked, sha = self.asked_revision, self.detail.sha
        return bool(asked and sha and len(asked) >= 7 and sha.startswith(asked.lower()))


def person_client(request: AuthedRequest) -> hub.HubClient:
    """A Hub client with this person's own token (anonymous without one); a token hubdash can no longer
    decrypt is a token to reconnect, like one the Hub rejects."""
    try:
        return hub.client_for(request.user)
    except hub.TokenKeyError:
        raise hub.BadToken("hubdash can no longer decrypt your stored token (its key was removed).") from None


def writable_namespaces(request: AuthedRequest) -> frozenset[str]:
    """The namespaces this person's token may change repos in (hub.rights, the rule unattended work shares).

    Raises a HubError when the Hub cannot say who the person is.
    """
    return rights.writable_namespaces(request.user)


def may_write(request: AuthedRequest, namespace: str) -> bool:
    """Raises a HubError when the Hub cannot say who the person is."""
    return namespace in writable_namespaces(request)


def repo_for(
    request: AuthedRequest,
    kind: Kind,
    repo_id: str,
    revision: str | None,
    also: Mapping[str, Callable[[hub.HubClient, str], Any]] | None = None,
    budget_s: float = hub_repos.PAGE_BUDGET_S,
) -> RepoAccess:
    """The repo at `revision` with this person's token, plus any other calls the page needs, made at once.

    Raises a HubError when the Hub will not show the repo (missing, private, bad revision, down).
    """
    if not hub_repos.valid_repo_id(repo_id) or (revision and not hub_repos.valid_revision(revision)):
        raise hub.NotFound("That is not a valid repo name or revision.")
    client = person_client(request)
    extra = dict(also or {})

    def at(rev: str) -> dict[str, Callable[[], Any]]:
        return {name: functools.partial(call, client, rev) for name, call in extra.items()}

    rev = revision or "main"
    calls: dict[str, Callable[[], Any]] = {
        "detail": functools.partial(hub_repos.repo_detail, client, kind, repo_id, revision),
        **at(rev),
    }
    results = hub_repos.run_together(calls, budget_s)
    detail = results.pop("detail")
    if isinstance(detail, hub.HubError):
        raise detail
    retry = [name for name, result in results.items() if isinstance(result, hub.UnknownRevision)]
    if revision is None and retry and detail.sha:
        # The default branch is not `main`: read the rest at the commit the Hub just named.
        rev = detail.sha
        results.update(
            hub_repos.run_together({name: call for name, call in at(rev).items() if name in retry}, budget_s)
        )
    try:
        can_write, rights_error = may_write(request, repo_id.partition("/")[0]), None
    except hub.HubError as err:
        can_write, rights_error = False, err
    return RepoAccess(client, kind, repo_id, rev, detail, can_write, results, rights_error)
