"""Deciding needs a POST with CSRF, on a request of a namespace the person manages; bad input is a 400
that says why and keeps what was typed. (What the Hub holds after a decision: test_decisions.py.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import ask, gated

pytestmark = pytest.mark.django_db


def test_a_request_of_another_namespace_is_404_and_unchanged(world):
    row = ask(gated("zeta/secret"), "mallory")
    response = world.alice.post(reverse("access-decide", args=[row.pk]), {"decision": "accepted"})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.status == "pending"


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_people_who_manage_nothing_cannot_decide(world, persona):
    row = ask(gated("acme/bert"), "erin")
    response = getattr(world, persona).post(reverse("access-decide", args=[row.pk]), {"decision": "accepted"})
    assert response.status_code == 404


def test_deciding_needs_the_csrf_token(world, alice):
    row = ask(gated("acme/bert"), "erin")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post(reverse("access-decide", args=[row.pk]), {"decision": "accepted"}).status_code == 403
    assert strict.get(reverse("access-decide", args=[row.pk])).status_code == 405
    row.refresh_from_db()
    assert row.status == "pending"


def test_a_reason_too_long_is_refused_in_place_and_kept(world):
    row = ask(gated("acme/bert"), "erin")
    world.forget_calls()
    typed = "x" * 201
    response = world.alice.post(
        reverse("access-decide", args=[row.pk]), {"decision": "rejected", "reason": typed}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "at most 200 characters" in body and f'value="{typed}"' in body
    assert world.hub_calls() == []
    row.refresh_from_db()
    assert row.status == "pending"


def test_saved_reasons_are_kept_per_namespace_and_offered_on_its_requests(world):
    from hubdash.access.models import SavedReason

    ask(gated("acme/bert"), "erin")
    world.alice.post(reverse("access-reason-add"), {"namespace": "acme", "text": "Academic use only"})
    refused = world.alice.post(reverse("access-reason-add"), {"namespace": "zeta", "text": "Sneaky"})
    assert refused.status_code == 302
    assert list(SavedReason.objects.values_list("namespace", "text")) == [("acme", "Academic use only")]
    page = world.alice.get(reverse("access-queue")).content.decode()
    assert '<option value="Academic use only">' in page
    reason = SavedReason.objects.get()
    world.alice.post(reverse("access-reason-delete", args=[reason.pk]))
    assert not SavedReason.objects.exists()
