"""Sign in with Hugging Face: Authlib's Django client against the Hub's OpenID Connect provider.

The provider is `HF_ENDPOINT` (its metadata at `/.well-known/openid-configuration`); the flow is the
authorization code with PKCE (S256), `state` and `nonce` checked by Authlib, the ID token's signature
checked against the Hub's keys. Every call to the Hub here keeps the rules of every other Hub call: the
same connect and read timeouts, a slot among the worker's Hub calls (`client.translated`), and answers
believed only from `HF_ENDPOINT`'s origin (metadata naming another site is refused, and no redirect is
followed). Nothing here touches the database: `tokens.py` stores what this returns.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth, OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from . import errors
from .client import translated

METADATA_PATH = "/.well-known/openid-configuration"
METADATA_SECONDS = 300  # the provider's metadata and keys are reused this long per worker
_SESSION_KEY = "hubdash_hf_flows"  # state -> what the flow is for, where it returns, when it started
FRESH_LEEWAY_S = 5  # clocks of the Hub and hubdash may differ this much on a fresh sign-in


class SignInFailed(errors.HubError):
    """The Hugging Face sign-in could not complete (refused, stale or tampered, invalid answer)."""

    status = 400
    kind = "sign_in"


class _OffHub(Exception):
    """An OAuth call that would leave the Hub's origin, or a redirect from it."""


def configured() -> bool:
    return bool(settings.HF_OAUTH_CLIENT_ID and settings.HF_OAUTH_CLIENT_SECRET)


def scopes() -> tuple[str, ...]:
    return tuple(settings.HF_OAUTH_SCOPES.split())


def tokens_page() -> str:
    """Where the Hub makes access tokens, for the token page's link."""
    return f"{settings.HF_ENDPOINT}/settings/tokens"


def org_settings_page(org: str) -> str:
    return f"{settings.HF_ENDPOINT}/{org}"


def _origin(url: str) -> tuple[str, str, int | None]:
    split = urlsplit(url)
    port = split.port or {"http": 80, "https": 443}.get(split.scheme)
    return split.scheme, (split.hostname or "").lower(), port


def _on_hub(url: str) -> bool:
    return _origin(url) == _origin(settings.HF_ENDPOINT)


class _HubSession(OAuth2Session):  # type: ignore[misc]  # Authlib has no type hints
    """Authlib's requests session with the Hub's timeouts, only ever talking to the Hub, following no redirect."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default_timeout", (settings.HUB_CONNECT_TIMEOUT, settings.HUB_READ_TIMEOUT))
        super().__init__(*args, **kwargs)
        self.trust_env = False  # no credentials from ~/.netrc, no proxy the process environment names

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if not _on_hub(url):
            raise _OffHub(url)
        kwargs["allow_redirects"] = False
        response = super().request(method, url, *args, **kwargs)
        if response.is_redirect:
            raise _OffHub(response.headers.get("Location", ""))
        return response


class _HubApp(DjangoOAuth2App):  # type: ignore[misc]
    client_cls = _HubSession


class _Registry(OAuth):  # type: ignore[misc]
    oauth2_client_cls = _HubApp


_apps: dict[tuple[str, str, str, str], tuple[float, _HubApp]] = {}


def _app() -> _HubApp:
    """The Authlib client for the configured app and Hub, its metadata checked and reused for a while."""
    if not configured():
        raise SignInFailed("Sign in with Hugging Face is not configured on this hubdash.")
    key = (settings.HF_ENDPOINT, settings.HF_OAUTH_CLIENT_ID, settings.HF_OAUTH_CLIENT_SECRET, settings.HF_OAUTH_SCOPES)
    made = _apps.get(key)
    if made is not None and time.monotonic() - made[0] < METADATA_SECONDS:
        return made[1]
    registry = _Registry()
    app: _HubApp = registry.register(
        "huggingface",
        client_id=settings.HF_OAUTH_CLIENT_ID,
        client_secret=settings.HF_OAUTH_CLIENT_SECRET,
        server_metadata_url=settings.HF_ENDPOINT + METADATA_PATH,
        client_kwargs={"scope": " ".join(scopes()), "code_challenge_method": "S256"},
    )
    metadata = app.load_server_metadata()
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        url = metadata.get(name)
        if not isinstance(url, str) or not _on_hub(url):
            raise errors.HubUnavailable(f"The Hub's sign-in metadata names no usable {name}; try again later.")
    if metadata.get("issuer") != settings.HF_ENDPOINT:
        raise errors.HubUnavailable("The Hub's sign-in metadata names another issuer than HF_ENDPOINT.")
    _apps.clear()
    _apps[key] = (time.monotonic(), app)
    return app


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """Authlib's and requests' exceptions as hubdash's errors, inside the Hub's slot and circuit."""
    with translated():
        try:
            yield
        except requests.Timeout:
            raise errors.HubUnavailable("The Hub did not answer in time; try again in a moment.") from None
        except requests.ConnectionError:
            raise errors.HubUnavailable("hubdash cannot reach the Hub right now; try again in a moment.") from None
        except _OffHub:
            raise errors.HubUnavailable(
                "The Hub redirected hubdash to another site, which it does not follow."
            ) from None
        except requests.HTTPError as err:
            status = err.response.status_code if err.response is not None else 0
            if status == 401:
                raise errors.BadToken("The Hub did not accept the sign-in's token.") from None
            if status == 429:
                raise errors.RateLimited("The Hub is rate-limiting sign-ins; try again later.", None) from None
            raise errors.HubUnavailable(f"The Hub is having trouble (HTTP {status}); try again in a moment.") from None
        except OAuthError as err:
            raise SignInFailed(_describe(err)) from None
        except (AuthlibBaseError, JoseError) as err:
            # An ID token that does not verify (signature, issuer, audience, nonce, expiry).
            raise SignInFailed(
                f"The Hub's answer did not verify ({type(err).__name__}); please sign in again."
            ) from None


def _describe(err: OAuthError) -> str:
    error = getattr(err, "error", "") or ""
    if error == "mismatching_state":
        return "This sign-in was not started here, or has already been used: please start again."
    if error == "access_denied":
        return "You did not authorize hubdash on the Hub."
    if error == "invalid_grant":
        return "The Hub refused the sign-in (an expired or already used code, or a revoked grant): please start again."
    description = getattr(err, "description", "") or error or "no reason given"
    return f"The Hub refused the sign-in: {str(description)[:200]}"


# -- the flow --------------------------------------------------------------------------------------------


def start(request: HttpRequest, redirect_uri: str, purpose: str, next_url: str, fresh: bool = False) -> HttpResponse:
    """Send the browser to the Hub's consent page. `fresh` asks the Hub for a new sign-in (prompt=login)."""
    state = secrets.token_urlsafe(24)
    extra: dict[str, Any] = {"prompt": "login", "max_age": 0} if fresh else {}
    with _translated():
        response: HttpResponse = _app().authorize_redirect(request, redirect_uri, state=state, **extra)
    flows = request.session.get(_SESSION_KEY, {})
    flows = dict(list(flows.items())[-4:])  # a few tabs at once, never an ever-growing session
    flows[state] = {"purpose": purpose, "next": next_url, "started_at": time.time(), "fresh": fresh}
    request.session[_SESSION_KEY] = flows
    return response


