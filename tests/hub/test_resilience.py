"""A Hub that hangs, trickles, redirects or answers nonsense, over the real stack (hubsim on loopback).

Unexpected JSON is "could not read"; a trickled body cannot stretch a call past its deadline; an API
answer redirected to another host is refused (the token never goes there); repeated silence opens a
circuit that answers at once, then lets one call test the Hub; the health check has its own slot.
"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from django.urls import reverse

from hubdash.hub import HubClient, HubError, HubUnavailable
from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN

pytestmark = pytest.mark.django_db


def connect(client):
    return client.post(reverse("token"), {"token": ALICE_TOKEN})


def refresh(client) -> str:
    response = client.post(reverse("profile-refresh"), headers={"HX-Request": "true"})
    assert response.status_code != 500
    return response.content.decode()


def whoami_calls(hub) -> list[dict]:
    return [r for r in hub.requests() if r["path"] == "/api/whoami-v2"]


class Clock:
    """The breaker's clock, moved by hand: a cool-off passes without the test sleeping through it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    from hubdash.hub import breaker

    fake = Clock()
    monkeypatch.setattr(breaker, "time", fake)
    return fake


# -- answers of an unexpected shape -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        "[]",
        "null",
        '"alice"',
        "12",
        '{"name": 5}',
        '{"name": ""}',
        '{"fullname": "Nobody"}',
        '{"name": "alice", "orgs": [{"fullname": "no name"}]}',
        '{"name": "alice", "orgs": {"acme": "admin"}}',
        '{"name": "alice", "auth": {"accessToken": {"fineGrained": {"scoped": [7]}}}}',
    ],
)
def test_whoami_answering_nonsense_could_not_be_read_and_stores_nothing(hub_world, alice_client, alice, body):
    hub_world.fault(method="GET", path="/api/whoami-v2", body=body)
    response = connect(alice_client)
    assert response.status_code == 503 and "could not read" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()


def test_a_profile_refreshed_from_nonsense_says_so_in_its_region(hub_world, alice_client):
    connect(alice_client)
    hub_world.fault(method="GET", path="/api/whoami-v2", body='{"orgs": []}')
    assert "could not read" in refresh(alice_client)


# -- a trickling Hub ----------------------------------------------------------------------------------


def test_a_trickling_hub_cannot_stretch_a_call_past_its_deadline(hub_world, alice_client, alice, settings):
    settings.HUB_TOTAL_TIMEOUT = 1
    # The real answer in 10 pieces 0.5 s apart: every read comes well within the read timeout (10 s).
    hub_world.fault(method="GET", path="/api/whoami-v2", trickle_s=0.5)
    response = connect(alice_client)
    assert response.status_code == 503 and "did not answer in time" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()


def test_a_slow_answer_within_the_deadline_is_read(hub_world, alice_client, alice):
    hub_world.fault(method="GET", path="/api/whoami-v2", trickle_s=0.02)
    assert connect(alice_client).status_code == 302
    assert HubToken.objects.get(user=alice).hub_username == "alice"


# -- redirects ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307])
@pytest.mark.parametrize("form", ["absolute", "scheme-relative"])
def test_whoami_redirected_to_another_host_is_refused(hub_world, alice_client, alice, elsewhere, status, form):
    target = f"{elsewhere.url}/api/whoami-v2"
    hub_world.fault(
        method="GET",
        path="/api/whoami-v2",
        status=status,
        redirect=target.removeprefix("http:") if form != "absolute" else target,
    )
    response = connect(alice_client)
    assert response.status_code == 503 and "redirected hubdash to another site" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()  # never stored with a stranger's identity
    assert elsewhere.seen == []  # not followed at all, so the token never went there


def test_whoami_redirected_within_the_hub_is_followed(hub_world, alice_client, alice):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=307, redirect="/api/whoami-v2", times=1)
    assert connect(alice_client).status_code == 302
    assert HubToken.objects.get(user=alice).hub_username == "alice"


# -- the circuit breaker ------------------------------------------------------------------------------


