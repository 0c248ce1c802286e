"""Sign in with Hugging Face, with hubsim as the Hub's OAuth provider: who gets in, who is refused, and how."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hubdash.activity.models import Event
from hubdash.hub.models import HubLink, HubToken
from hubdash.team.models import SignInPolicy
from tests.accounts.oauth_flow import follow_to_hub, hf_oauth, sign_in_with_hf, with_param
from tests.personas import PASSWORD
from tests.team.test_invitations import make_invitation

__all__ = ["hf_oauth"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def erin(hf_oauth, alice):
    """erin has a Hub account (write in acme, read in datalab) and no hubdash account yet (alice, the admin, has)."""
    hf_oauth.add_user(
        "erin", fullname="Erin Okafor", email="erin@example.com", orgs={"acme": "write", "datalab": "read"}
    )
    return hf_oauth


def admit_orgs(*orgs: str, min_role: str = "any") -> None:
    SignInPolicy.objects.update_or_create(pk=1, defaults={"mode": "orgs", "orgs": list(orgs), "min_role": min_role})


def test_the_sign_in_page_offers_hugging_face_only_when_configured(hub_world, settings, alice):
    settings.HF_OAUTH_CLIENT_ID = ""
    assert "Sign in with Hugging Face" not in Client().get(reverse("login")).content.decode()
    settings.HF_OAUTH_CLIENT_ID, settings.HF_OAUTH_CLIENT_SECRET = "id", "secret-secret"
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with Hugging Face" in page and 'name="password"' in page  # beside the password form


def test_a_member_of_a_chosen_organisation_signs_in_end_to_end(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    client = Client()
    started = client.post(reverse("hf-start"))
    authorize = started["Location"]
    assert authorize.startswith(f"{erin.url}/oauth/authorize?")
    assert "code_challenge_method=S256" in authorize and "state=" in authorize and "nonce=" in authorize
    response = sign_in_with_hf(client)
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    person = User.objects.get(username="erin")
    assert not person.is_superuser and not person.has_usable_password() and person.email == "erin@example.com"
    link = HubLink.objects.get(user=person)
    row = HubToken.objects.get(user=person)
    assert (row.kind, row.hub_username, row.granted_orgs) == ("oauth", "erin", [{"name": "acme", "role": "write"}])
    assert row.refresh_ciphertext and row.expires_at is not None and "manage-repos" in row.oauth_scopes
    page = client.get(reverse("profile")).content.decode()
    assert "From signing in with Hugging Face" in page and "Create, move and delete repos" in page
    assert "acme" in page and "Expires" in page
    token_calls = [r for r in erin.requests() if r["path"] == "/oauth/token"]
    assert [r["status"] for r in token_calls] == [200]  # the code, exchanged once with its PKCE verifier
    summaries = list(Event.objects.filter(member=person).values_list("summary", flat=True))
    assert any("joined" in s for s in summaries) and any("connected a Hub token" in s for s in summaries)
    assert link.sub and not HubToken.objects.filter(ciphertext__contains=b"hf_oauth_").exists()


def test_an_outsider_is_refused_with_the_organisation_to_join_and_nothing_is_stored(erin):
    admit_orgs("acme", min_role="admin")
    erin.oauth_browser("erin", orgs=["acme"])  # a write member: not enough
    people = User.objects.count()
    response = sign_in_with_hf(Client())
    page = response.content.decode()
    assert response.status_code == 403 and "acme" in page and "grant that organisation" in page
    assert User.objects.count() == people and not HubLink.objects.exists() and not HubToken.objects.exists()
    refused = Event.objects.get(summary__contains="refused")
    assert refused.member is None and refused.details["hub_user"] == "erin"


def test_by_default_only_invited_people_may_arrive(erin):
    erin.oauth_browser("erin", orgs=["acme"])
    response = sign_in_with_hf(Client())
    assert response.status_code == 403 and "invited" in response.content.decode()
    assert not User.objects.filter(username="erin").exists()


def test_a_renamed_hub_account_is_still_the_same_person(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    assert sign_in_with_hf(Client()).status_code == 302
    person = User.objects.get(username="erin")
    erin.rename_user("erin", "erin-o")
    erin.oauth_browser("erin-o", orgs=["acme"])
    people = User.objects.count()
    client = Client()
    assert sign_in_with_hf(client).status_code == 302
    assert User.objects.count() == people and client.get(reverse("profile")).context["user"].pk == person.pk
    assert HubLink.objects.get(user=person).hub_username == "erin-o"
    assert HubToken.objects.get(user=person).hub_username == "erin-o"


def test_a_tampered_state_is_refused_and_signs_nobody_in(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    client = Client()
    callback = follow_to_hub(client)
    response = client.get(with_param(callback, state="forged-state-value"))
    assert response.status_code == 400 and "start again" in response.content.decode()
    assert not User.objects.filter(username="erin").exists()
    assert client.get(reverse("profile")).status_code == 302  # still signed out


def test_a_replayed_code_is_refused(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    first = Client()
    callback = follow_to_hub(first)
    assert first.get(callback).status_code == 302
    # Another browser starts its own flow but brings back the code already used.
    second = Client()
    fresh = follow_to_hub(second)
    state = fresh.split("state=")[1].split("&")[0]
    replay = second.get(with_param(callback, state=state))
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    assert second.get(reverse("profile")).status_code == 302


def test_a_nonce_that_does_not_match_is_refused(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    client = Client()
    callback = follow_to_hub(client)
    session = client.session
    for key, value in session.items():
        if key.startswith("_state_huggingface_"):
            value["data"]["nonce"] = "not-the-nonce-sent"
            session[key] = value
    session.save()
    response = client.get(callback)
    assert response.status_code == 400 and "did not verify" in response.content.decode()
    assert not User.objects.filter(username="erin").exists()


def test_refusing_consent_on_the_hub_says_so(erin):
    erin.oauth_browser("erin", approve=False)
    response = sign_in_with_hf(Client())
    assert response.status_code == 400 and "did not authorize" in response.content.decode()


def test_a_deactivated_person_cannot_sign_in_with_hugging_face(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    sign_in_with_hf(Client())
    User.objects.filter(username="erin").update(is_active=False)
    response = sign_in_with_hf(Client())
    assert response.status_code == 403 and "deactivated" in response.content.decode()


def test_a_signed_in_person_connects_with_hugging_face_and_the_token_replaces_the_pasted_one(
    hf_oauth, alice, alice_client
):
    from hubdash import hub
    from tests.personas import ALICE_TOKEN

    hub.connect_token(alice, ALICE_TOKEN)
    hf_oauth.oauth_browser("alice", orgs=["acme", "datalab"])
    response = sign_in_with_hf(alice_client)
    assert response.status_code == 302
    row = HubToken.objects.get(user=alice)
    assert row.kind == "oauth" and row.last4 != ALICE_TOKEN[-4:]
    assert HubLink.objects.get(user=alice).hub_username == "alice"
    assert Event.objects.filter(member=alice, summary__contains="replaced a Hub token").exists()
    page = alice_client.get(reverse("profile")).content.decode()
    assert "From signing in with Hugging Face" in page and "datalab" in page


def test_the_sign_in_policy_is_an_admins_choice_confirmed_before_it_applies(hf_oauth, alice_client, bob_client):
    assert bob_client.get(reverse("sign-in-policy")).status_code == 403
    assert bob_client.post(reverse("sign-in-policy"), {"mode": "orgs"}).status_code == 403
    data = {"mode": "orgs", "orgs": "acme, datalab", "min_role": "write"}
    review = alice_client.post(reverse("sign-in-policy"), data)
    assert review.status_code == 200 and "Confirm" in review.content.decode()
    assert not SignInPolicy.objects.exists()  # nothing yet
    saved = alice_client.post(reverse("sign-in-policy"), {**data, "confirm": "on"})
    assert saved.status_code == 302
    policy = SignInPolicy.current()
    assert (policy.mode, policy.orgs, policy.min_role) == ("orgs", ["acme", "datalab"], "write")
    assert Event.objects.filter(summary__contains="Hugging Face sign-in now admits").exists()
    bad = alice_client.post(reverse("sign-in-policy"), {"mode": "orgs", "orgs": "", "min_role": "any"})
    assert bad.status_code == 400 and "at least one organisation" in bad.content.decode()
    bad = alice_client.post(reverse("sign-in-policy"), {"mode": "orgs", "orgs": "no/slash", "min_role": "any"})
    assert bad.status_code == 400


def test_signing_in_with_a_password_still_works_beside_it(hf_oauth, alice):
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_an_invited_person_joins_with_hugging_face_in_the_invitations_role(erin, alice_client):
    link = make_invitation(alice_client, role="admin")
    erin.oauth_browser("erin", orgs=["acme"])
    browser = Client()
    assert browser.get(link)["Location"] == reverse("invitation-accept")
    assert 'id="hf-sign-in"' in browser.get(reverse("invitation-accept")).content.decode()
    response = sign_in_with_hf(browser)  # the policy admits only invited people: this one is
    assert response.status_code == 302
    person = User.objects.get(username="erin")
    assert person.is_superuser and HubToken.objects.get(user=person).kind == "oauth"
    team = alice_client.get(reverse("team")).content.decode()
    assert "joined as admin, invited by alice" in team
    # The link is spent: someone else following it (another browser, another Hub account) is refused.
    erin.add_user("frank", fullname="Frank", email="frank@example.com", orgs={})
    erin.oauth_browser("frank", orgs=[])
    other = Client()
    assert other.get(link).status_code != 302
    assert sign_in_with_hf(other).status_code == 403 and not User.objects.filter(username="frank").exists()


def test_signing_in_with_hugging_face_shows_one_banner(erin):
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    client = Client()
    response = sign_in_with_hf(client)
    page = client.get(response["Location"]).content.decode()
    banners = page.split('<ul class="messages"', 1)[1].split("</ul>", 1)[0].count('<li class="message')
    assert banners == 1 and "Signed in with Hugging Face as @erin." in page


def test_a_hub_name_taken_in_hubdash_is_told_beside_the_name_given_there(erin):
    User.objects.create_user("erin", "other-erin@example.com", "a-long-password-of-hers")  # another erin
    admit_orgs("acme")
    erin.oauth_browser("erin", orgs=["acme"])
    client = Client()
    page = client.get(sign_in_with_hf(client)["Location"]).content.decode()
    person = HubLink.objects.get().user
    assert person.username != "erin"
    assert f"Signed in with Hugging Face as @erin (in hubdash: {person.username})." in page
