"""Who the caller is (`whoami-v2`, legacy `whoami`) and their webhooks (`/api/settings/webhooks`)."""

from __future__ import annotations

import secrets

from .api_repos import paginate
from .errors import INVALID_CREDENTIALS, HubError, bad_request
from .server import Request, Response, Router, json_response
from .state import Repo, Token, Webhook, World, iso

WATCH_TYPES = ("dataset", "model", "space", "user", "org")
DOMAINS = ("repo", "discussion")


class AccountApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def register(self, router: Router) -> None:
        router.add("GET", r"/api/whoami-v2", self.whoami_v2)
        router.add("GET", r"/api/whoami", self.whoami_legacy)
        router.add("GET POST", r"/api/settings/webhooks", self.webhooks)
        router.add("GET POST DELETE", r"/api/settings/webhooks/(?P<id>[0-9a-f]+)", self.webhook)
        router.add("POST", r"/api/settings/webhooks/(?P<id>[0-9a-f]+)/(?P<switch>enable|disable)", self.switch)
        router.add("GET", r"/api/organizations/(?P<org>[^/]+)/settings/repositories", self.org_repositories)
        router.add("GET", r"/api/settings/repositories", self.own_repositories)

    def _caller(self, request: Request) -> Token:
        if request.token is None:
            raise HubError(401, INVALID_CREDENTIALS)
        return request.token

    def _webhook_caller(self, request: Request) -> Token:
        token = self._caller(request)
        if token.lacks("webhooks"):
            raise HubError(403, "This OAuth token was not granted the webhooks scope, needed to manage webhooks")
        return token

    def whoami_v2(self, request: Request) -> Response:
        token = self._caller(request)
        with self.world.lock:
            user = self.world.accounts[token.user]
            orgs = []
            for account in self.world.accounts.values():
                role = account.members.get(user.name) if account.is_org else None
                if role is None or not token.reaches(account.name):
                    continue
                org = {
                    "type": "org",
                    "id": account.id,
                    "name": account.name,
                    "fullname": account.fullname,
                    "email": None,
                    "canPay": False,
                    "avatarUrl": account.avatar_url,
                    "roleInOrg": role,
                    "isEnterprise": account.plan == "enterprise",
                }
                if account.plan:
                    org["plan"] = account.plan
                orgs.append(org)
        auth: dict
        if token.is_oauth:
            # An OAuth access token: no display name nor role of its own; it expires.
            auth = {"type": "oauth", "expiresAt": iso(token.expires_at or 0)}
        else:
            auth = {"type": "access_token", "accessToken": self._access(token)}
        email = user.email if not token.is_oauth or "email" in (token.scopes or []) else None
        return json_response(
            {
                "type": "user",
                "id": user.id,
                "name": user.name,
                "fullname": user.fullname,
                "email": email,
                "emailVerified": email is not None,
                "canPay": False,
                "isPro": user.is_pro,
                "periodEnd": None,
                "avatarUrl": user.avatar_url,
                "billingMode": "postpaid",
                "orgs": orgs,
                "auth": auth,
            }
        )

    def _access(self, token: Token) -> dict:
        access: dict = {"displayName": token.display_name, "role": token.role, "createdAt": iso(token.created_at)}
        if token.role == "fineGrained":
            access["fineGrained"] = {
                "canReadGatedRepos": False,
                "global": token.global_permissions,
                "scoped": [
                    {
                        "entity": {"_id": self._entity_id(s["entity"]), **s["entity"]},
                        "permissions": s.get("permissions", []),
                    }
                    for s in token.scoped
                ],
            }
        return access

    def _entity_id(self, entity: dict) -> str:
        account = self.world.accounts.get(str(entity.get("name", "")).split("/")[0])
        return account.id if account else "0" * 24

    def whoami_legacy(self, request: Request) -> Response:
        """The seed's v1 endpoint. Today's Hub refuses modern (`hf_`) access tokens on it; it still
        describes the caller to an old-style `api_` token, in the old, smaller shape."""
        token = self._caller(request)
        if not token.value.startswith("api_"):
            raise HubError(401, INVALID_CREDENTIALS)
        with self.world.lock:
            user = self.world.accounts[token.user]
            orgs = [
                {"type": "org", "name": a.name, "fullname": a.fullname, "avatarUrl": a.avatar_url}
                for a in self.world.accounts.values()
                if a.is_org and user.name in a.members
            ]
        return json_response(
            {
                "type": "user",
                "name": user.name,
                "fullname": user.fullname,
                "email": user.email,
                "avatarUrl": user.avatar_url,
                "orgs": orgs,
            }
        )

    # -- webhooks ---------------------------------------------------------------------
    @staticmethod
    def _webhook_json(hook: Webhook) -> dict:
        data: dict = {
            "id": hook.id,
            "url": hook.url,
            "watched": hook.watched,
            "domains": hook.domains,
            "disabled": hook.disabled,
            "hasSecret": bool(hook.secret),
        }
        if hook.last_trigger_at:
            data["lastTriggerAt"] = iso(hook.last_trigger_at)
        return data

    def _parse(self, body: dict) -> tuple[str, list[dict], list[str], str | None]:
        url = body.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request('"url" must be an http(s) URL')
        watched = body.get("watched")
        if not isinstance(watched, list) or not watched:
            raise bad_request('"watched" must be a non-empty array')
        for item in watched:
            if (
                not isinstance(item, dict)
                or item.get("type") not in WATCH_TYPES
                or not isinstance(item.get("name"), str)
            ):
                raise bad_request(f'Each watched item needs a "type" in {list(WATCH_TYPES)} and a "name"')
        domains = body.get("domains") or list(DOMAINS)
        if not isinstance(domains, list) or any(d not in DOMAINS for d in domains):
            raise bad_request(f'"domains" must be a subset of {list(DOMAINS)}')
        secret = body.get("secret")
        if secret is not None and (not isinstance(secret, str) or not secret.isascii()):
            raise bad_request('"secret" must be an ASCII string')
        return url, [{"type": w["type"], "name": w["name"]} for w in watched], domains, secret

    def webhooks(self, request: Request) -> Response:
        token = self._webhook_caller(request)
        if request.method == "GET":
            with self.world.lock:
                hooks = [self._webhook_json(h) for h in self.world.webhooks.values() if h.owner == token.user]
            return json_response(hooks)
        if token.role == "read":
            raise HubError(403, "You need a token with write access to manage webhooks")
        url, watched, domains, secret = self._parse(request.json())
        hook = Webhook(
            id=secrets.token_hex(12), owner=token.user, url=url, watched=watched, domains=domains, secret=secret
        )
        with self.world.lock:
            self.world.webhooks[hook.id] = hook
        return json_response({"webhook": self._webhook_json(hook)})

    def _own(self, request: Request) -> Webhook:
        token = self._webhook_caller(request)
        hook = self.world.webhooks.get(request.params["id"])
        if hook is None or hook.owner != token.user:
            raise HubError(404, "Webhook not found")
        if request.method != "GET" and token.role == "read":
            raise HubError(403, "You need a token with write access to manage webhooks")
        return hook

    def webhook(self, request: Request) -> Response:
        with self.world.lock:
            hook = self._own(request)
            if request.method == "DELETE":
                del self.world.webhooks[hook.id]
                return json_response({})
            if request.method == "POST":
                body = request.json()
                hook.url, hook.watched, hook.domains, secret = self._parse(body)
                if "secret" in body:
                    hook.secret = secret
            return json_response({"webhook": self._webhook_json(hook)})

    def switch(self, request: Request) -> Response:
        with self.world.lock:
            hook = self._own(request)
            hook.disabled = request.params["switch"] == "disable"
            return json_response({"webhook": self._webhook_json(hook)})

    def org_repositories(self, request: Request) -> Response:
        """An organisation's repositories with their visibility (protected included) and storage, for its
        admins (the Hub's organisation settings page; the OAS's `List organization repositories`): 401 without
        a valid token, 404 for no such organisation, 403 for anyone but its admins."""
        token = self._caller(request)
        org = request.params["org"]
        with self.world.lock:
            account = self.world.accounts.get(org)
            if account is None or not account.is_org:
                raise HubError(404, "Organization not found")
            if self.world.role_in(token.user, org) != "admin" or not token.reaches(org):
                raise HubError(403, f"You must be an admin of {org} to see its repositories settings")
            return self._repositories(request, org)

    def own_repositories(self, request: Request) -> Response:
        """The caller's own repositories, as `org_repositories` lists an organisation's."""
        token = self._caller(request)
        with self.world.lock:
            return self._repositories(request, token.user)

    def _repositories(self, request: Request, namespace: str) -> Response:
        """Query (OAS): `search` (substring of the id, any case), `type`, `sort` (`storage`, the default, or
        `updatedAt`), `direction` (`desc`, the default, or `asc`), `limit` (page size, as the list endpoints:
        the switch `page_size` when absent); paged by an absolute `Link` with a `cursor`, as the client's
        `list_user_repos` follows it. `storage` is `usedStorage`; `storagePercent` its share of the namespace's."""
        kind, search = request.arg("type"), (request.arg("search") or "").lower()
        if kind and kind not in ("model", "dataset", "space", "bucket", "kernel"):
            raise bad_request('"type" must be one of [dataset, model, space, bucket, kernel]')
        sort, direction = request.arg("sort") or "storage", request.arg("direction") or "desc"
        if sort not in ("storage", "updatedAt") or direction not in ("asc", "desc"):
            raise bad_request('"sort" must be storage or updatedAt, "direction" asc or desc')
        today = self.world.today()
        every = [repo for repo in self.world.repos.values() if repo.namespace == namespace]
        storage = {repo.type + "/" + repo.id: repo.used_storage_on(today) for repo in every}
        total = sum(storage.values())
        repos = [r for r in every if (not kind or r.type == kind) and search in r.id.lower()]

        def key(repo: Repo) -> tuple:
            value = storage[repo.type + "/" + repo.id] if sort == "storage" else repo.last_modified
            return (value, repo.type, repo.id) if direction == "asc" else (-value, repo.type, repo.id)

        repos.sort(key=key)
        page_size = int(self.world.switches.get("page_size") or 1000)  # type: ignore[call-overload]
        page, headers = paginate(request, repos, page_size)
        items = [
            {
                "id": repo.id,
                "type": repo.type,
                "updatedAt": iso(repo.last_modified),
                "visibility": repo.visibility,
                "storage": storage[repo.type + "/" + repo.id],
                "storagePercent": round(100 * storage[repo.type + "/" + repo.id] / total, 2) if total else 0,
            }
            for repo in page
        ]
        return json_response(items, headers=headers)
