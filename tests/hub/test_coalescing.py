"""Identical Hub calls made at once are made once; different ones never wait for each other."""

from __future__ import annotations

import threading
import time
import zlib

import pytest

from hubdash.hub import HubClient
from hubdash.hub import cache as hub_cache
from hubdash.hub import repos as hub_repos
from tests.personas import ALICE_TOKEN

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def listing_calls(hub) -> int:
    return len([r for r in hub.requests() if r["path"] == "/api/models"])


def test_the_same_listing_asked_by_eight_pages_at_once_is_one_hub_call(hub_world):
    for name in ("acme/bert-small", "acme/bert-large", "acme/gpt-tiny"):
        hub_world.add_repo(name)
    hub_world.control("POST", "faults", {"method": "GET", "path": "/api/models", "delay_s": 0.3})
    query = hub_repos.ListQuery("model", search="bert")
    answers: list[tuple[str, ...]] = []

    def page() -> None:
        listing = hub_repos.list_repos(HubClient(ALICE_TOKEN), query)
        answers.append(tuple(repo.id for repo in listing.repos))

    threads = [threading.Thread(target=page) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(answers) == 8 and len(set(answers)) == 1
    assert sorted(answers[0]) == ["acme/bert-large", "acme/bert-small"]
    assert listing_calls(hub_world) == 1


def same_stripe_keys() -> tuple[str, str]:
    """Two keys that the former 256 striped locks would have made wait for each other."""
    first = hub_cache.key("test", "slow")
    n = 0
    while zlib.crc32((other := hub_cache.key("test", "fast", n)).encode()) % 256 != zlib.crc32(first.encode()) % 256:
        n += 1
    return first, other


def test_a_fetch_never_waits_for_an_unrelated_one_still_running(settings):
    slow_key, fast_key = same_stripe_keys()
    release = threading.Event()

    def slow_fetch() -> str:
        release.wait(10)
        return "slow"

    slow = threading.Thread(target=hub_cache.remember, args=(slow_key, 60, slow_fetch, 10))
    slow.start()
    try:
        answered: list[str] = []
        fast = threading.Thread(target=lambda: answered.append(hub_cache.remember(fast_key, 60, lambda: "fast", 10)))
        fast.start()
        fast.join(timeout=2)
        assert answered == ["fast"]  # while the slow one still holds its own key
    finally:
        release.set()
        slow.join(timeout=10)
    assert not hub_cache._flights  # nothing kept once the fetches are done


def test_waiting_for_the_same_call_made_by_another_page_ends_with_this_pages_budget(settings):
    client = HubClient(ALICE_TOKEN)
    release = threading.Event()

    def slow_fetch() -> str:
        release.wait(10)
        return "late"

    first = threading.Thread(target=hub_repos._remember, args=(client, ("same",), slow_fetch))
    first.start()
    try:
        time.sleep(0.1)  # the first page's call is under way
        began = time.monotonic()
        result = hub_repos.run_together({"same": lambda: hub_repos._remember(client, ("same",), lambda: "mine")}, 0.5)
        waited = time.monotonic() - began
        assert isinstance(result["same"], hub_repos.errors.HubUnavailable)
        assert waited < 2  # not the 10 s a call may wait outside a page
    finally:
        release.set()
        first.join(timeout=10)
