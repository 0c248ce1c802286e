"""Usage fixtures: the personas over hubsim with a clock the tests move, acme watched and taken on by alice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

GROWER = {"start": "2026-10-01", "downloadsPerDay": 100, "wave": 0.5, "period": 7, "likesPerDay": 0.5,
          "storageBase": 1000, "storagePerDay": 10, "spikes": {"2026-11-10": 5000}}  # fmt: skip
FIRST = date(2026, 11, 1)


@dataclass
class UsageWorld:
    hub: Any
    alice: Client  # admin of hubdash; admin of acme on the Hub, took acme's usage on
    bob: Client  # read token, member of acme: may read its private repos
    charlie: Client  # no token: may read no private repo

    def hub_calls(self) -> list[dict]:
        return [r for r in self.hub.requests() if r["path"].startswith("/api/")]

    def forget_calls(self) -> None:
        self.hub.control("DELETE", "requests")

    def take(self, day: date) -> str:
        """Snapshot `day`, hubsim's clock set to it."""
        from hubdash.usage import snapshot

        self.hub.clock(today=day.isoformat())
        return snapshot.take(day).line()

    def days(self, first: date, count: int) -> list[date]:
        return [first + timedelta(days=n) for n in range(count)]


@pytest.fixture
def world(hub_world, alice, bob, charlie) -> UsageWorld:
    from hubdash import hub
    from hubdash.jobs.delegation import take_on
    from hubdash.usage.models import Watched

    hub_world.add_repo("acme/grower", downloadsAllTime=1000, likes=5, usage=GROWER)
    hub_world.add_repo(
        "acme/secret",
        private=True,
        downloadsAllTime=40,
        likes=1,
        usage={"start": "2026-10-01", "downloadsPerDay": 7, "storageBase": 5000, "storagePerDay": 50},
    )
    hub_world.add_repo("acme/corpus", type="dataset", downloadsAllTime=7, likes=2)
    hub_world.add_repo("acme/app", type="space", visibility="protected", likes=9)
    hub_world.clock(today=FIRST.isoformat())
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    Watched.objects.create(namespace="acme")
    take_on(alice, "usage", "acme")
    hub_world.control("DELETE", "requests")
    return UsageWorld(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))
