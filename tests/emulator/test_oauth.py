"""hubsim as an OAuth / OpenID Connect provider, driven as a client would (plain HTTP, no hubdash)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from joserfc import jwt
from joserfc.jwk import KeySet

REDIRECT = "http://testserver/accounts/hf/callback/"


@pytest.fixture
def provider(hub):
    hub.add_user(
        "alice", fullname="Alice Martin", email="alice@example.com", orgs={"acme": "admin", "datalab": "write"}
    )
    hub.add_user("bob", orgs={"acme": "read"})
    hub.add_repo("acme/secret-model", private=True)
    hub.add_repo("datalab/hidden", private=True)
    app = hub.oauth_app([REDIRECT], client_id="hubdash-test", client_secret="s3cret-client-secret")
    hub.oauth_browser("alice", orgs=["acme"])
    return hub, app


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(hub, challenge: str, scope: str = "openid profile email read-repos", **extra: str) -> dict[str, str]:
    params = {
        "client_id": "hubdash-test",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": scope,
        "state": "st4te",
        "nonce": "n0nce",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    answer = requests.get(f"{hub.url}/oauth/authorize", params=params, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


CLIENT_SECRET = "s3cret-client-secret"


def _exchange(hub, code: str, verifier: str, secret: str = CLIENT_SECRET) -> requests.Response:
    return requests.post(
        f"{hub.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        auth=("hubdash-test", secret),
    )


def test_discovery_names_hubsim_as_issuer(provider):
    hub, _ = provider
    metadata = requests.get(f"{hub.url}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == hub.url
    assert metadata["token_endpoint"] == f"{hub.url}/oauth/token"
    assert "S256" in metadata["code_challenge_methods_supported"]


def test_code_flow_gives_a_signed_id_token_and_a_token_limited_to_granted_orgs(provider):
    hub, _ = provider
    verifier, challenge = _pkce()
    params = _authorize(hub, challenge)
    assert params["state"] == "st4te"
    answer = _exchange(hub, params["code"], verifier)
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert tokens["access_token"].startswith("hf_oauth_") and tokens["refresh_token"]
    keys = KeySet.import_key_set(requests.get(f"{hub.url}/oauth/jwks").json())
    claims = jwt.decode(tokens["id_token"], keys).claims
    assert claims["nonce"] == "n0nce" and claims["aud"] == "hubdash-test" and claims["iss"] == hub.url
    info = requests.get(f"{hub.url}/oauth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    body = info.json()
    assert body["sub"] == claims["sub"] and body["preferred_username"] == "alice"
    assert [(o["preferred_username"], o["roleInOrg"]) for o in body["orgs"]] == [("acme", "admin")]
    api = HfApi(endpoint=hub.url, token=tokens["access_token"])
    me = api.whoami()
    assert me["auth"]["type"] == "oauth" and [o["name"] for o in me["orgs"]] == ["acme"]
    api.model_info("acme/secret-model")  # granted organisation: visible
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("datalab/hidden")  # not granted: as if absent
    with pytest.raises(HfHubHTTPError, match=r"manage-repos"):
        api.create_repo("alice/new-one")  # read-repos only: no creating


def test_pkce_secret_and_replay_are_checked(provider):
    hub, _ = provider
    verifier, challenge = _pkce()
    code = _authorize(hub, challenge)["code"]
    assert _exchange(hub, code, verifier, secret="wrong").status_code == 401
    code = _authorize(hub, challenge)["code"]
    assert _exchange(hub, code, "x" * 50).json()["error"] == "invalid_grant"
    code = _authorize(hub, challenge)["code"]
    first = _exchange(hub, code, verifier).json()
    replay = _exchange(hub, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    # What the first exchange gave is revoked with it.
    whoami = requests.get(f"{hub.url}/api/whoami-v2", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert whoami.status_code == 401


def test_refresh_rotates_and_can_be_made_to_fail(provider):
    hub, _ = provider
    verifier, challenge = _pkce()
    tokens = _exchange(hub, _authorize(hub, challenge)["code"], verifier).json()

    def refresh(value: str) -> requests.Response:
        return requests.post(
            f"{hub.url}/oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": value},
            auth=("hubdash-test", "s3cret-client-secret"),
        )

    renewed = refresh(tokens["refresh_token"])
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != tokens["refresh_token"]
    assert refresh(tokens["refresh_token"]).status_code == 400  # rotated: the old one is spent
    hub.oauth_options(fail_refresh=1)
    assert refresh(renewed.json()["refresh_token"]).json()["error"] == "invalid_grant"


def test_expired_tokens_are_refused_and_rename_keeps_the_sub(provider):
    hub, _ = provider
    hub.oauth_options(expires_in=0)
    verifier, challenge = _pkce()
    tokens = _exchange(hub, _authorize(hub, challenge)["code"], verifier).json()
    who = requests.get(f"{hub.url}/api/whoami-v2", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert who.status_code == 401
    hub.oauth_options(expires_in=3600)
    tokens = _exchange(hub, _authorize(hub, challenge)["code"], verifier).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    before = requests.get(f"{hub.url}/oauth/userinfo", headers=headers).json()
    hub.rename_user("alice", "alice-renamed")
    after = requests.get(f"{hub.url}/oauth/userinfo", headers=headers).json()
    assert after["sub"] == before["sub"] and after["preferred_username"] == "alice-renamed"


def test_refused_consent_and_unknown_clients(provider):
    hub, _ = provider
    _, challenge = _pkce()
    hub.oauth_browser("alice", approve=False)
    assert _authorize(hub, challenge)["error"] == "access_denied"
    hub.oauth_browser(None)
    page = requests.get(
        f"{hub.url}/oauth/authorize",
        params={
            "client_id": "hubdash-test",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scope": "openid",
        },
    )
    assert page.status_code == 200 and "Authorize" in page.text
    unknown = requests.get(f"{hub.url}/oauth/authorize", params={"client_id": "nobody", "redirect_uri": REDIRECT})
    assert unknown.status_code == 400
