"""Gated repos' access requests (shared/hub-api.md §15.1): the lists, handle, batch, grant, the requester's
cancel; and the control calls that file, withdraw and refuse requests, and hide requesters.

Where the sources disagree (§15.9), the choices are recorded in README.md beside this file.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from .api_repos import REPO, TYPES, RepoApi
from .errors import HubError, bad_request, forbidden, repo_not_found, unauthenticated
from .server import Request, Response, Router, json_response
from .state import ACCESS_STATUSES, SINGULAR, AccessRecord, Account, Repo, World

ACCESS = rf"/api/{TYPES}/{REPO}/user-access-request"
LIMIT_MIN, LIMIT_MAX = 10, 1000
REASON_MAX = 200
BATCH_MAX = 100
BATCH_ERRORS = ("user_not_found", "request_not_found")
_USER_ID = re.compile(r"[0-9a-f]{24}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def iso_ms(ms: int) -> str:
    """A millisecond timestamp as the Hub writes it (exact: no float on the way)."""
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_ms(text: str, name: str) -> int:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f'"{name}" must be an ISO 8601 date-time') from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - _EPOCH) // timedelta(milliseconds=1)


class NotFoundHere(HubError):
    """A 404 of the access-request calls, with the batch endpoint's code for the same refusal."""

    def __init__(self, message: str, error: str) -> None:
        super().__init__(404, message)
        self.error = error


