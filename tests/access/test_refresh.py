"""The refresh against hubsim: upserts every status list, marks requests gone from the Hub as withdrawn
and repos no longer gated, and leaves other namespaces alone."""

from __future__ import annotations

import pytest

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


def test_a_rate_limited_refresh_keeps_the_mirror_and_says_why(world, mirrored):
    from hubdash.access.models import GatedRepo

    file_request(world.hub, "acme/bert", "jules")
    world.hub.fault(method="GET", path="*/user-access-request/*", status=429, retry_after=30)

    outcome = mirrored()

    assert "rate limited by the Hub, the rest at the next run" in outcome
    assert statuses() == {"erin": "pending", "frank": "pending", "gina": "pending", "hana": "pending"}
    assert any(repo.last_error for repo in GatedRepo.objects.all())