def test_after_repeated_timeouts_the_hub_is_not_answering_at_once_then_tested_again(
    hub_world, alice_client, settings, clock
):
    settings.HUB_TOTAL_TIMEOUT = 0.3
    settings.HUB_BREAKER_FAILURES = 3
    settings.HUB_BREAKER_SECONDS = 30
    connect(alice_client)
    hub_world.fault(method="GET", path="/api/whoami-v2", hang=True)
    for _ in range(3):
        assert "did not answer in time" in refresh(alice_client)
    hub_world.control("DELETE", "requests")
    assert "The Hub is not answering" in refresh(alice_client)
    assert whoami_calls(hub_world) == []  # answered without queueing behind the dead Hub
    hub_world.control("DELETE", "faults")  # the Hub is back, but the cool-off is not over
    assert "The Hub is not answering" in refresh(alice_client)
    clock.now += 31
    page = refresh(alice_client)
    assert "not answering" not in page and "Alice Martin" in page  # one call tested the Hub, and it answered
    assert "Alice Martin" in refresh(alice_client)
    assert len(whoami_calls(hub_world)) == 2


def test_a_test_call_that_times_out_opens_the_circuit_again(hub_world, alice_client, settings, clock):
    settings.HUB_TOTAL_TIMEOUT = 0.3
    settings.HUB_BREAKER_FAILURES = 2
    settings.HUB_BREAKER_SECONDS = 30
    connect(alice_client)
    hub_world.fault(method="GET", path="/api/whoami-v2", hang=True)
    refresh(alice_client), refresh(alice_client)
    clock.now += 31
    hub_world.control("DELETE", "requests")
    assert "did not answer in time" in refresh(alice_client)  # the one test call
    assert "The Hub is not answering" in refresh(alice_client)
    assert len(whoami_calls(hub_world)) == 1


def test_refusals_and_errors_from_the_hub_never_open_the_circuit(hub_world, alice_client, settings):
    settings.HUB_BREAKER_FAILURES = 2
    connect(alice_client)
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503, times=2)
    hub_world.fault(method="GET", path="/api/whoami-v2", status=429, retry_after=1, times=2)
    for _ in range(4):
        assert "not answering" not in refresh(alice_client)
    assert "Alice Martin" in refresh(alice_client)


def test_while_one_call_tests_the_hub_the_others_are_answered_at_once(settings, clock):
    from hubdash.hub import breaker

    settings.HUB_BREAKER_FAILURES = 1
    assert breaker.admit("http://hub") is False
    breaker.record("http://hub", False, answered=False)
    with pytest.raises(HubUnavailable, match="try it again in about"):
        breaker.admit("http://hub")
    assert breaker.admit("http://other-hub") is False  # each Hub has its own circuit
    clock.now += settings.HUB_BREAKER_SECONDS
    assert breaker.admit("http://hub") is True  # this call tests the Hub
    with pytest.raises(HubUnavailable, match="checking on it"):
        breaker.admit("http://hub")
    breaker.record("http://hub", True, answered=True)
    assert breaker.admit("http://hub") is False


# -- slots and the health check -----------------------------------------------------------------------


def wait_for(condition, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out waiting"
        time.sleep(0.02)


def test_health_checks_never_take_a_members_slot_and_are_reused(hub_world, settings):
    settings.HUB_CONCURRENCY = 1
    hub_world.fault(method="GET", path="/api/whoami-v2", hang=True)

    def member_call() -> None:
        with contextlib.suppress(HubError):
            HubClient(ALICE_TOKEN).whoami()

    waiting = threading.Thread(target=member_call)
    waiting.start()
    try:
        wait_for(lambda: whoami_calls(hub_world))  # the only member slot is taken by a hung call
        with pytest.raises(HubUnavailable, match="busy talking to the Hub"):
            HubClient(ALICE_TOKEN).whoami()
        assert all(HubClient.ping() for _ in range(20))
        checks = [r for r in hub_world.requests() if r["path"] == "/api/models-tags-by-type"]
        assert len(checks) == 1 and checks[0]["user"] is None  # asked once, without a token
    finally:
        hub_world.reset()  # frees the hung call
        waiting.join()


def test_a_hung_hub_is_reported_unreachable_by_the_health_check(hub_world):
    hub_world.fault(method="GET", path="/api/models-tags-by-type", hang=True)
    assert HubClient.ping() is False
