"""Whose requests a person sees follows the Hub within the identity period: someone removed from an organisation
on the Hub stops seeing and exporting its requesters' personal data once their whoami answer is that old."""

from __future__ import annotations

import time

import pytest

from tests.access.bulk_world import World, requester, world_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]

PERIOD = 2  # seconds: the identity period of these tests


@pytest.fixture
def short_period(settings):
    settings.WHOAMI_CACHE_SECONDS = PERIOD


def _seen(world: World) -> dict[str, str]:
    return {
        "queue": world.alice.get("/access/").content.decode(),
        "count": world.alice.get("/access/count/").content.decode(),
    }


@pytest.mark.long
def test_someone_removed_from_the_org_no_longer_sees_nor_exports_its_requests_after_the_period(
    world: World, short_period
):
    world.file("acme/gated-a", requester("zed-requester", email="zed@example.org"))
    world.refresh()
    time.sleep(PERIOD + 0.2)
    seen = _seen(world)  # one whoami: alice is acme's admin
    assert "zed-requester" in seen["queue"] and 'class="nav-count"' in seen["count"]
    export = world.alice.get("/access/model/acme/gated-a/export.csv")
    assert export.status_code == 200 and b"zed@example.org" in b"".join(export.streaming_content)
    assert world.alice.get("/access/model/acme/gated-a/").status_code == 200

    world.hub.control("POST", "users", {"name": "alice", "orgs": {"acme": "no_access"}})
    world.forget_calls()
    assert "zed-requester" in world.alice.get("/access/").content.decode()  # the answer of the period holds
    assert world.calls(contains="whoami") == []  # and costs no call
    time.sleep(PERIOD + 0.2)

    seen = _seen(world)
    assert "zed-requester" not in seen["queue"]
    assert 'class="nav-count"' not in seen["count"]
    assert world.alice.get("/access/model/acme/gated-a/export.csv").status_code == 404
    assert world.alice.get("/access/model/acme/gated-a/").status_code == 404
    assert len(world.calls(contains="whoami")) == 1  # asked once for the new period, shared by the pages after


def test_when_the_hub_cannot_say_who_the_person_is_the_pages_say_so_and_show_no_requester(world: World, short_period):
    world.file("acme/gated-a", requester("zed-requester", email="zed@example.org"))
    world.refresh()
    time.sleep(PERIOD + 0.2)
    world.hub.fault(method="GET", path="/api/whoami-v2", status=503)

    queue = world.alice.get("/access/")
    assert queue.status_code == 503
    assert "The Hub is not answering" in queue.content.decode()
    assert "zed-requester" not in queue.content.decode()
    export = world.alice.get("/access/model/acme/gated-a/export.csv")
    assert export.status_code == 503 and b"zed@example.org" not in export.content
    assert 'class="nav-count"' not in world.alice.get("/access/count/").content.decode()
