"""Accept, reject and undo with the person's own token: what hubsim holds afterwards, the line answered in
place, the feed event, and the Hub's refusals said in plain words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import file_request, held, ungate

pytestmark = pytest.mark.django_db


def row(username: str):
    from hubdash.access.models import AccessRequest

    return AccessRequest.objects.get(username=username)


def decide(client, username: str, decision: str, htmx: bool = True, **data):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("access-decide", args=[row(username).pk]), {"decision": decision, **data}, **extra)


def test_accepting_in_place_accepts_on_the_hub_and_records_who(world, mirrored):
    from hubdash.activity.models import Event

    response = decide(world.alice, "erin", "accepted")

    assert response.status_code == 200
    assert "access-changed" in response["HX-Trigger"]
    body = response.content.decode()
    assert body.startswith('<li class="access-item status-accepted" id="req-') and "Accepted." in body
    assert held(world.hub, "acme/bert")["erin"] == "accepted"
    assert row("erin").status == "accepted" and row("erin").decided_by.username == "alice"
    event = Event.objects.get(action="access")
    assert (event.actor, event.repo_id, event.summary) == ("alice", "acme/bert", "accepted the request of erin")


def test_rejecting_with_a_saved_or_typed_reason_and_undoing(world, mirrored):
    from hubdash.access.models import SavedReason

    SavedReason.objects.create(namespace="acme", text="Commercial use is not allowed")
    decide(world.alice, "frank", "rejected", saved_reason="Commercial use is not allowed")
    decide(world.alice, "gina", "rejected", reason="Tell us more", saved_reason="Commercial use is not allowed")

    hub_rows = {r["user"]: r for r in world.hub.control("GET", "access/model/acme/bert")}
    assert hub_rows["frank"]["status"] == "rejected"
    assert hub_rows["frank"]["rejectionReason"] == "Commercial use is not allowed"
    assert hub_rows["gina"]["rejectionReason"] == "Tell us more"  # typed wins over the saved one

    response = decide(world.alice, "frank", "pending")
    assert response.status_code == 200
    assert held(world.hub, "acme/bert")["frank"] == "pending"
    assert row("frank").status == "pending" and row("frank").reopened_by_person


def test_without_javascript_a_decision_redirects_back_with_a_message(world, mirrored):
    response = decide(world.alice, "erin", "accepted", htmx=False, next="/access/?q=erin")
    assert response.status_code == 302 and response["Location"] == "/access/?q=erin"
    page = world.alice.get(response["Location"]).content.decode()
    assert "erin on acme/bert: Accepted." in page


def test_a_request_already_decided_on_the_hub_says_so_and_the_line_follows(world, mirrored):
    from huggingface_hub import HfApi

    from tests.personas import ALICE_TOKEN

    HfApi(endpoint=world.hub.url, token=ALICE_TOKEN).accept_access_request("acme/bert", "erin")

    response = decide(world.alice, "erin", "accepted")

    assert "Already decided on the Hub (now: accepted)." in response.content.decode()
    assert row("erin").status == "accepted" and row("erin").decided_by is None


def test_a_withdrawn_request_says_so(world, mirrored):
    world.hub.control("POST", "access/cancel", {"id": "acme/bert", "type": "model", "user": "frank"})
    response = decide(world.alice, "frank", "accepted")
    assert "Withdrawn" in response.content.decode()
    assert row("frank").status == "withdrawn"


def test_a_repo_no_longer_gated_says_so(world, mirrored):
    ungate(world.hub, "acme/bert")
    response = decide(world.alice, "erin", "accepted")
    assert "no longer gated" in response.content.decode()
    assert row("erin").repo.gated is False


def test_a_token_that_may_no_longer_manage_the_namespace_says_so(world, mirrored):
    world.hub.add_user("alice", orgs={"acme": "read"})
    response = decide(world.alice, "erin", "accepted")
    assert "may no longer manage access requests in acme" in response.content.decode()
    assert held(world.hub, "acme/bert")["erin"] == "pending"


def test_hidden_requesters_are_decided_by_request_id(world, mirrored):
    world.hub.control("POST", "access/options", {"id": "acme/bert", "type": "model", "hideRequesters": True})
    mirrored()
    from hubdash.access.models import AccessRequest

    hidden = AccessRequest.objects.filter(repo__repo_id="acme/bert", hidden=True, status="pending")
    assert hidden.count() == 3
    target = hidden.first()
    response = world.alice.post(
        reverse("access-decide", args=[target.pk]), {"decision": "accepted"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Hidden requester" in response.content.decode()
    by_id = {r["requestId"]: r["status"] for r in world.hub.control("GET", "access/model/acme/bert")}
    assert by_id[target.request_id] == "accepted"


def test_granting_a_user_who_did_not_ask_and_revoking(world, mirrored):
    world.hub.add_user("ivan")
    url = reverse("access-grant", args=["model", "acme", "bert"])
    response = world.alice.post(url, {"username": "ivan"})
    assert response.status_code == 302
    assert held(world.hub, "acme/bert")["ivan"] == "accepted"

    decide(world.alice, "ivan", "rejected", reason="Licence breach")
    hub_rows = {r["user"]: r for r in world.hub.control("GET", "access/model/acme/bert")}
    assert hub_rows["ivan"]["status"] == "rejected" and hub_rows["ivan"]["rejectionReason"] == "Licence breach"
    from hubdash.activity.models import Event

    assert list(Event.objects.filter(action="access").values_list("summary", flat=True)) == [
        "revoked access of ivan: Licence breach",
        "granted access to ivan",
    ]


def test_granting_an_unknown_user_says_so(world, mirrored):
    response = world.alice.post(reverse("access-grant", args=["model", "acme", "bert"]), {"username": "nobody-here"})
    page = world.alice.get(response["Location"]).content.decode()
    assert "The Hub has no user called nobody-here." in page


def test_a_new_request_after_a_refresh_appears(world, mirrored):
    file_request(world.hub, "acme/bert", "jules")
    mirrored()
    assert row("jules").status == "pending"


def test_a_rate_limited_decision_says_when_to_try_again_and_changes_nothing(world, mirrored):
    world.hub.fault(method="POST", path="/api/models/acme/bert/user-access-request/*", status=429, retry_after=42)
    response = decide(world.alice, "erin", "accepted")
    assert response.status_code == 409
    assert "rate limiting your token: try again in 42 seconds" in response.content.decode()
    assert "HX-Trigger" not in response
    assert held(world.hub, "acme/bert")["erin"] == "pending" and row("erin").status == "pending"


def test_a_hub_that_is_down_says_so_on_the_line(world, mirrored):
    world.hub.fault(method="POST", path="/api/models/acme/bert/user-access-request/*", status=503)
    response = decide(world.alice, "erin", "accepted")
    assert "The Hub is not answering right now; nothing changed." in response.content.decode()
    assert row("erin").status == "pending"


def test_a_rejection_is_confirmed_in_the_neutral_style_and_an_acceptance_in_green(world, mirrored):
    rejected = decide(world.alice, "frank", "rejected", reason="Not a research use").content.decode()
    assert 'class="access-message neutral" role="status"' in rejected and "access-message good" not in rejected
    accepted = decide(world.alice, "erin", "accepted").content.decode()
    assert 'class="access-message good" role="status"' in accepted


def test_a_ticked_checkbox_answer_reads_yes_not_on(world, alice):
    from .conftest import ask, gated

    ask(gated("acme/bert"), "erin", fields={"I agree to the licence": "on", "Affiliation": "on-site lab"})
    page = world.alice.get(reverse("access-queue")).content.decode()
    assert "<dt>I agree to the licence</dt><dd>✓ yes</dd>" in page
    assert "<dd>on-site lab</dd>" in page and "<dd>on</dd>" not in page
