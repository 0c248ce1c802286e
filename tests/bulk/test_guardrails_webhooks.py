"""Changes made on the Hub that break a guardrail needing facts a webhook does not carry (the license, the
gating, the downloads): hubsim's own deliveries reach the receiver, which answers at once without asking the
Hub; a task then judges them with what hubdash already knows of the repo, else one Hub call for its info (the
token lent for the namespace's unattended work, or none for a public repo), and the feed shows the violation
naming the rule."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from huggingface_hub import HfApi

from hubdash.activity.models import Event
from tests.bulk.guardrail_world import browsing, judge_deliveries, rule
from tests.pages import read
from tests.personas import ALICE_TOKEN

pytestmark = pytest.mark.django_db
__all__ = ["browsing"]

SECRET = "whsec-guardrails-hub-0123456789"
LICENSE = "license_gated"
PUBLIC = "public_gated"
DOWNLOADS = "delete_downloads"
NC_RULE = "repos in acme with license cc-by-nc-* stay gated"


@pytest.fixture
def hub_side(browsing, settings):
    """alice's Hub client (changes made on the Hub itself), and a webhook on acme whose deliveries hubsim
    records (its address answers nothing: each is then replayed to the receiver as the Hub sent it)."""
    settings.WEBHOOK_SECRETS = [SECRET]
    browsing.hub.control("POST", "webhook-policy", {"attempts": 1, "backoff_s": 0.01, "timeout_s": 1})
    api = HfApi(endpoint=browsing.hub.url, token=ALICE_TOKEN)
    api.create_webhook(url="http://127.0.0.1:9/webhooks/hub", watched=[{"type": "org", "name": "acme"}], secret=SECRET)
    return api


def deliver(browsing) -> list[int]:
    """Replay hubsim's deliveries so far to the receiver; the receiver's answers. The Hub is asked nothing."""
    payloads = [d["payload"] for d in browsing.hub.deliveries(wait=True)]
    browsing.hub.control("DELETE", "deliveries")
    browsing.forget_calls()
    statuses = [
        Client()
        .post("/webhooks/hub", json.dumps(p), content_type="application/json", HTTP_X_WEBHOOK_SECRET=SECRET)
        .status_code
        for p in payloads
    ]
    assert browsing.hub_calls() == []  # the receiver's request waited on no Hub call
    return statuses


def judge(browsing) -> list[str]:
    """Run the queued judgements as the worker would; the Hub calls they made."""
    browsing.forget_calls()
    judge_deliveries()
    return [r["path"] for r in browsing.hub_calls()]


def violations(repo_id: str) -> list[Event]:
    return list(Event.objects.filter(source="hubdash", repo_id=repo_id, details__has_key="violation"))


def test_a_non_commercial_repo_ungated_on_the_hub_shows_a_violation_naming_the_rule(browsing, hub_side):
    browsing.hub.add_repo("acme/nc-model", private=False, gated="auto", tags=["license:cc-by-nc-4.0"])
    browsing.hub.add_repo("acme/mit-model", private=False, gated="auto", tags=["license:mit"])
    rule(LICENSE, "acme", license="cc-by-nc-*")
    hub_side.update_repo_settings("acme/nc-model", gated=False)
    hub_side.update_repo_settings("acme/mit-model", gated=False)
    assert deliver(browsing) == [201, 201]
    assert violations("acme/nc-model") == []  # judged by the worker, not in the receiver's request
    # hubdash knew nothing of either repo: one call each for its info (public: no token needed)
    assert judge(browsing) == ["/api/models/acme/nc-model", "/api/models/acme/mit-model"]
    [found] = violations("acme/nc-model")
    assert found.summary == f"broke the guardrail “{NC_RULE}” on the Hub"
    assert found.details["violation"] == "acme/nc-model has license cc-by-nc-4.0 and is not gated."
    assert violations("acme/mit-model") == []
    feed = read(browsing.alice.get("/activity/"))
    assert f"broke the guardrail “{NC_RULE}” on the Hub" in feed


def test_what_hubdash_knows_of_a_repo_spares_the_call_and_tells_what_changed(browsing, hub_side, alice):
    from hubdash.jobs.delegation import take_on

    take_on(alice, "usage", "acme")  # her token reads acme's private repos for unattended work
    browsing.hub.add_repo("acme/nc-secret", private=True, gated="manual", tags=["license:cc-by-nc-sa-4.0"])
    rule(LICENSE, "acme", license="cc-by-nc-*")
    assert browsing.alice.get("/models/acme/nc-secret/").status_code == 200  # its info read once, kept
    hub_side.update_repo_settings("acme/nc-secret", gated=False)
    assert deliver(browsing) == [201]
    assert judge(browsing) == ["/api/models/acme/nc-secret"]  # the gating now: always read fresh
    [ungated] = violations("acme/nc-secret")
    assert ungated.details["violation"] == "acme/nc-secret has license cc-by-nc-sa-4.0 and would no longer be gated."
    assert ungated.private is True
    # then made public: the license (same commit) and the gating are known; no Hub call at all
    hub_side.update_repo_settings("acme/nc-secret", private=False)
    assert deliver(browsing) == [201]
    assert judge(browsing) == []
    public = [v for v in violations("acme/nc-secret") if v.pk != ungated.pk]
    assert [v.details["violation"] for v in public] == [
        "acme/nc-secret has license cc-by-nc-sa-4.0 and would be public without gating."
    ]


def test_a_private_repo_is_read_with_the_token_lent_for_its_namespace_or_left_unjudged(browsing, hub_side, alice):
    from hubdash.jobs.delegation import take_on

    for name in ("acme/nc-hidden", "acme/nc-hidden-too"):
        browsing.hub.add_repo(name, private=True, gated="auto", tags=["license:cc-by-nc-4.0"])
    rule(LICENSE, "acme", license="cc-by-nc-*")
    hub_side.update_repo_settings("acme/nc-hidden", gated=False)
    assert deliver(browsing) == [201]
    assert judge(browsing) == []  # private, nobody lent a token for acme: not read, nothing guessed
    assert violations("acme/nc-hidden") == []
    take_on(alice, "usage", "acme")
    browsing.alice.get("/")  # who she is on the Hub, as her pages and the usage job's runs keep it known
    hub_side.update_repo_settings("acme/nc-hidden-too", gated="manual")
    hub_side.update_repo_settings("acme/nc-hidden", private=False)
    assert deliver(browsing) == [201, 201]
    calls = judge(browsing)
    # one call per delivery with her token, and no whoami
    assert calls == ["/api/models/acme/nc-hidden-too", "/api/models/acme/nc-hidden"]
    assert violations("acme/nc-hidden-too") == []  # gated manually now: the rule holds
    [found] = violations("acme/nc-hidden")  # made public, still ungated
    assert found.details["rule"] == NC_RULE
    assert found.details["violation"] == "acme/nc-hidden has license cc-by-nc-4.0 and would be public without gating."


def test_made_public_on_the_hub_is_judged_with_its_gating(browsing, hub_side):
    browsing.hub.add_repo("acme/gated-one", private=True, gated="manual")
    browsing.hub.add_repo("acme/open-one", private=True)
    rule(PUBLIC, "acme")
    hub_side.update_repo_settings("acme/gated-one", private=False)
    hub_side.update_repo_settings("acme/open-one", private=False)
    deliver(browsing)
    judge(browsing)
    assert violations("acme/gated-one") == []  # gated: the rule holds (before, hubdash could not tell)
    [found] = violations("acme/open-one")
    assert found.details["violation"] == "acme/open-one would be public without gating."


def test_a_deletion_on_the_hub_is_judged_by_the_downloads_hubdash_knew(browsing, hub_side):
    browsing.hub.add_repo("acme/popular", private=False, downloads=5000)
    browsing.hub.add_repo("acme/unknown", private=False, downloads=9000)
    rule(DOWNLOADS, "acme", downloads=1000)
    assert browsing.alice.get("/models/acme/popular/").status_code == 200
    hub_side.delete_repo("acme/popular")
    hub_side.delete_repo("acme/unknown")
    deliver(browsing)
    assert judge(browsing) == []  # a deleted repo is not asked about
    [found] = violations("acme/popular")
    assert found.details["violation"] == "acme/popular has 5,000 downloads."
    assert violations("acme/unknown") == []  # never seen: nothing said, nothing invented


def test_a_repo_moved_into_a_ruled_namespace_on_the_hub_is_read_under_its_new_name(browsing, hub_side):
    browsing.hub.add_repo("alice/open-model", private=False)
    rule(PUBLIC, "acme")
    hub_side.move_repo("alice/open-model", "acme/open-model")
    assert deliver(browsing) == [201]
    assert judge(browsing) == ["/api/models/acme/open-model"]
    [found] = violations("acme/open-model")
    assert found.details["violation"] == "alice/open-model is public without gating and would move into acme."