class AccessApi:
    def __init__(self, world: World, repos: RepoApi) -> None:
        self.world = world
        self.repos = repos

    def register(self, router: Router) -> None:
        router.add("GET", ACCESS + r"/(?P<status>pending|accepted|rejected)", self.list_requests)
        router.add("POST", ACCESS + r"/handle", self.handle)
        router.add("POST", ACCESS + r"/batch", self.batch)
        router.add("POST", ACCESS + r"/grant", self.grant)
        router.add("POST", ACCESS + r"/cancel", self.cancel)
        router.add("POST", r"/_hubsim/access/requests", self.control_file)
        router.add("POST", r"/_hubsim/access/cancel", self.control_cancel)
        router.add("POST", r"/_hubsim/access/options", self.control_options)
        router.add("POST", r"/_hubsim/access/refusals", self.control_refusal)
        router.add("GET", r"/_hubsim/access/(?P<t>model|dataset|space)/(?P<repo>[^/]+/[^/]+)", self.control_state)

    # -- who may do what --------------------------------------------------------------------
    def managed(self, request: Request) -> tuple[Repo, Account]:
        """The gated repo whose requests the caller may handle (write or admin on it, with a write token)."""
        if request.token is None:
            raise repo_not_found(False)
        repo = self.repos.find(request, SINGULAR[request.params["t"]], request.params["repo"])
        world = self.world
        role = world.role_in(request.token.user, repo.namespace)
        if role not in ("owner", "admin", "write") or not world.can_write(request.token, repo):
            raise forbidden(f"You don't have the rights to manage access requests of {repo.id}")
        if not repo.gated:
            raise bad_request(f"{repo.id} is not gated: it has no access requests")
        return repo, world.accounts[request.token.user]

    def _user(self, name: object = None, user_id: object = None) -> Account:
        if user_id is not None:
            account = self.world.account_by_id(str(user_id))
        else:
            account = self.world.accounts.get(str(name))
        if account is None or account.is_org:
            raise NotFoundHere("User not found", "user_not_found")
        return account

    def _record(self, repo: Repo, body: dict) -> AccessRecord:
        """The request a call addresses: by `requestId`, `userId` or `user` (the first of these given)."""
        if body.get("requestId") is not None:
            for record in repo.access_requests.values():
                if record.id == str(body["requestId"]):
                    return record
            raise NotFoundHere("Access request not found", "request_not_found")
        user = self._user(body.get("user"), body.get("userId"))
        record = repo.access_requests.get(user.id)
        if record is None:
            raise NotFoundHere(f"No access request from {user.name} on {repo.id}", "request_not_found")
        return record

    @staticmethod
    def _check_target(item: object, where: str) -> dict:
        if not isinstance(item, dict):
            raise bad_request(f"{where} must be an object")
        if item.get("userId") is not None:
            if not isinstance(item["userId"], str) or not _USER_ID.fullmatch(item["userId"]):
                raise bad_request(f'{where}: "userId" must be 24 hexadecimal characters')
        elif not isinstance(item.get("user"), str) or not item["user"]:
            raise bad_request(f"{where}: either userId or user must be provided")
        return item

    @staticmethod
    def _status_and_reason(body: dict) -> tuple[str, str | None]:
        status = body.get("status")
        if status not in ACCESS_STATUSES:
            raise bad_request(f'"status" must be one of {list(ACCESS_STATUSES)}')
        reason = body.get("rejectionReason")
        if reason is not None:
            if not isinstance(reason, str):
                raise bad_request('"rejectionReason" must be a string')
            if len(reason) > REASON_MAX:
                raise bad_request(f'"rejectionReason" must be at most {REASON_MAX} characters')
            if status != "rejected":
                raise bad_request('"rejectionReason" is only for rejections')
        return status, reason

    def _refusal(self, repo: Repo, user_id: str) -> str | None:
        """An injected refusal for this requester on this repo, used up by this call."""
        account = self.world.account_by_id(user_id)
        for rule in list(self.world.access_refusals):
            if (
                (rule["type"], rule["id"]) == (repo.type, repo.id)
                and account is not None
                and rule["user"] == account.name
            ):
                rule["times"] -= 1
                if rule["times"] <= 0:
                    self.world.access_refusals.remove(rule)
                return str(rule["error"])
        return None

    # -- the Hub's API ----------------------------------------------------------------------
    def list_requests(self, request: Request) -> Response:
        status = request.params["status"]
        limit_arg = request.arg("limit")
        try:
            limit = int(limit_arg) if limit_arg not in (None, "") else LIMIT_MAX
        except ValueError:
            raise bad_request('"limit" must be a number') from None
        if not LIMIT_MIN <= limit <= LIMIT_MAX:
            raise bad_request(f'"limit" must be between {LIMIT_MIN} and {LIMIT_MAX}')
        after = request.arg("after")
        before = request.arg("before")
        after_ms = parse_ms(after, "after") if after else None
        before_ms = parse_ms(before, "before") if before else None
        with self.world.lock:
            repo, _ = self.managed(request)
            chosen = sorted(
                (
                    r
                    for r in repo.access_requests.values()
                    if r.status == status
                    and (after_ms is None or r.timestamp_ms > after_ms)
                    and (before_ms is None or r.timestamp_ms < before_ms)
                ),
                key=lambda r: (-r.timestamp_ms, r.id),
            )
            page = chosen[:limit]
            items = Serializer(self.world).items(repo, page)
        headers: dict[str, str] = {}
        if len(chosen) > limit:
            query = [("limit", str(limit))] + ([("after", after)] if after else [])
            query.append(("before", iso_ms(page[-1].timestamp_ms)))
            headers["Link"] = f'<{request.base_url}{request.raw_path}?{urlencode(query)}>; rel="next"'
        return json_response(items, headers=headers)

    def handle(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo, reviewer = self.managed(request)
            status, reason = self._status_and_reason(body)
            if body.get("requestId") is None:
                self._check_target(body, "The body")
            try:
                record = self._record(repo, body)
            except NotFoundHere as err:
                raise HubError(404, err.message) from None
            refused = self._refusal(repo, record.user_id)
            if refused is not None:
                raise HubError(404, "User not found" if refused == "user_not_found" else "Access request not found")
            if record.status == status:
                raise HubError(404, f"The access request is already {status}")
            self.world.set_access(repo, record, status, reviewer, reason)
            return json_response({"requestId": record.id, "status": record.status})

    def batch(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo, reviewer = self.managed(request)
            status, reason = self._status_and_reason(body)
            items = body.get("requests")
            if not isinstance(items, list) or not 1 <= len(items) <= BATCH_MAX:
                raise bad_request(f'"requests" must be a list of 1 to {BATCH_MAX} items')
            targets = [self._check_target(item, f"requests[{n}]") for n, item in enumerate(items)]
            outcomes = []
            for target in targets:
                outcome: dict[str, object] = (
                    {"userId": target["userId"]} if target.get("userId") is not None else {"user": target["user"]}
                )
                try:
                    record = self._record(repo, {k: target[k] for k in ("user", "userId") if k in target})
                    refused = self._refusal(repo, record.user_id)
                    if refused is not None:
                        raise NotFoundHere("refused", refused)
                    if record.status == status:
                        raise NotFoundHere(f"already {status}", "request_not_found")
                except NotFoundHere as err:
                    outcomes.append({**outcome, "ok": False, "error": err.error})
                    continue
                self.world.set_access(repo, record, status, reviewer, reason)
                outcomes.append({**outcome, "ok": True})
        return json_response(outcomes)

    def grant(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo, reviewer = self.managed(request)
            self._check_target(body, "The body")
            try:
                user = self._user(body.get("user"), body.get("userId"))
            except NotFoundHere as err:
                raise HubError(404, err.message) from None
            record = repo.access_requests.get(user.id)
            if record is not None and record.status == "accepted":
                raise bad_request(f"{user.name} already has access to {repo.id}")
            record = self.world.grant_access(repo, user, reviewer)
            return json_response({"user": user.name, "status": record.status, "requestId": record.id})

    def cancel(self, request: Request) -> Response:
        """The requester withdraws their own pending request (their token, not a manager's)."""
        if request.token is None:
            raise unauthenticated()
        with self.world.lock:
            repo = self.repos.find(request, SINGULAR[request.params["t"]], request.params["repo"])
            if not repo.gated:
                raise bad_request(f"{repo.id} is not gated: it has no access requests")
            if not self.world.withdraw_access_request(repo, self.world.accounts[request.token.user]):
                raise HubError(404, "You have no pending access request on this repo")
        return json_response({})

    # -- the control API --------------------------------------------------------------------
    def _control_repo(self, body: dict) -> Repo:
        repo = self.world.get_repo(str(body.get("type", "model")), str(body.get("id")))
        if repo is None:
            raise HubError(404, "Unknown repo")
        return repo

    def control_file(self, request: Request) -> Response:
        """File requests: `{"id", "type", "user", "fields"?, "timestamp"?, profile...}` or `{"id", "type",
        "requests": [{"user", ...}, ...]}`. A requester hubsim does not know yet is created with the profile given
        (`fullname`, `email`, `isPro`, `verifiedOrgs`, `orgs`)."""
        body = request.json()
        items = body.get("requests") if "requests" in body else [body]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise bad_request('"requests" must be a list of objects')
        filed = []
        with self.world.lock:
            repo = self._control_repo(body)
            if not repo.gated:
                raise bad_request(f"{repo.id} is not gated")
            for item in items:
                name = item.get("user")
                if not isinstance(name, str) or not name:
                    raise bad_request('Each request needs a "user"')
                fields = item.get("fields")
                if fields is not None and (
                    not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values())
                ):
                    raise bad_request('"fields" must map each form label to a string')
                user = self.world.accounts.get(name)
                if user is None:
                    user = self.world.add_user(
                        name,
                        item.get("fullname"),
                        item.get("orgs") or {},
                        item.get("tokens") or {},
                        item.get("email"),
                        bool(item.get("isPro")),
                        item.get("verifiedOrgs"),
                    )
                elif user.is_org:
                    raise bad_request(f"{name} is an organisation")
                if user.id in repo.access_requests:
                    raise HubError(409, f"{name} already asked for access to {repo.id}")
                stamp = parse_ms(item["timestamp"], "timestamp") if item.get("timestamp") else None
                record = self.world.file_access_request(repo, user, fields, stamp)
                filed.append({"user": name, "requestId": record.id, "status": record.status})
        return json_response(filed if "requests" in body else filed[0])

    def control_cancel(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._control_repo(body)
            user = self.world.accounts.get(str(body.get("user")))
            if user is None or not self.world.withdraw_access_request(repo, user):
                raise HubError(404, "No pending access request from that user")
        return json_response({"ok": True})

    def control_options(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._control_repo(body)
            if "hideRequesters" in body:
                repo.hide_requesters = bool(body["hideRequesters"])
            return json_response({"id": repo.id, "hideRequesters": repo.hide_requesters})

    def control_refusal(self, request: Request) -> Response:
        """The next `times` decisions about `user`'s request on a repo are refused with `error` (batch item or
        handle call), changing nothing."""
        body = request.json()
        error = body.get("error", "request_not_found")
        if error not in BATCH_ERRORS:
            raise bad_request(f'"error" must be one of {list(BATCH_ERRORS)}')
        with self.world.lock:
            repo = self._control_repo(body)
            rule = {"type": repo.type, "id": repo.id, "user": str(body.get("user")), "error": error}
            rule["times"] = int(body.get("times", 1))
            self.world.access_refusals.append(rule)
        return json_response(rule)

    def control_state(self, request: Request) -> Response:
        """Every request on a repo as hubsim holds it, whoever may see it, oldest first."""
        with self.world.lock:
            repo = self.world.get_repo(request.params["t"], request.params["repo"])
            if repo is None:
                raise HubError(404, "Unknown repo")
            accounts = {a.id: a for a in self.world.accounts.values()}
            rows = []
            for record in sorted(repo.access_requests.values(), key=lambda r: r.timestamp_ms):
                user, reviewer = accounts.get(record.user_id), accounts.get(record.granted_by or "")
                rows.append(
                    {
                        "requestId": record.id,
                        "user": user.name if user else None,
                        "status": record.status,
                        "timestamp": iso_ms(record.timestamp_ms),
                        "fields": record.fields,
                        "grantedBy": reviewer.name if reviewer else None,
                        "rejectionReason": record.rejection_reason,
                    }
                )
            return json_response(rows)


class Serializer:
    """List items as §15.1's table, with the accounts indexed once per call (lists run to 1,000 items)."""

    def __init__(self, world: World) -> None:
        self.accounts = {a.id: a for a in world.accounts.values()}
        self.orgs_of: dict[str, list[Account]] = {}
        for account in world.accounts.values():
            if account.is_org:
                for member in account.members:
                    self.orgs_of.setdefault(member, []).append(account)

    def person(self, account: Account) -> dict[str, object]:
        data: dict[str, object] = {
            "_id": account.id,
            "avatarUrl": account.avatar_url,
            "fullname": account.fullname,
            "isPro": account.is_pro,
            "user": account.name,
            "type": "user",
        }
        orgs = self.orgs_of.get(account.name)
        if orgs:
            data["orgs"] = [
                {"id": o.id, "name": o.name, "fullname": o.fullname, "avatarUrl": o.avatar_url} for o in orgs
            ]
        return data

    def items(self, repo: Repo, records: list[AccessRecord]) -> list[dict]:
        out = []
        for record in records:
            item: dict[str, object] = {}
            user = self.accounts.get(record.user_id)
            if user is not None and not repo.hide_requesters:
                person = self.person(user)
                person["verifiedOrgNames"] = list(user.verified_orgs)
                if user.email and not record.manual:
                    person["email"] = user.email
                item["user"] = person
            item["status"] = record.status
            item["timestamp"] = iso_ms(record.timestamp_ms)
            if record.fields is not None:
                item["fields"] = dict(record.fields)
            if record.reviewed_at is not None:
                item["reviewedAt"] = iso_ms(int(record.reviewed_at * 1000))
            if record.status != "pending":
                reviewer = self.accounts.get(record.granted_by or "")
                item["grantedBy"] = self.person(reviewer) if reviewer is not None else {}
            item["requestId"] = record.id
            out.append(item)
        return out
