"""Applying many decisions: the plan's Hub calls made one after another, paced by the Hub's quota, each
request's outcome settled; used by bulk runs (the person's own token) and by rules (the delegated token).

A rate limit waits for the window to reset and goes on with the same call; a refusal of one call settles
that call's requests and goes on with the next; a token the Hub no longer takes leaves the rest "not tried"
with the reason. An item the Hub answers "not found" for is read again (that repo's accepted list, then its
rejected list) and settles as "already decided on the Hub (now: accepted)" or "withdrawn".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from hubdash import hub
from hubdash.hub import access as hub_access
from hubdash.hub import ratelimit
from hubdash.hub.access import Status, Target
from hubdash.hub.repo_types import Kind

from . import plan
from .models import ACCEPTED, PENDING, REJECTED, WITHDRAWN
from .models_rules import ALREADY, GONE, ITEM_DONE, REFUSED

# Calls of the person's quota left alone for their own page views while a bulk job runs.
RESERVE = 20
# List calls that may follow a call whose answer had "not found" items: the repo's accepted, rejected, then
# pending list, each read only while some of them are still unaccounted for.
REREADS_PER_REPO = 3
# Waits at least this long are said on the run's page.
SAY_WAIT_S = 2.0
T = TypeVar("T")


def sleep(seconds: float) -> None:
    """The job's one way to wait (tests replace it)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class Settled:
    key: int
    outcome: str  # ITEM_DONE, REFUSED, ALREADY or GONE
    message: str
    mirror_status: str | None  # what the mirror row now is, None to leave it


