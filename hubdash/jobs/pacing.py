"""Pacing a job's Hub calls by the quota the Hub reports for its token (shared/hub-api.md §15.8).

    pacer = Pacer(client, reserve=100)
    for item in work:
        pacer.before_call()          # sleeps as the quota asks
        try:
            call(client, item)
        except hub.RateLimited as err:
            pacer.after_429(err)     # sleeps the error's wait; then try the item again

The figures come from `hub.ratelimit.latest` (every process's latest `RateLimit` header for the token), so
pacers of one Hub account in several workers read one budget; within a process they also share when the
account's last paced call went out. A pacer never raises: without figures it lets calls go.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hubdash.hub import HubClient, RateLimited, ratelimit

logger = logging.getLogger(__name__)

DEFAULT_RESERVE = 50  # calls of the window left for the person's own page views
LONGEST_SLEEP_S = 10 * 60.0  # no Hub window is longer than 5 minutes: a wait beyond this is a bad figure
UNKNOWN_WAIT_S = 10.0  # a 429 that says nothing of when to come back

_lock = threading.Lock()
_last_call: dict[str, float] = {}  # per Hub account (token fingerprint): when its last paced call went out


class Pacer:
    """Spreads one Hub account's calls over its window: about t/r seconds apart, and when r falls to the
    reserve a sleep until the window resets (t + 1). `clock` and `sleep` are injectable for tests."""

    def __init__(
        self,
        client: HubClient,
        reserve: int = DEFAULT_RESERVE,
        bucket: str = "api",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.account = client.cache_scope
        self.client = client
        self.reserve = max(0, reserve)
        self.bucket = bucket
        self.clock = clock
        self.sleep = sleep
        self.slept = 0.0  # in all, for a job's summary

    def _budget(self) -> ratelimit.Budget | None:
        try:
            return ratelimit.latest(self.client, self.bucket)
        except Exception:  # no figures (a cache down, a hub module without them) is no reason to stop
            logger.debug("no rate-limit figures for pacing", exc_info=True)
            return None

    def wait_for(self, budget: ratelimit.Budget | None, now: float, last: float | None) -> float:
        """How long to wait before the next call, from the figures the Hub gave."""
        if budget is None:
            return 0.0
        left = budget.reset_in - (now - budget.seen_at)  # of the window the figures speak of
        if left <= 0:
            return 0.0  # that window is over: the whole quota is back
        if budget.remaining <= self.reserve:
            return min(left + 1, LONGEST_SLEEP_S)
        gap = left / budget.remaining
        since = now - last if last is not None else gap
        return min(max(0.0, gap - since), LONGEST_SLEEP_S)

    def before_call(self) -> float:
        """Sleep as the quota asks before one Hub call; returns the seconds slept."""
        budget = self._budget()
        with _lock:
            last = _last_call.get(self.account)
        wait = self.wait_for(budget, self.clock(), last)
        self._sleep(wait)
        with _lock:
            _last_call[self.account] = self.clock()
        return wait

    def after_429(self, err: RateLimited) -> float:
        """Sleep the wait a rate-limit error asked for (its `RateLimit` t or `Retry-After`, plus a second), or
        until the window the latest figures speak of resets; returns the seconds slept."""
        if err.retry_after is not None:
            wait = err.retry_after + 1.0
        else:
            budget = self._budget()
            left = budget.reset_in - (self.clock() - budget.seen_at) if budget is not None else 0
            wait = left + 1 if left > 0 else UNKNOWN_WAIT_S
        wait = min(max(wait, 1.0), LONGEST_SLEEP_S)
        self._sleep(wait)
        return wait

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.slept += seconds
            self.sleep(seconds)
