"""Guardrails over the real stack: the team's rules refuse a change on every path of repos (the Settings
tab, a listing row's switch, move, delete, `/new/`), naming the rule and the repo, with nothing sent to the
Hub; an admin goes ahead with a reason that the feed keeps; a member cannot; a change made on the Hub that
breaks a rule shows in the feed as a violation when its webhook arrives."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hubdash.activity.models import Event
from tests.bulk.guardrail_world import HTMX, browsing, dave, judge_deliveries, rule, writes
from tests.pages import read
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db
__all__ = ["browsing", "dave"]

PUBLIC = "public_gated"
LICENSE = "license_gated"
DOWNLOADS = "delete_downloads"


def make_public(client: Client, repo_id: str, **more: str):
    data = {"visibility": "public", "confirm": "1", **more}
    return client.post(f"/models/{repo_id}/settings/visibility/", data, **HTMX)


# -- the Settings tab ----------------------------------------------------------------------------


def test_making_a_repo_public_without_gating_is_refused_naming_the_rule_and_the_repo(browsing):
    browsing.hub.add_repo("acme/secret-model", private=True)
    rule(PUBLIC, "acme")
    browsing.forget_calls()
    response = make_public(browsing.alice, "acme/secret-model")
    assert response.status_code == 409
    page = read(response)
    assert "no repo of acme becomes public without gating" in page
    assert "acme/secret-model" in page
    assert 'name="override_reason"' in page  # alice is an admin: she may override
    assert writes(browsing) == []
    assert browsing.hub.repo_state("acme/secret-model")["private"] is True
    assert not Event.objects.filter(repo_id="acme/secret-model").exists()


def test_a_rule_of_another_namespace_or_a_gated_repo_does_not_refuse(browsing):
    browsing.hub.add_repo("acme/gated-model", private=True, gated="manual")
    browsing.hub.add_repo("datalab/open-model", private=True)
    rule(PUBLIC, "acme")
    assert make_public(browsing.alice, "acme/gated-model").status_code == 200
    assert make_public(browsing.alice, "datalab/open-model").status_code == 200
    assert browsing.hub.repo_state("acme/gated-model")["private"] is False
    assert browsing.hub.repo_state("datalab/open-model")["private"] is False


def test_an_admin_overrides_with_a_reason_which_the_feed_records(browsing):
    browsing.hub.add_repo("acme/secret-model", private=True)
    rule(PUBLIC, "acme")
    response = make_public(browsing.alice, "acme/secret-model", override_reason="Release day:   approved by legal")
    assert response.status_code == 200
    assert "The Hub says: now public." in read(response)
    assert browsing.hub.repo_state("acme/secret-model")["private"] is False
    [event] = Event.objects.filter(source="hubdash", repo_id="acme/secret-model")
    assert event.details["override"] == "Release day: approved by legal"
    assert event.details["rules"] == ["no repo of acme becomes public without gating"]
    assert "guardrail overridden: Release day: approved by legal" in event.summary
    assert event.member.username == "alice"


def test_an_empty_reason_is_asked_for_and_changes_nothing(browsing):
    browsing.hub.add_repo("acme/secret-model", private=True)
    rule(PUBLIC, "acme")
    response = make_public(browsing.alice, "acme/secret-model", override_reason="   ")
    assert response.status_code == 409
    assert "Say why you override the guardrail" in read(response)
    assert browsing.hub.repo_state("acme/secret-model")["private"] is True


def test_a_member_may_not_override_and_what_they_typed_is_kept(browsing, dave):
    browsing.hub.add_repo("acme/secret-model", private=True)
    rule(PUBLIC, "acme")
    browsing.forget_calls()
    response = make_public(dave, "acme/secret-model", override_reason="I am sure")
    assert response.status_code == 409
    page = read(response)
    assert "Only an admin may override a guardrail; nothing was changed." in page
    assert "no repo of acme becomes public without gating" in page
    assert writes(browsing) == []
    assert browsing.hub.repo_state("acme/secret-model")["private"] is True


def test_turning_gating_off_on_a_non_commercial_repo_is_refused(browsing):
    browsing.hub.add_repo("acme/nc-model", private=False, gated="auto", tags=["license:cc-by-nc-4.0"])
    browsing.hub.add_repo("acme/mit-model", private=False, gated="auto", tags=["license:mit"])
    rule(LICENSE, license="cc-by-nc-*")
    response = browsing.alice.post("/models/acme/nc-model/settings/gating/", {"gating": "off"}, **HTMX)
    assert response.status_code == 409
    assert "repos with license cc-by-nc-* stay gated" in read(response)
    assert browsing.hub.repo_state("acme/nc-model")["gated"] == "auto"
    response = browsing.alice.post("/models/acme/mit-model/settings/gating/", {"gating": "off"}, **HTMX)
    assert response.status_code == 200
    assert browsing.hub.repo_state("acme/mit-model")["gated"] in (False, None)


# -- a listing row --------------------------------------------------------------------------------


def test_a_rows_switch_is_refused_in_its_row(browsing):
    browsing.hub.add_repo("acme/secret-model", private=True)
    rule(PUBLIC)
    browsing.forget_calls()
    data = {"visibility": "public", "confirm": "1", "place": "row"}
    response = browsing.alice.post("/models/acme/secret-model/settings/visibility/", data, **HTMX)
    assert response.status_code == 409
    row = read(response)
    assert 'class="repo-item' in row
    assert "no repo becomes public without gating" in row
    assert "Settings tab" in row  # where an admin may override it
    assert writes(browsing) == []
    assert browsing.hub.repo_state("acme/secret-model")["private"] is True


# -- move and delete -------------------------------------------------------------------------------


def test_moving_an_ungated_public_repo_into_a_guarded_namespace_is_refused(browsing):
    browsing.hub.add_repo("alice/open-model", private=False)
    rule(PUBLIC, "acme")
    browsing.forget_calls()
    response = browsing.alice.post("/models/alice/open-model/settings/move/", {"owner": "acme", "name": "open-model"})
    assert response.status_code == 409
    page = read(response)
    assert "would move into acme" in page
    assert 'value="open-model"' in page  # the form keeps what was typed
    assert writes(browsing) == []
    response = browsing.alice.post(
        "/models/alice/open-model/settings/move/",
        {"owner": "acme", "name": "open-model", "override_reason": "acme takes it over"},
    )
    assert response.status_code == 302
    assert browsing.hub.repo_state("acme/open-model")["id"] == "acme/open-model"
    assert Event.objects.get(action="move", repo_id="acme/open-model").details["override"] == "acme takes it over"


def test_deleting_a_repo_with_many_downloads_is_refused(browsing):
    browsing.hub.add_repo("acme/popular-model", downloads=5000)
    browsing.hub.add_repo("acme/quiet-model", downloads=10)
    rule(DOWNLOADS, downloads=1000)
    browsing.forget_calls()
    data = {"confirm_id": "acme/popular-model", "password": PASSWORD}
    response = browsing.alice.post("/models/acme/popular-model/settings/delete/", data)
    assert response.status_code == 409
    page = read(response)
    assert "never delete a repo with more than 1,000 downloads" in page
    assert "5,000 downloads" in page
    assert writes(browsing) == []
    assert browsing.hub.repo_state("acme/popular-model")["id"] == "acme/popular-model"
    data = {"confirm_id": "acme/quiet-model", "password": PASSWORD}
    assert browsing.alice.post("/models/acme/quiet-model/settings/delete/", data).status_code == 302


# -- /new/ ----------------------------------------------------------------------------------------


def test_creating_a_public_repo_is_refused_keeping_the_form_and_an_admin_may_override(browsing):
    rule(PUBLIC, "acme")
    data = {"kind": "model", "owner": "acme", "name": "fresh-model", "visibility": "public"}
    response = browsing.alice.post("/new/", data)
    assert response.status_code == 409
    page = read(response)
    assert "no repo of acme becomes public without gating" in page
    assert 'value="fresh-model"' in page
    assert writes(browsing) == []
    response = browsing.alice.post("/new/", {**data, "visibility": "private"})
    assert response.status_code == 302  # a private repo breaks no rule
    response = browsing.alice.post("/new/", {**data, "name": "launch-model", "override_reason": "launch"})
    assert response.status_code == 302
    assert browsing.hub.repo_state("acme/launch-model")["private"] is False
    event = Event.objects.get(action="create", repo_id="acme/launch-model")
    assert event.details["override"] == "launch"


def test_a_member_cannot_create_a_public_repo_against_a_rule(browsing, dave):
    rule(PUBLIC, "acme")
    data = {"kind": "model", "owner": "acme", "name": "fresh-model", "visibility": "public", "override_reason": "x"}
    response = dave.post("/new/", data)
    assert response.status_code == 409
    assert "Only an admin may override" in read(response)
    assert writes(browsing) == []


# -- the guardrails page ---------------------------------------------------------------------------


def test_an_admin_adds_and_removes_rules_and_members_only_read_them(browsing):
    response = browsing.alice.post("/guardrails/add/", {"rule": LICENSE, "namespace": "acme", "license": ""})
    assert response.status_code == 400
    assert "Name the license" in read(response)
    response = browsing.alice.post("/guardrails/add/", {"rule": LICENSE, "namespace": "acme", "license": "CC-BY-NC-*"})
    assert response.status_code == 302
    page = read(browsing.bob.get("/guardrails/"))
    assert "Repos in acme with license cc-by-nc-* stay gated" in page
    assert "Add a rule" not in page
    assert browsing.bob.post("/guardrails/add/", {"rule": PUBLIC}).status_code == 403
    from hubdash.bulk.models import Guardrail

    [kept] = Guardrail.objects.all()
    assert browsing.bob.post(f"/guardrails/{kept.pk}/delete/").status_code == 403
    assert browsing.alice.post(f"/guardrails/{kept.pk}/delete/").status_code == 302
    assert not Guardrail.objects.exists()
    assert Event.objects.filter(action="team", summary__startswith="added the guardrail").exists()


def test_the_guardrails_page_needs_sign_in_and_posts_need_csrf(browsing, alice):
    assert Client().get("/guardrails/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post("/guardrails/add/", {"rule": PUBLIC}).status_code == 403


# -- changes made on the Hub ------------------------------------------------------------------------

SECRET = "whsec-guardrails-0123456789"


def test_a_hub_side_change_that_breaks_a_rule_shows_as_a_violation_in_the_feed(browsing, settings):
    settings.WEBHOOK_SECRETS = [SECRET]
    rule(PUBLIC, "acme")
    payload = {
        "event": {"action": "update", "scope": "repo.config"},
        "repo": {"type": "model", "name": "acme/leaky-model", "id": "6563c0ffee0ddba11c0ffee0", "private": False},
        "updatedConfig": {"private": False},
        "webhook": {"id": "6563c0ffee0ddba11c0ffee1", "version": 3},
    }
    response = Client().post(
        "/webhooks/hub", json.dumps(payload), content_type="application/json", HTTP_X_WEBHOOK_SECRET=SECRET
    )
    assert response.status_code == 201
    judge_deliveries()  # whether it is gated is not in the payload: the worker reads it (unknown here)
    [violation] = Event.objects.filter(source="hubdash", repo_id="acme/leaky-model")
    assert violation.summary == "broke the guardrail “no repo of acme becomes public without gating” on the Hub"
    assert "acme/leaky-model would be public without gating" in violation.details["violation"]
    feed = read(browsing.alice.get("/activity/"))
    assert "broke the guardrail" in feed
    # A change that breaks no rule (another namespace) adds only its own event.
    payload["repo"]["name"] = "datalab/fine-model"
    Client().post("/webhooks/hub", json.dumps(payload), content_type="application/json", HTTP_X_WEBHOOK_SECRET=SECRET)
    judge_deliveries()
    assert not Event.objects.filter(source="hubdash", repo_id="datalab/fine-model").exists()
