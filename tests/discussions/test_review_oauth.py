"""A Hugging Face sign-in acts on discussions only with the write-discussions scope, which sign-in now asks for."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from huggingface_hub import HfApi

from hubdash.team.models import SignInPolicy
from tests.accounts.oauth_flow import hf_oauth, sign_in_with_hf
from tests.discussions.review_world import MALLORY_TOKEN

__all__ = ["hf_oauth"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]


def _erin(hub_sim, settings, scopes: str) -> Client:
    settings.HF_OAUTH_SCOPES = scopes
    hub_sim.oauth_browser("erin", orgs=["acme"])
    client = Client()
    assert sign_in_with_hf(client).status_code == 302
    return client


def test_a_sign_in_without_write_discussions_sees_the_actions_disabled_and_one_with_it_comments(
    hf_oauth, alice, settings
):
    from hubdash.hub import oauth

    assert "write-discussions" in oauth.scopes()  # the default sign-in asks for it
    hf_oauth.add_user("erin", fullname="Erin Okafor", orgs={"acme": "write"})
    hf_oauth.add_user("mallory", fullname="Mallory", tokens={MALLORY_TOKEN: "write"})
    hf_oauth.add_repo("acme/bert", files={"README.md": "# Bert\n"})
    num = (
        HfApi(endpoint=hf_oauth.url, token=MALLORY_TOKEN)
        .create_discussion("acme/bert", "How big?", description="Q?")
        .num
    )
    SignInPolicy.objects.create(pk=1, mode="orgs", orgs=["acme"])
    url = f"/models/acme/bert/discussions/{num}/"

    without = _erin(hf_oauth, settings, "openid profile read-repos write-repos")
    html = without.get(url).content.decode()
    assert 'data-testid="acting-gap"' in html and "write-discussions" in html
    assert "HUBDASH_HF_OAUTH_SCOPES" in html  # hubdash does not ask for it: an admin must add it
    assert re.search(r"<fieldset\s+disabled>", html)

    granted = _erin(hf_oauth, settings, "openid profile read-repos write-repos write-discussions")
    html = granted.get(url).content.decode()
    assert 'data-testid="acting-gap"' not in html
    answer = granted.post(url, {"comment": "Answered by OAuth.", "action": "comment"})
    assert answer.status_code == 302
    comments = HfApi(endpoint=hf_oauth.url, token=MALLORY_TOKEN).get_discussion_details("acme/bert", num).events
    assert comments[-1].author == "erin" and comments[-1].content == "Answered by OAuth."