@dataclass(frozen=True)
class GrantedOrg:
    name: str
    role: str


@dataclass(frozen=True)
class Grant:
    """What a completed Hugging Face sign-in gives: who, the tokens, and what they may reach."""

    sub: str
    username: str
    fullname: str
    email: str | None
    orgs: tuple[GrantedOrg, ...]
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: tuple[str, ...]
    purpose: str
    next_url: str
    fresh: bool  # the Hub says the person signed in just now (asked for with `fresh`)

    def __repr__(self) -> str:  # never the tokens, in a traceback or a log line
        return f"Grant(sub={self.sub!r}, username={self.username!r}, purpose={self.purpose!r})"


def finish(request: HttpRequest) -> Grant:
    """Complete the flow on the callback: state, code with PKCE, ID token (signature, nonce), userinfo."""
    state = request.GET.get("state", "")
    flow = request.session.get(_SESSION_KEY, {}).pop(state, None)
    request.session.modified = True
    with _translated():
        app = _app()
        token = app.authorize_access_token(request)  # raises on a state it did not start (tampered, replayed)
        if flow is None:
            raise OAuthError(error="mismatching_state")
        claims = token.get("userinfo")
        if not claims or "sub" not in claims:
            raise SignInFailed("The Hub sent no verified identity (no ID token); please sign in again.")
        # The access token alone: given its refresh token and expiry, Authlib would renew a token that expires
        # soon on its own, and the refresh token kept here would be one the Hub already rotated away.
        info = app.userinfo(token={"access_token": token["access_token"], "token_type": "bearer"})
    if str(info.get("sub")) != str(claims["sub"]):
        raise SignInFailed("The Hub's answers disagree about who you are; please sign in again.")
    expires_at = token.get("expires_at")
    auth_time = claims.get("auth_time")
    fresh = isinstance(auth_time, int | float) and auth_time >= flow["started_at"] - FRESH_LEEWAY_S
    return Grant(
        sub=str(claims["sub"]),
        username=str(info.get("preferred_username") or claims.get("preferred_username") or ""),
        fullname=str(info.get("name") or ""),
        email=str(info["email"]) if info.get("email") else None,
        orgs=tuple(_orgs(info.get("orgs"))),
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_at=datetime.fromtimestamp(int(expires_at), tz=UTC) if expires_at else None,
        scopes=tuple(str(token.get("scope") or " ".join(scopes())).split()),
        purpose=str(flow["purpose"]),
        next_url=str(flow["next"]),
        fresh=fresh,
    )


def _orgs(value: object) -> Iterator[GrantedOrg]:
    for org in value if isinstance(value, list) else []:
        if isinstance(org, dict) and isinstance(org.get("preferred_username"), str):
            yield GrantedOrg(name=org["preferred_username"], role=str(org.get("roleInOrg") or ""))


@dataclass(frozen=True)
class Renewed:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: tuple[str, ...] | None

    def __repr__(self) -> str:
        return f"Renewed(expires_at={self.expires_at!r})"


def renew(refresh_token: str) -> Renewed:
    """A new access token (and refresh token: the Hub rotates them) for a refresh token."""
    with _translated():
        token = _app().fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
    expires_at = token.get("expires_at")
    scope = token.get("scope")
    return Renewed(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_at=datetime.fromtimestamp(int(expires_at), tz=UTC) if expires_at else None,
        scopes=tuple(str(scope).split()) if scope else None,
    )
