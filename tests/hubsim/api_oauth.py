"""The Hub's OAuth / OpenID Connect side ("Sign in with Hugging Face", hub-api.md §14).

Discovery, `/oauth/authorize` (consent), `/oauth/token` (authorization code with PKCE S256, refresh with
rotation), `/oauth/userinfo`, `/oauth/jwks` and RS256 ID tokens. The access tokens issued are `hf_oauth_…`
bearer tokens that the rest of hubsim accepts within their scopes and granted organisations (state.Token).

Consent needs no typing in tests: the control API (`POST /_hubsim/oauth/browser`) says who is signed in
at the emulated Hub and which organisations they grant; `/oauth/authorize` then approves at once. With
nobody signed in it shows a tiny form (for `make demo`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from .errors import HubError, bad_request
from .server import Request, Response, Router, json_response
from .state import Account, Token, World

ALWAYS_GRANTED = ("openid", "profile")
KNOWN_SCOPES = (
    "openid",
    "profile",
    "email",
    "read-billing",
    "read-repos",
    "contribute-repos",
    "write-repos",
    "manage-repos",
    "inference-api",
    "jobs",
    "webhooks",
    "write-discussions",
)


def _oauth_error(status: int, error: str, description: str) -> HubError:
    return HubError(status, description, body={"error": error, "error_description": description})


def _redirect(location: str) -> Response:
    return Response(302, b"", {"Location": location}, "text/plain; charset=utf-8")


def _with_params(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


class OAuthApi:
    def __init__(self, world: World) -> None:
        self.world = world
        # One signing key per hubsim process: ID tokens from before a restart no longer verify, as on a key roll.
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"})

    def register(self, router: Router) -> None:
        router.add("GET", r"/\.well-known/openid-configuration", self.discovery)
        router.add("GET POST", r"/oauth/authorize", self.authorize)
        router.add("POST", r"/oauth/token", self.token)
        router.add("GET POST", r"/oauth/userinfo", self.userinfo)
        router.add("GET", r"/oauth/jwks", self.jwks)
        router.add("GET POST", r"/_hubsim/oauth/apps", self.control_apps)
        router.add("POST", r"/_hubsim/oauth/browser", self.control_browser)
        router.add("POST", r"/_hubsim/oauth/options", self.control_options)
        router.add("POST", r"/_hubsim/users/rename", self.control_rename)

    # -- discovery and keys ---------------------------------------------------------
    def discovery(self, request: Request) -> Response:
        base = request.base_url
        return json_response(
            {
                "issuer": base,
                "authorization_endpoint": f"{base}/oauth/authorize",
                "token_endpoint": f"{base}/oauth/token",
                "userinfo_endpoint": f"{base}/oauth/userinfo",
                "jwks_uri": f"{base}/oauth/jwks",
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": list(KNOWN_SCOPES),
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "claims_supported": ["sub", "name", "preferred_username", "picture", "email", "orgs", "nonce"],
            }
        )

    def jwks(self, request: Request) -> Response:
        return json_response(KeySet([self.key]).as_dict(private=False))

    # -- consent ----------------------------------------------------------------------
    def authorize(self, request: Request) -> Response:
        params = dict(request.query)
        if request.method == "POST":
            params.update({key: values[-1] for key, values in request.json().items() if isinstance(values, list)})
        app = self.world.oauth_apps.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        # Errors about the client itself are shown here, never sent to an unchecked redirect URI.
        if app is None:
            raise bad_request("Unknown client_id")
        if redirect_uri not in app["redirect_uris"]:
            raise bad_request("redirect_uri is not one of this app's redirect URIs")

        def refuse(error: str, description: str) -> Response:
            answer = {"error": error, "error_description": description}
            if params.get("state"):
                answer["state"] = params["state"]
            return _redirect(_with_params(redirect_uri, answer))

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type", "Only the code flow is supported")
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
            return refuse("invalid_request", "PKCE with S256 is required")
        asked = params.get("scope", "").split()
        unknown = [scope for scope in asked if scope not in KNOWN_SCOPES or scope not in app["scopes"]]
        if unknown:
            return refuse("invalid_scope", f"Scopes not allowed for this app: {' '.join(unknown)}")

        browser = self.world.oauth_browser
        if request.method == "POST" and params.get("username"):
            granted = [name.strip() for name in params.get("orgs", "").split(",") if name.strip()]
            browser = {"user": params["username"], "orgs": granted, "approve": True, "signed_in_at": time.time()}
        user_name = browser.get("user")
        if not isinstance(user_name, str) or user_name not in self.world.accounts:
            return self._consent_page(params)
        if not browser.get("approve", True):
            return refuse("access_denied", "The user did not approve the app")
        now = time.time()
        auth_time = float(browser.get("signed_in_at") or now)  # type: ignore[arg-type]
        max_age = params.get("max_age")
        if params.get("prompt") == "login" or (
            max_age is not None and max_age.isdigit() and now - auth_time > int(max_age)
        ):
            auth_time = now  # the Hub asks for the password again: a fresh sign-in
            browser["signed_in_at"] = now
        user = self.world.accounts[user_name]
        member_of = {org.name for org in self.world.accounts.values() if org.is_org and user.name in org.members}
        wanted = browser.get("orgs") or []
        granted_orgs = [name for name in wanted if name in member_of]  # type: ignore[union-attr]
        code = secrets.token_urlsafe(24)
        self.world.oauth_codes[code] = {
            "client_id": app["client_id"],
            "redirect_uri": redirect_uri,
            "user": user.name,
            "scopes": sorted(set(asked) | set(ALWAYS_GRANTED)),
            "orgs": granted_orgs,
            "challenge": challenge,
            "nonce": params.get("nonce"),
            "auth_time": int(auth_time),
            "expires_at": now + float(self.world.oauth_options["code_ttl"]),  # type: ignore[arg-type]
            "used": False,
            "issued": [],
        }
        answer = {"code": code}
        if params.get("state"):
            answer["state"] = params["state"]
        return _redirect(_with_params(redirect_uri, answer))

    def _consent_page(self, params: dict[str, str]) -> Response:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k not in ("username", "orgs")
        )
        page = (
            "<!doctype html><title>hubsim: sign in with Hugging Face</title>"
            '<link rel="icon" href="data:,">'  # no favicon request: its 404 would be a console error
            "<h1>hubsim: authorize this app</h1>"
            '<form method="post" action="/oauth/authorize">'
            f"{hidden}"
            '<label>Hub user <input name="username" id="username"></label> '
            '<label>Organisations to grant (comma-separated) <input name="orgs" id="orgs"></label> '
            '<button type="submit">Authorize</button></form>'
        )
        return Response(200, page.encode(), {}, "text/html; charset=utf-8")

    # -- tokens -----------------------------------------------------------------------
    def _client(self, request: Request, form: dict[str, str]) -> dict:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise _oauth_error(401, "invalid_client", "Malformed client credentials") from None
        app = self.world.oauth_apps.get(client_id)
        if app is None or not secrets.compare_digest(app["client_secret"], secret):
            raise _oauth_error(401, "invalid_client", "Client authentication failed")
        return app

    def token(self, request: Request) -> Response:
        form = {key: values[-1] for key, values in request.json().items() if isinstance(values, list)}
        # The token endpoint reads an Authorization: Basic header; state.Request took no bearer from it.
        app = self._client(request, form)
        grant = form.get("grant_type")
        with self.world.lock:
            if grant == "authorization_code":
                return self._code_grant(request, app, form)
            if grant == "refresh_token":
                return self._refresh_grant(request, app, form)
        raise _oauth_error(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token")

    def _code_grant(self, request: Request, app: dict, form: dict[str, str]) -> Response:
        code = self.world.oauth_codes.get(form.get("code", ""))
        if code is None or code["client_id"] != app["client_id"]:
            raise _oauth_error(400, "invalid_grant", "Unknown authorization code")
        if code["used"]:
            # A replayed code: refuse it, and revoke what it gave the first time (RFC 6749 §4.1.2).
            for value in code["issued"]:
                if value in self.world.tokens:
                    self.world.tokens[value].revoked = True
                self.world.oauth_refresh.pop(value, None)
            raise _oauth_error(400, "invalid_grant", "Authorization code already used")
        code["used"] = True
        if code["expires_at"] < time.time():
            raise _oauth_error(400, "invalid_grant", "Authorization code expired")
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise _oauth_error(400, "invalid_grant", "redirect_uri does not match the authorization request")
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(digest, code["challenge"]):
            raise _oauth_error(400, "invalid_grant", "PKCE verification failed")
        answer = self._issue(request, app, code["user"], code["scopes"], code["orgs"])
        code["issued"] = [answer["access_token"], answer["refresh_token"]]
        if "openid" in code["scopes"]:
            answer["id_token"] = self._id_token(request, app, code)
        return json_response(answer)

    def _refresh_grant(self, request: Request, app: dict, form: dict[str, str]) -> Response:
        options = self.world.oauth_options
        if int(options["fail_refresh"] or 0) > 0:  # type: ignore[call-overload]
            options["fail_refresh"] = int(options["fail_refresh"]) - 1  # type: ignore[call-overload]
            raise _oauth_error(400, "invalid_grant", "The refresh token was revoked")
        grant = self.world.oauth_refresh.pop(form.get("refresh_token", ""), None)
        if grant is None or grant["client_id"] != app["client_id"]:
            raise _oauth_error(400, "invalid_grant", "Unknown or already used refresh token")
        return json_response(self._issue(request, app, grant["user"], grant["scopes"], grant["orgs"]))

    def _issue(self, request: Request, app: dict, user: str, scopes: list[str], orgs: list[str]) -> dict:
        expires_in = int(app.get("expires_in") or self.world.oauth_options["expires_in"])  # type: ignore[call-overload]
        value = "hf_oauth_" + secrets.token_urlsafe(30).replace("-", "x")
        writes = any(scope in scopes for scope in ("write-repos", "manage-repos"))
        self.world.tokens[value] = Token(
            value=value,
            user=user,
            role="write" if writes else "read",
            display_name=app["name"],
            scopes=list(scopes),
            granted_orgs=list(orgs),
            expires_at=time.time() + expires_in,
            client_id=app["client_id"],
        )
        refresh = "hf_oauth_refresh_" + secrets.token_urlsafe(30).replace("-", "x")
        self.world.oauth_refresh[refresh] = {
            "client_id": app["client_id"],
            "user": user,
            "scopes": scopes,
            "orgs": orgs,
        }
        return {
            "access_token": value,
            "token_type": "bearer",
            "expires_in": expires_in,
            "refresh_token": refresh,
            "scope": " ".join(scopes),
        }

    def _id_token(self, request: Request, app: dict, code: dict) -> str:
        user = self.world.accounts[code["user"]]
        now = int(time.time())
        claims = {
            "iss": request.base_url,
            "sub": user.id,
            "aud": app["client_id"],
            "iat": now,
            "exp": now + 3600,
            "auth_time": code["auth_time"],
            **self._profile(user, code["scopes"]),
        }
        if code["nonce"]:
            claims["nonce"] = code["nonce"]
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    # -- who -------------------------------------------------------------------------
    @staticmethod
    def _profile(user: Account, scopes: list[str]) -> dict:
        claims: dict = {
            "name": user.fullname,
            "preferred_username": user.name,
            "picture": user.avatar_url,
            "profile": f"/{user.name}",
            "website": None,
            "isPro": user.is_pro,
            "canPay": False,
        }
        if "email" in scopes:
            claims["email"] = user.email
            claims["email_verified"] = user.email is not None
        return claims

    def userinfo(self, request: Request) -> Response:
        token = request.token
        if token is None or not token.is_oauth:
            raise _oauth_error(401, "invalid_token", "An OAuth access token is required")
        with self.world.lock:
            user = self.world.accounts[token.user]
            orgs = []
            for name in token.granted_orgs:
                org = self.world.accounts.get(name)
                role = org.members.get(user.name) if org is not None else None
                if org is None or role is None:
                    continue
                orgs.append(
                    {
                        "sub": org.id,
                        "name": org.fullname,
                        "preferred_username": org.name,
                        "picture": org.avatar_url,
                        "isEnterprise": org.plan == "enterprise",
                        "canPay": False,
                        "roleInOrg": role,
                        "missingMFA": False,
                        "pendingSSO": False,
                        "resourceGroups": [],
                    }
                )
            return json_response({"sub": user.id, **self._profile(user, token.scopes or []), "orgs": orgs})

    # -- control ---------------------------------------------------------------------
    def control_apps(self, request: Request) -> Response:
        """Register an OAuth app: {redirect_uris, client_id?, client_secret?, scopes?, expires_in?, name?}."""
        if request.method == "GET":
            return json_response(
                [{k: v for k, v in app.items() if k != "client_secret"} for app in self.world.oauth_apps.values()]
            )
        body = request.json()
        uris = body.get("redirect_uris")
        if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
            raise bad_request('"redirect_uris" must be a non-empty list of URLs')
        scopes = body.get("scopes") or list(KNOWN_SCOPES)
        if any(scope not in KNOWN_SCOPES for scope in scopes):
            raise bad_request(f'"scopes" must be among {list(KNOWN_SCOPES)}')
        app = {
            "client_id": str(body.get("client_id") or secrets.token_hex(16)),
            "client_secret": str(body.get("client_secret") or secrets.token_urlsafe(24)),
            "name": str(body.get("name") or "hubdash"),
            "redirect_uris": uris,
            "scopes": scopes,
            "expires_in": body.get("expires_in"),
        }
        with self.world.lock:
            self.world.oauth_apps[app["client_id"]] = app
        return json_response(app)

    def control_browser(self, request: Request) -> Response:
        """Who is signed in at the emulated Hub: {user, orgs (to grant), approve}; {"user": null} signs out."""
        body = request.json()
        user = body.get("user")
        if user is not None and user not in self.world.accounts:
            raise bad_request(f"Unknown user {user!r}")
        orgs = body.get("orgs") or []
        if not isinstance(orgs, list):
            raise bad_request('"orgs" must be a list of organisation names')
        self.world.oauth_browser = {
            "user": user,
            "orgs": orgs,
            "approve": bool(body.get("approve", True)),
            "signed_in_at": float(body.get("signed_in_at") or time.time()),
        }
        return json_response(self.world.oauth_browser)

    def control_options(self, request: Request) -> Response:
        """{expires_in (s, new tokens), code_ttl (s), fail_refresh (how many refreshes to refuse)}."""
        body = request.json()
        for key in ("expires_in", "code_ttl", "fail_refresh"):
            if key in body:
                self.world.oauth_options[key] = int(body[key])
        return json_response(self.world.oauth_options)

    def control_rename(self, request: Request) -> Response:
        body = request.json()
        old, new = str(body.get("from", "")), str(body.get("to", ""))
        try:
            user = self.world.rename_user(old, new)
        except KeyError:
            raise HubError(404, f"Unknown user {old!r}") from None
        except ValueError:
            raise HubError(409, f"{new!r} is taken") from None
        return json_response({"name": user.name, "id": user.id})
