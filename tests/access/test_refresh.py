"""The refresh against hubsim: upserts every status list, marks requests gone from the Hub as withdrawn
and repos no longer gated, and leaves other namespaces alone."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from .conftest import file_request, ungate

pytestmark = pytest.mark.django_db


def statuses() -> dict[str, str]:
    from hubdash.access.models import AccessRequest

    return dict(AccessRequest.objects.values_list("username", "status"))


def test_the_refresh_mirrors_each_gated_repo_and_each_status(world, mirrored):
    from hubdash.access.models import AccessRequest, GatedRepo

    assert set(GatedRepo.objects.values_list("repo_id", "kind")) == {("acme/bert", "model"), ("acme/corpus", "dataset")}
    assert statuses() == {"erin": "pending", "frank": "pending", "gina": "pending", "hana": "pending"}
    erin = AccessRequest.objects.get(username="erin")
    assert erin.email == "erin@example.org" and erin.fields == {"Company": "Erin Labs"} and erin.request_id


def test_the_refresh_follows_decisions_made_on_the_hub_and_withdrawals(world, mirrored):
    from huggingface_hub import HfApi

    from tests.personas import ALICE_TOKEN

    api = HfApi(endpoint=world.hub.url, token=ALICE_TOKEN)
    api.accept_access_request("acme/bert", "erin")
    api.reject_access_request("acme/bert", "frank", rejection_reason="No")
    world.hub.control("POST", "access/cancel", {"id": "acme/bert", "type": "model", "user": "gina"})
    file_request(world.hub, "acme/bert", "jules")

    outcome = mirrored()

    assert statuses() == {
        "erin": "accepted",
        "frank": "rejected",
        "gina": "withdrawn",
        "hana": "pending",
        "jules": "pending",
    }
    assert outcome == "2 gated repos, 2 pending"
    from hubdash.access.models import AccessRequest

    assert AccessRequest.objects.get(username="erin").granted_by == "alice"


def test_a_repo_no_longer_gated_leaves_the_queue(world, mirrored):
    from django.urls import reverse

    from hubdash.access.models import GatedRepo

    ungate(world.hub, "acme/bert")
    mirrored()

    assert GatedRepo.objects.get(repo_id="acme/bert").gated is False
    page = world.alice.get(reverse("access-queue")).content.decode()
    assert "erin" not in page and "hana" in page


def test_the_refresh_job_uses_the_token_of_who_took_the_namespace_on(world, mirrored, alice):
    from hubdash.access.jobs import refresh_all
    from hubdash.jobs.delegation import take_on

    take_on(alice, "access", "acme")
    file_request(world.hub, "acme/bert", "jules")

    outcome = refresh_all(None)  # type: ignore[arg-type]

    assert outcome.startswith("acme: 2 gated repos, 5 pending")
    assert statuses()["jules"] == "pending"


def test_a_rate_limit_waits_for_the_window_to_reset_and_the_refresh_goes_on(world, mirrored, monkeypatch):
    from hubdash.access import bulk

    file_request(world.hub, "acme/bert", "jules")
    file_request(world.hub, "acme/corpus", "kim", kind="dataset")
    # A small quota: three calls a window (whoami aside); the refresh makes 2 listings + 2 repos x 3 lists.
    quota = {"quotas": {"api": 3, "whoami": 100}, "window_s": 300}
    world.hub.control("POST", "ratelimit", quota)
    # ...and one list answered 429 on top, as when another process of the same account spent the window.
    world.hub.fault(method="GET", path="*/user-access-request/accepted", status=429, retry_after=30, times=1)
    slept: list[float] = []

    def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        world.hub.control("POST", "ratelimit", quota)  # the window resets: a fresh quota

    monkeypatch.setattr(bulk, "sleep", fake_sleep)
    world.forget_calls()

    outcome = mirrored()

    assert slept and 31 in slept  # the 429's own wait (Retry-After 30, plus a second)
    assert all(s <= 302 for s in slept)  # never longer than the window
    assert outcome.startswith("2 gated repos, 6 pending; waited ")
    assert "for the Hub's rate-limit window to reset" in outcome
    assert "could not be read" not in outcome
    assert statuses() == {n: "pending" for n in ("erin", "frank", "gina", "hana", "jules", "kim")}
    answered = [c for c in world.hub_calls() if c["status"] != 429]
    assert len(answered) == 8  # each call made once, the 429'd one again after its wait
    assert sum(1 for c in world.hub_calls() if c["status"] == 429) == 1


def test_a_repo_the_hub_keeps_rate_limiting_says_so_and_the_others_are_read(world, mirrored, monkeypatch):
    from hubdash.access import bulk, mirror
    from hubdash.access.models import GatedRepo

    file_request(world.hub, "acme/bert", "jules")
    file_request(world.hub, "acme/corpus", "kim", kind="dataset")
    world.hub.fault(method="GET", path="/api/models/acme/bert/user-access-request/*", status=429, retry_after=30)
    slept: list[float] = []
    monkeypatch.setattr(bulk, "sleep", slept.append)

    outcome = mirrored()

    assert len(slept) >= mirror.MAX_WAITS  # it waited the window out, again and again, before giving up
    assert "2 gated repos" in outcome and "1 could not be read" in outcome
    bert = GatedRepo.objects.get(repo_id="acme/bert")
    assert "rate" in bert.last_error.lower() or "too many" in bert.last_error.lower()
    # bert keeps what the mirror had; the dataset after it was read all the same.
    assert statuses() == {"erin": "pending", "frank": "pending", "gina": "pending", "hana": "pending", "kim": "pending"}
    page = world.alice.get(reverse("access-repo", args=["model", "acme", "bert"])).content.decode()
    assert bert.last_error in page.replace("&#x27;", "'")


def test_a_token_the_hub_echoes_in_an_error_is_neither_stored_nor_shown(world, mirrored):
    from hubdash.access.models import GatedRepo

    echoed = "hf_" + "Q" * 34
    file_request(world.hub, "acme/bert", "jules")
    world.hub.fault(
        method="GET",
        path="/api/models/acme/bert/user-access-request/*",
        status=403,
        body=json.dumps({"error": f"Token {echoed} may not read acme/bert"}),
        headers={"Content-Type": "application/json"},
    )

    outcome = mirrored()

    assert "1 could not be read" in outcome
    bert = GatedRepo.objects.get(repo_id="acme/bert")
    assert bert.last_error.startswith("Your token may not do this: Token ")
    assert echoed not in bert.last_error and "may not read acme/bert" in bert.last_error
    page = world.alice.get(reverse("access-repo", args=["model", "acme", "bert"])).content.decode()
    assert "may not read acme/bert" in page
    assert echoed not in page
