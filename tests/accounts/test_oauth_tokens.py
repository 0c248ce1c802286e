"""The token a Hugging Face sign-in gives: used for Hub calls within its grant, renewed before it expires,
"sign in again" when it cannot be, and the fresh sign-in that stands in for a password."""

from __future__ import annotations

import threading

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hubdash import hub
from hubdash.hub.models import HubToken
from hubdash.team.models import SignInPolicy
from tests.accounts.oauth_flow import hf_oauth, sign_in_with_hf

__all__ = ["hf_oauth"]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]


@pytest.fixture
def erin(hf_oauth, alice):
    """erin, signed in to hubdash with Hugging Face, having granted acme (where she writes) only."""
    hf_oauth.add_user("erin", fullname="Erin Okafor", orgs={"acme": "write", "datalab": "write"})
    hf_oauth.add_repo("acme/secret-model", private=True)
    hf_oauth.add_repo("datalab/hidden-model", private=True)
    SignInPolicy.objects.create(pk=1, mode="orgs", orgs=["acme", "datalab"])
    return hf_oauth


def signed_in_erin(hub_sim, orgs=("acme",)) -> Client:
    hub_sim.oauth_browser("erin", orgs=list(orgs))
    client = Client()
    assert sign_in_with_hf(client).status_code == 302
    return client


def token_calls(hub_sim) -> list[dict]:
    return [r for r in hub_sim.requests() if r["path"] == "/oauth/token"]


def test_the_oauth_token_acts_on_the_hub_within_the_organisations_granted(erin):
    client = signed_in_erin(erin)
    assert client.get("/models/acme/secret-model/").status_code == 200
    hidden = client.get("/models/datalab/hidden-model/")  # datalab was not granted at consent
    assert hidden.status_code == 404
    calls = [r for r in erin.requests() if r["path"] == "/api/models/acme/secret-model"]
    assert calls and calls[-1]["user"] == "erin"


def test_a_token_about_to_expire_is_renewed_before_a_hub_call(erin):
    erin.oauth_options(expires_in=60)  # within hubdash's renewal margin
    client = signed_in_erin(erin)
    person = User.objects.get(username="erin")
    before = HubToken.objects.get(user=person)
    erin.oauth_options(expires_in=3600)
    assert client.get("/models/acme/secret-model/").status_code == 200
    after = HubToken.objects.get(user=person)
    assert after.last4 != before.last4 and after.expires_at > timezone.now() + hub.tokens.RENEW_BEFORE
    assert bytes(after.refresh_ciphertext) != bytes(before.refresh_ciphertext)  # the Hub rotated it
    assert [r["status"] for r in token_calls(erin)] == [200, 200]  # the code, then one renewal
    client.get("/models/acme/secret-model/")
    assert len(token_calls(erin)) == 2  # renewed once, not at every call


def test_two_workers_reading_an_expiring_token_renew_it_once(erin):
    erin.oauth_options(expires_in=60)
    signed_in_erin(erin)
    erin.oauth_options(expires_in=3600)
    person = User.objects.get(username="erin")
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection

        try:
            hub.client_for(User.objects.get(pk=person.pk)).whoami()
        except BaseException as err:  # reported below
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert [r["status"] for r in token_calls(erin)] == [200, 200]  # one renewal: the second worker found it done
    assert HubToken.objects.get(user=person).rejected_at is None


def test_a_renewal_the_hub_refuses_asks_to_sign_in_again(erin):
    erin.oauth_options(expires_in=60)
    client = signed_in_erin(erin)
    erin.oauth_options(fail_refresh=1)
    client.get("/models/acme/secret-model/")
    row = HubToken.objects.get(user__username="erin")
    assert row.rejected_at is not None and "sign in with Hugging Face again" in row.rejected_reason
    page = client.get(reverse("profile")).content.decode()
    assert "Sign in with Hugging Face again" in page