class Stop(Exception):
    """The rest cannot be tried (the token is gone or rejected): `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def target_of(user: str, user_id: str, request_id: str) -> Target:
    if user:
        return Target(user=user)
    if user_id:
        return Target(user_id=user_id)
    return Target(request_id=request_id)


class Paced(Protocol):
    def before_call(self) -> float: ...
    def after_429(self, err: hub.RateLimited) -> float: ...


def apply(
    client: hub.HubClient,
    items: Sequence[plan.Item[int]],
    status: Status,
    reason: str | None,
    *,
    settle: Callable[[list[Settled]], None],
    waiting: Callable[[str], None],
) -> str:
    """Make the plan's calls for `items`; `settle` is told each call's outcomes as they come. Returns "" when
    every item was tried, else why the rest was not."""
    pacer = pacer_for(client, waiting)
    for call in plan.calls(items):
        try:
            settle(_one_call(client, call, status, reason, pacer))
        except Stop as stop:
            return stop.message
    return ""


def pacer_for(client: hub.HubClient, waiting: Callable[[str], None]) -> Paced:
    """One pacer for the token's Hub account, leaving a reserve of its quota for the person's own pages (a
    tenth of a small quota), and saying on the run's page when it waits for the window to reset."""
    from hubdash.jobs.pacing import Pacer

    try:
        budget = ratelimit.latest(client)
    except Exception:  # no figures is no reason to stop: the pacer lets calls go, a 429 waits
        budget = None
    reserve = min(RESERVE, budget.quota // 10) if budget is not None and budget.quota else RESERVE

    def pause(seconds: float) -> None:
        if seconds >= SAY_WAIT_S:
            waiting(f"Paused by the Hub's rate limit: going on in {round(seconds)} s, when its window resets.")
        sleep(seconds)
        if seconds >= SAY_WAIT_S:
            waiting("")

    return Pacer(client, reserve=reserve, sleep=pause)


def _paced(pacer: Paced, make: Callable[[], T]) -> T:
    """One Hub call, paced; a rate limit waits for the window to reset (as often as the Hub asks) and tries
    the same call again: a 429 means the Hub did nothing of it."""
    while True:
        pacer.before_call()
        try:
            return make()
        except hub.RateLimited as err:
            pacer.after_429(err)
        except (hub.BadToken, hub.NoToken) as err:
            raise Stop(_token_words(err)) from None


def _token_words(err: hub.HubError) -> str:
    if isinstance(err, hub.NoToken):
        return "The Hub token was removed while the decisions were being made; the rest was not tried."
    return (
        "The Hub rejected the token (revoked or expired) while the decisions were being made; the rest was not tried."
    )


def _one_call(
    client: hub.HubClient,
    call: plan.Call[int],
    status: Status,
    reason: str | None,
    pacer: Paced,
) -> list[Settled]:
    kind, repo_id = call.kind, call.repo_id
    reason_sent = reason if status == "rejected" else None
    missing: list[plan.Item[int]] = []
    settled: list[Settled] = []
    try:
        if call.batch:
            targets = [i.target for i in call.items]
            answers = _paced(
                pacer, lambda: hub_access.decide_batch(client, kind, repo_id, targets, status, reason_sent)
            )
            for item, answer in zip(call.items, answers, strict=False):
                if answer.ok:
                    settled.append(Settled(item.key, ITEM_DONE, "", status))
                elif answer.error in ("request_not_found", "user_not_found"):
                    missing.append(item)
                else:
                    settled.append(
                        Settled(item.key, REFUSED, f"The Hub refused: {answer.error or 'no reason given'}.", None)
                    )
            for item in call.items[len(answers) :]:
                settled.append(Settled(item.key, REFUSED, "The Hub's answer did not mention this request.", None))
        else:
            (item,) = call.items
            try:
                _paced(pacer, lambda: hub_access.decide(client, kind, repo_id, item.target, status, reason_sent))
                settled.append(Settled(item.key, ITEM_DONE, "", status))
            except hub.NotFound:
                missing.append(item)
    except Stop:
        raise
    except hub_access.NotGated:
        return [Settled(i.key, REFUSED, f"{repo_id} is no longer gated on the Hub.", None) for i in call.items]
    except hub.HubUnavailable as err:
        words = f"{err.message} The Hub did not confirm: the next refresh shows whether it happened."
        return [Settled(i.key, REFUSED, words, None) for i in call.items]
    except hub.HubError as err:
        return [Settled(i.key, REFUSED, _refusal(err, repo_id), None) for i in call.items]
    if missing:
        settled.extend(_read_again(client, kind, repo_id, missing, pacer))
    return settled


def _refusal(err: hub.HubError, repo_id: str) -> str:
    if isinstance(err, hub.NoAccess):
        return f"The Hub refused: this token may not manage {repo_id}'s access requests."
    if isinstance(err, hub.NotFound):
        return f"The Hub has no repo {repo_id} any more (or this token may not see it)."
    return err.message


def _read_again(
    client: hub.HubClient,
    kind: Kind,
    repo_id: str,
    missing: list[plan.Item[int]],
    pacer: Paced,
) -> list[Settled]:
    """What became of requests the Hub did not find: decided already (and how), or withdrawn."""
    left = list(missing)
    settled: list[Settled] = []
    for now in (ACCEPTED, REJECTED, PENDING):
        if not left:
            break
        try:
            listed = _paced(pacer, lambda now=now: hub_access.list_requests(client, kind, repo_id, now))  # type: ignore[misc]
        except Stop:
            raise
        except hub.HubError as err:
            words = f"The Hub did not find this request, and could not be asked again: {err.message}"
            return settled + [Settled(i.key, REFUSED, words, None) for i in left]
        found = _matching(listed, left)
        if now == PENDING:  # the Hub still lists it as asked: its "not found" was a refusal after all
            words = "The Hub answered “not found” but still lists this request as pending; try it again later."
            settled.extend(Settled(i.key, REFUSED, words, None) for i in found)
        else:
            settled.extend(Settled(i.key, ALREADY, f"Already decided on the Hub (now: {now}).", now) for i in found)
        left = [i for i in left if i not in found]
    settled.extend(Settled(i.key, GONE, "Withdrawn: the request is no longer on the Hub.", WITHDRAWN) for i in left)
    return settled


def _matching(listed: list[hub_access.AccessRequest], items: list[plan.Item[int]]) -> list[plan.Item[int]]:
    users = {r.requester.username for r in listed if r.requester}
    user_ids = {r.requester.user_id for r in listed if r.requester and r.requester.user_id}
    request_ids = {r.request_id for r in listed if r.request_id}
    return [
        i
        for i in items
        if (i.target.user and i.target.user in users)
        or (i.target.user_id and i.target.user_id in user_ids)
        or (i.target.request_id and i.target.request_id in request_ids)
    ]
