"""The pacer spreads one Hub account's calls over the window the Hub reports, keeps a reserve for the person's
own pages, and waits out a 429: its sleeps, from given budgets, on a clock the test moves."""

from __future__ import annotations

import time

import pytest

from hubdash import hub
from hubdash.hub import ratelimit
from hubdash.hub.ratelimit import Budget
from hubdash.jobs import pacing
from hubdash.jobs.pacing import Pacer


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    monkeypatch.setattr(pacing, "_last_call", {})
    return Clock()


@pytest.fixture
def budget(monkeypatch, clock):
    """`budget.set(remaining, reset_in)`: what the Hub said last, just now."""

    class Figures:
        value: Budget | None = None

        def __init__(self) -> None:
            self.asked: list[str] = []

        def set(self, remaining: int, reset_in: float) -> None:
            self.value = Budget(remaining=remaining, reset_in=reset_in, quota=1000, window=300, seen_at=clock.now)

    figures = Figures()

    def latest(client, bucket="api"):
        figures.asked.append(bucket)
        return figures.value

    monkeypatch.setattr(ratelimit, "latest", latest)
    return figures


ONE = "hf_pacer_account_one_0123456789"
TWO = "hf_pacer_account_two_0123456789"


def pacer(clock: Clock, token: str = ONE, reserve: int = 50) -> Pacer:
    return Pacer(hub.HubClient(token), reserve=reserve, clock=clock, sleep=clock.sleep)


def test_without_figures_calls_go_at_once(clock, budget):
    p = pacer(clock)
    assert [p.before_call() for _ in range(3)] == [0, 0, 0]
    assert clock.sleeps == []


def test_calls_are_spread_t_over_r_seconds_apart(clock, budget):
    p = pacer(clock)
    budget.set(remaining=300, reset_in=150)  # 0.5 s a call
    p.before_call()  # the first call: nothing went out before it
    assert clock.sleeps == []
    p.before_call()
    assert clock.sleeps == [0.5]
    clock.now += 0.2  # the call itself took 0.2 s: only the rest is waited
    budget.set(remaining=299, reset_in=149.5)
    p.before_call()
    assert clock.sleeps == [0.5, pytest.approx(149.5 / 299 - 0.2, abs=0.001)]


def test_at_the_reserve_the_pacer_sleeps_until_the_window_resets(clock, budget):
    p = pacer(clock, reserve=50)
    budget.set(remaining=50, reset_in=42)
    assert p.before_call() == 43  # t + 1: the whole quota is back
    assert clock.sleeps == [43]
    # The figures are of a window that has since reset: calls go again.
    assert p.before_call() == 0


def test_two_pacers_of_one_account_share_the_spacing_and_other_accounts_do_not(clock, budget):
    budget.set(remaining=100, reset_in=100)  # 1 s a call
    first, second = pacer(clock), pacer(clock)
    other = pacer(clock, token=TWO)
    first.before_call()
    second.before_call()
    other.before_call()
    assert clock.sleeps == [1.0]


def test_a_429_is_waited_out_as_it_says(clock, budget):
    p = pacer(clock)
    assert p.after_429(hub.RateLimited("slow down", retry_after=30)) == 31
    budget.set(remaining=0, reset_in=12)
    assert p.after_429(hub.RateLimited("slow down", retry_after=None)) == 13
    budget.value = None
    assert p.after_429(hub.RateLimited("slow down", retry_after=None)) == pacing.UNKNOWN_WAIT_S
    assert clock.sleeps == [31, 13, pacing.UNKNOWN_WAIT_S]
    assert p.slept == 31 + 13 + pacing.UNKNOWN_WAIT_S


def test_a_pacer_without_figures_to_read_never_fails_the_job(clock, monkeypatch):
    def broken(client, bucket="api"):
        raise ConnectionError("the cache is away")

    monkeypatch.setattr(ratelimit, "latest", broken)
    p = pacer(clock)
    assert p.before_call() == 0
    assert p.after_429(hub.RateLimited("slow down", retry_after=None)) == pacing.UNKNOWN_WAIT_S


def test_an_absurd_figure_is_capped(clock, budget):
    p = pacer(clock, reserve=0)
    budget.set(remaining=0, reset_in=10**9)
    assert p.before_call() == pacing.LONGEST_SLEEP_S


# -- against hubsim's RateLimit headers ------------------------------------------------------------


def test_the_pacer_reads_the_hubs_own_figures_spreads_keeps_the_reserve_and_waits_out_a_429(hub_world, monkeypatch):
    from tests.personas import ALICE_TOKEN

    monkeypatch.setattr(pacing, "_last_call", {})
    hub_world.control("POST", "ratelimit", {"quotas": {"api": 10}, "window_s": 300})  # the Hub's 5 minutes
    if (to_reset := 300 - time.time() % 300) < 5:
        time.sleep(to_reset + 0.5)  # not across hubsim's window boundary, which would give the quota back
    client = hub.HubClient(ALICE_TOKEN)
    slept: list[float] = []
    p = Pacer(client, reserve=3, sleep=slept.append)  # the real clock; sleeps recorded, not slept
    remaining: list[int] = []
    for _ in range(10):
        p.before_call()
        client.whoami()
        remaining.append(ratelimit.latest(client).remaining)
    assert remaining == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    t = ratelimit.latest(client).reset_in  # the seconds left in hubsim's window (whole seconds, as the Hub says)
    got = [0.0, *slept] if len(slept) == 9 else slept
    # No figures before the first call; then t/9 … t/4 apart; at r = 3, 2, 1 (the reserve) t + 1 each.
    expected = [0.0, t / 9, t / 8, t / 7, t / 6, t / 5, t / 4, t + 1, t + 1, t + 1]
    assert got == pytest.approx(expected, abs=1.5)  # less what the calls themselves took; t is whole seconds
    assert ratelimit.latest(client).remaining == 0
    # Spread over r = 9 … 4, then at r = 3, 2, 1 (the reserve) a wait for the window's end: never spent.
    assert got[7:] == pytest.approx([ratelimit.latest(client).reset_in + 1] * 3, abs=1.5)
    assert max(got[:7]) < min(got[7:])
    with pytest.raises(hub.RateLimited) as limited:
        client.whoami()
    waited = p.after_429(limited.value)
    assert waited == limited.value.retry_after + 1 and limited.value.retry_after > 0