def test_a_sign_in_that_did_not_grant_an_organisation_says_how_to_grant_it(erin):
    erin.add_repo("acme/open-model")
    client = signed_in_erin(erin, orgs=("datalab",))
    response = client.get("/models/acme/open-model/settings/")
    page = response.content.decode()
    assert response.status_code == 403 and "did not grant hubdash the organisation acme" in page
    assert "consent screen" in page


def test_a_sign_in_without_manage_repos_says_which_scope_deleting_needs(erin, settings):
    settings.HF_OAUTH_SCOPES = "openid profile read-repos write-repos"
    client = signed_in_erin(erin)
    forget_confirmation(client)
    erin.add_repo("acme/to-delete")
    settings_page = client.get("/models/acme/to-delete/settings/")
    assert settings_page.status_code == 200
    confirm = client.post(reverse("hf-confirm") + "?next=/models/acme/to-delete/settings/")
    assert confirm.status_code == 302
    back = requests.get(confirm["Location"], allow_redirects=False, timeout=10).headers["Location"]
    client.get(back.split("testserver", 1)[1])
    response = client.post("/models/acme/to-delete/settings/delete/", {"confirm_id": "acme/to-delete"})
    assert response.status_code == 403 and "manage-repos scope" in response.content.decode()


def test_people_without_a_password_confirm_a_deletion_with_a_fresh_hugging_face_sign_in(erin):
    client = signed_in_erin(erin)
    erin.add_repo("acme/old-model")
    forget_confirmation(client)  # signing in just now was itself a fresh sign-in
    page = client.get("/models/acme/old-model/settings/").content.decode()
    assert "Confirm with Hugging Face" in page and 'name="password"' not in page
    refused = client.post("/models/acme/old-model/settings/delete/", {"confirm_id": "acme/old-model"})
    assert refused.status_code == 400 and "Confirm with Hugging Face first" in refused.content.decode()
    assert erin.world.get_repo("model", "acme/old-model") is not None
    # The button posts to the confirmation, which asks the Hub for a fresh sign-in and comes back.
    started = client.post(reverse("hf-confirm") + "?next=/models/acme/old-model/settings/")
    assert "prompt=login" in started["Location"] and "max_age=0" in started["Location"]
    back = requests.get(started["Location"], allow_redirects=False, timeout=10).headers["Location"]
    returned = client.get(back.split("testserver", 1)[1])
    assert returned.status_code == 302 and returned["Location"] == "/models/acme/old-model/settings/"
    done = client.post("/models/acme/old-model/settings/delete/", {"confirm_id": "acme/old-model"})
    assert done.status_code == 302 and erin.world.get_repo("model", "acme/old-model") is None


def forget_confirmation(client: Client) -> None:
    session = client.session
    session.pop("hubdash_hf_confirmed_at", None)
    session.save()


def test_a_fresh_sign_in_as_someone_else_confirms_nothing(erin):
    client = signed_in_erin(erin)
    forget_confirmation(client)
    erin.add_user("mallory")
    erin.oauth_browser("mallory")
    started = client.post(reverse("hf-confirm") + "?next=/account/token/")
    back = requests.get(started["Location"], allow_redirects=False, timeout=10).headers["Location"]
    response = client.get(back.split("testserver", 1)[1])
    assert response.status_code == 403 and "not the one linked to you" in response.content.decode()
    refused = client.post(reverse("token-remove"), {})
    assert refused.status_code == 400 and HubToken.objects.filter(user__username="erin").exists()


def test_the_webhooks_page_names_the_scope_a_sign_in_did_not_grant(erin, settings):
    settings.HF_OAUTH_SCOPES = "openid profile read-repos write-repos"
    client = signed_in_erin(erin)
    User.objects.filter(username="erin").update(is_superuser=True, is_staff=True)  # the page is for admins
    page = client.get(reverse("webhook-setup")).content.decode()
    assert "did not grant the webhooks scope" in page and "HUBDASH_HF_OAUTH_SCOPES" in page
    settings.HF_OAUTH_SCOPES = "openid profile read-repos write-repos webhooks"
    granted = signed_in_erin(erin).get(reverse("webhook-setup")).content.decode()
    assert "did not grant the webhooks scope" not in granted
