"""The control API under `/_hubsim/`: set up the world, inspect traffic, inject faults."""

from __future__ import annotations

from datetime import date, datetime

from . import discussions as dz
from . import seed as seeds
from .errors import HubError, bad_request
from .server import Fault, HubSimServer, RateLimiter, Request, Response, Router, json_response
from .state import REPO_TYPES, SPACE_SDKS, Account, FileEntry, Repo, UsageSeries, World, day_iso, day_of, valid_name
from .webhooks import Deliverer

# Control-API repo fields (the Hub's spelling) and the attribute each one sets.
REPO_FIELDS = {
    "downloads": "downloads",
    "downloadsAllTime": "downloads_all_time",
    "likes": "likes",
    "trendingScore": "trending_score",
    "pipeline_tag": "pipeline_tag",
    "library_name": "library_name",
    "gated": "gated",
    "disabled": "disabled",
    "config": "config",
    "tags": "extra_tags",
}
# Control-API repo fields read by `repos` itself, never stored as they are.
CONTROL_ONLY = {
    "id", "type", "private", "visibility", "files", "sdk", "createdAt", "createdBy", "gatedApproved", "usage"
}  # fmt: skip
# A usage series in the control API's spelling (state.UsageSeries) and the attribute each number sets.
USAGE_NUMBERS = {
    "downloadsAllTime": ("downloads0", int),
    "downloadsPerDay": ("rate", float),
    "wave": ("wave", float),
    "period": ("period", float),
    "phase": ("phase", float),
    "likes": ("likes0", int),
    "likesPerDay": ("likes_rate", float),
    "storageBase": ("storage_base", int),
    "storagePerDay": ("storage_rate", float),
}


def parse_day(value: object, name: str) -> int:
    try:
        return date.fromisoformat(str(value)[:10]).toordinal()
    except ValueError:
        raise bad_request(f'"{name}" must be a date (YYYY-MM-DD)') from None


def usage_series(spec: object, repo: Repo) -> UsageSeries:
    """`{"start": "YYYY-MM-DD", "downloadsAllTime": N, "downloadsPerDay": x, "wave": 0..0.9, "period": days,
    "phase": radians, "spikes": {"YYYY-MM-DD": N}, "likes": N, "likesPerDay": x, "storageBase": bytes,
    "storagePerDay": bytes}`, all optional: start defaults to the repo's creation day, the starting downloads
    and likes to the repo's own fields."""
    if not isinstance(spec, dict):
        raise bad_request('"usage" must be an object')
    unknown = set(spec) - set(USAGE_NUMBERS) - {"start", "spikes"}
    if unknown:
        raise bad_request(f'Unknown "usage" fields: {sorted(unknown)}')
    start = parse_day(spec["start"], "usage.start") if spec.get("start") else day_of(repo.created_at)
    series = UsageSeries(start=start, downloads0=repo.downloads_all_time, likes0=repo.likes)
    for key, (attr, kind) in USAGE_NUMBERS.items():
        if key in spec:
            try:
                value = kind(spec[key])
            except (TypeError, ValueError):
                raise bad_request(f'"usage.{key}" must be a number') from None
            if value < 0:
                raise bad_request(f'"usage.{key}" must not be negative')
            setattr(series, attr, value)
    if series.wave > 0.9:
        raise bad_request('"usage.wave" is at most 0.9 (downloads since creation never go down)')
    if series.period <= 0:
        raise bad_request('"usage.period" must be positive')
    spikes = spec.get("spikes") or {}
    if not isinstance(spikes, dict):
        raise bad_request('"usage.spikes" must map dates to downloads')
    for when, extra in spikes.items():
        if not isinstance(extra, int) or extra < 0:
            raise bad_request('"usage.spikes" values must be whole numbers of downloads')
        series.spikes[parse_day(when, "usage.spikes")] = extra
    return series


class ControlApi:
    def __init__(self, server: HubSimServer, world: World, deliverer: Deliverer, files_api) -> None:
        self.server = server
        self.world = world
        self.deliverer = deliverer
        self.files_api = files_api

    def register(self, router: Router) -> None:
        router.add("GET", r"/_hubsim/health", lambda r: json_response({"ok": True}))
        router.add("POST", r"/_hubsim/users", self.users)
        router.add("POST", r"/_hubsim/repos", self.repos)
        router.add("GET POST", r"/_hubsim/repos/(?P<t>model|dataset|space)/(?P<repo>[^/]+/[^/]+)", self.repo_state)
        router.add("GET", r"/_hubsim/usage/(?P<t>model|dataset|space)/(?P<repo>[^/]+/[^/]+)", self.usage)
        router.add("GET POST", r"/_hubsim/clock", self.clock)
        router.add("POST", r"/_hubsim/reset", self.reset)
        router.add("GET DELETE", r"/_hubsim/requests", self.requests)
        router.add("GET POST DELETE", r"/_hubsim/faults", self.faults)
        router.add("GET DELETE", r"/_hubsim/deliveries", self.deliveries)
        router.add("POST", r"/_hubsim/switches", self.switches)
        router.add("POST", r"/_hubsim/ratelimit", self.ratelimit)
        router.add("POST", r"/_hubsim/webhook-policy", self.webhook_policy)
        router.add("POST", r"/_hubsim/webhooks/(?P<id>[0-9a-f]+)", self.webhook_options)
        router.add("POST", r"/_hubsim/tokens/revoke", self.revoke)
        router.add("POST", r"/_hubsim/gated-access", self.gated_access)
        router.add("POST", r"/_hubsim/lfs", self.lfs_options)
        router.add("POST", r"/_hubsim/discussions", self.file_discussion)
        router.add(
            "POST", r"/_hubsim/discussions/(?P<t>model|dataset|space)/(?P<repo>[^/]+/[^/]+)/(?P<num>[0-9]+)", self.act
        )

    def users(self, request: Request) -> Response:
        body = request.json()
        name = body.get("name")
        if not isinstance(name, str) or not valid_name(name):
            raise bad_request('"name" must be a valid user name')
        orgs = body.get("orgs") or {}
        for org, role in orgs.items():
            if role not in ("admin", "write", "contributor", "read", "no_access"):
                raise bad_request(f"Unknown role for {org}: {role}")
        verified = body.get("verifiedOrgs")
        if verified is not None and (not isinstance(verified, list) or not all(isinstance(o, str) for o in verified)):
            raise bad_request('"verifiedOrgs" must be a list of organisation names')
        user = self.world.add_user(
            name,
            body.get("fullname"),
            orgs,
            body.get("tokens") or {},
            body.get("email"),
            bool(body.get("isPro")),
            verified,
        )
        return json_response({"name": user.name, "id": user.id})

    def repos(self, request: Request) -> Response:
        body = request.json()
        repo_id, repo_type = body.get("id"), body.get("type", "model")
        if repo_type not in REPO_TYPES:
            raise bad_request(f'"type" must be one of {list(REPO_TYPES)}')
        if not isinstance(repo_id, str) or repo_id.count("/") != 1 or not valid_name(repo_id.split("/")[1]):
            raise bad_request('"id" must be namespace/name')
        if repo_type == "space" and body.get("sdk", "gradio") not in SPACE_SDKS:
            raise bad_request(f'"sdk" must be one of {list(SPACE_SDKS)}')
        visibility = body.get("visibility") or ("private" if body.get("private") else "public")
        if visibility not in ("public", "private", "protected") or (visibility == "protected" and repo_type != "space"):
            raise bad_request('"visibility" must be public or private, or protected for a Space')
        fields = {}
        for key, value in body.items():
            if key in CONTROL_ONLY:
                continue
            fields[REPO_FIELDS.get(key, key)] = value
        created_at = None
        if body.get("createdAt"):
            try:
                created_at = datetime.fromisoformat(body["createdAt"].replace("Z", "+00:00")).timestamp()
            except (ValueError, AttributeError):
                raise bad_request('"createdAt" must be an ISO date') from None
        namespace = repo_id.split("/")[0]
        with self.world.lock:
            if namespace not in self.world.accounts:
                self.world.add_user(namespace)
            if self.world.get_repo(repo_type, repo_id) is not None:
                raise HubError(409, f"{repo_type} {repo_id} already exists")
            repo = self.world.create_repo(
                repo_type,
                repo_id,
                private=visibility == "private",
                protected=visibility == "protected",
                created_by=body.get("createdBy"),
                sdk=body.get("sdk", "gradio") if repo_type == "space" else None,
                files=body.get("files") or None,
                created_at=created_at,
                **fields,
            )
            self._approve(repo, [str(name) for name in body.get("gatedApproved") or []])
            if body.get("usage") is not None:
                repo.usage = usage_series(body["usage"], repo)
        return json_response({"id": repo.id, "_id": repo._id, "sha": repo.sha})

    def _repo(self, request: Request) -> Repo:
        repo = self.world.get_repo(request.params["t"], request.params["repo"])
        if repo is None:
            raise HubError(404, "Unknown repo")
        return repo

    def repo_state(self, request: Request) -> Response:
        """A repo's settings as the Hub holds them, whoever may see it: for tests that check what changed.
        POST changes them as the Hub's owner would, without a token or a webhook: `visibility` (`protected`
        for a Space), `usage` (a new series, see `usage_series`; null: back to fixed figures)."""
        with self.world.lock:
            repo = self._repo(request)
            if request.method == "POST":
                body = request.json()
                visibility = body.get("visibility")
                if visibility is not None:
                    if visibility not in ("public", "private", "protected") or (
                        visibility == "protected" and repo.type != "space"
                    ):
                        raise bad_request('"visibility" must be public or private, or protected for a Space')
                    repo.private, repo.protected = visibility == "private", visibility == "protected"
                if "usage" in body:
                    repo.usage = None if body["usage"] is None else usage_series(body["usage"], repo)
                self.world.save()
            return json_response(
                {
                    "id": repo.id,
                    "type": repo.type,
                    "private": repo.private,
                    "visibility": repo.visibility,
                    "gated": repo.gated,
                    "discussionsDisabled": repo.discussions_disabled,
                }
            )

    def usage(self, request: Request) -> Response:
        """The figures the Hub gives for a repo on each of the `days` (default 30, at most 3660) days up to the
        clock's today, oldest first: `[{date, downloads, downloadsAllTime, likes, usedStorage}]` (no downloads
        for a Space). What a test compares hubdash's snapshots with."""
        days_arg = request.arg("days") or "30"
        if not days_arg.isdigit() or not 1 <= int(days_arg) <= 3660:
            raise bad_request('"days" must be a whole number from 1 to 3660')
        with self.world.lock:
            repo = self._repo(request)
            today = self.world.today()
            out = []
            for day in range(today - int(days_arg) + 1, today + 1):
                item: dict = {
                    "date": day_iso(day),
                    "likes": repo.likes_on(day),
                    "usedStorage": repo.used_storage_on(day),
                }
                if repo.type != "space":
                    item["downloads"] = repo.downloads_on(day)
                    item["downloadsAllTime"] = repo.downloads_all_time_on(day)
                out.append(item)
        return json_response(out)

    def clock(self, request: Request) -> Response:
        """The simulated clock of usage figures: `{"today": "YYYY-MM-DD"}` fixes the day, `{"advance_days": N}`
        moves it (a fixed day, or the real date's offset), `{"real": true}` goes back to the real UTC date;
        GET or any POST answers `{"today", "fixed"}`."""
        if request.method == "POST":
            body = request.json()
            today = date.fromordinal(parse_day(body["today"], "today")) if body.get("today") else None
            advance = body.get("advance_days", 0)
            if not isinstance(advance, int):
                raise bad_request('"advance_days" must be a whole number')
            self.world.set_clock(today, advance, bool(body.get("real")))
            self.world.save()
        return json_response({"today": day_iso(self.world.today()), "fixed": self.world.clock["fixed"] is not None})

    def reset(self, request: Request) -> Response:
        body = request.json()
        self.server.release.set()  # let hung requests go
        self.server.release = type(self.server.release)()
        with self.server.faults_lock:
            self.server.faults.clear()
        self.server.rate_limiter = RateLimiter.default()
        self.server.log.clear()
        self.deliverer.clear()
        self.world.reset()
        if body.get("seed"):
            if body["seed"] != "demo":
                raise bad_request('Unknown seed; the only one is "demo"')
            seeds.demo(self.world)
        self.world.save()
        return json_response({"ok": True})

    def requests(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.server.log.clear()
            return json_response({"ok": True})
        return json_response(list(self.server.log))

    def faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            with self.server.faults_lock:
                self.server.faults.clear()
            return json_response({"ok": True})
        if request.method == "POST":
            body = request.json()
            if not isinstance(body.get("path"), str):
                raise bad_request('"path" (a pattern such as /api/models*) is required')
            try:
                fault = Fault(
                    method=str(body.get("method", "*")).upper(),
                    path=body["path"],
                    status=body.get("status"),
                    delay_s=float(body.get("delay_s", 0)),
                    times=body.get("times"),
                    hang=bool(body.get("hang")),
                    reset=bool(body.get("reset")),
                    truncate=bool(body.get("truncate")),
                    body=body.get("body"),
                    headers=body.get("headers") or {},
                    retry_after=body.get("retry_after"),
                    trickle_s=float(body.get("trickle_s", 0)),
                    redirect=None if body.get("redirect") is None else str(body["redirect"]),
                )
            except (TypeError, ValueError) as err:
                raise bad_request(f"Invalid fault: {err}") from None
            with self.server.faults_lock:
                self.server.faults.append(fault)
        with self.server.faults_lock:
            return json_response([vars(f) for f in self.server.faults])

    def deliveries(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.deliverer.clear()
            return json_response({"ok": True})
        if request.flag("wait"):
            self.deliverer.wait_idle(float(request.arg("timeout") or 10))
        return json_response(self.deliverer.snapshot())

    def switches(self, request: Request) -> Response:
        self.world.switches.update(request.json())
        return json_response(self.world.switches)

    def ratelimit(self, request: Request) -> Response:
        body = request.json()
        quotas = body.get("quotas") or {}
        if body.get("default"):
            self.server.rate_limiter = RateLimiter.default()
            quotas = dict(self.server.rate_limiter.quotas)
        else:
            window = int(body.get("window_s", RateLimiter.DEFAULT_WINDOW_S))
            self.server.rate_limiter = RateLimiter(quotas, window) if quotas else None
        return json_response({"quotas": quotas})

    def webhook_policy(self, request: Request) -> Response:
        body = request.json()
        for key in ("attempts", "backoff_s", "timeout_s"):
            if key in body:
                setattr(self.deliverer.policy, key, type(getattr(self.deliverer.policy, key))(body[key]))
        return json_response(vars(self.deliverer.policy))

    def webhook_options(self, request: Request) -> Response:
        hook = self.world.webhooks.get(request.params["id"])
        if hook is None:
            raise HubError(404, "Webhook not found")
        body = request.json()
        if "legacy" in body:
            hook.legacy = bool(body["legacy"])
        if body.get("suspend"):
            hook.disabled = "suspended-after-failure"  # as the Hub marks a webhook it stopped after failures
        return json_response({"id": hook.id, "legacy": hook.legacy, "disabled": hook.disabled})

    def revoke(self, request: Request) -> Response:
        token = self.world.tokens.get(str(request.json().get("token")))
        if token is None:
            raise HubError(404, "Unknown token")
        token.revoked = True
        return json_response({"ok": True})

    def gated_access(self, request: Request) -> Response:
        body = request.json()
        repo = self.world.get_repo(body.get("type", "model"), str(body.get("id")))
        if repo is None:
            raise HubError(404, "Unknown repo")
        self._approve(repo, [str(body.get("user"))])
        return json_response({"ok": True})

    def _approve(self, repo: Repo, names: list[str]) -> None:
        """Access granted by hand: the files open, and a known user is listed among the accepted requests."""
        with self.world.lock:
            for name in names:
                user = self.world.accounts.get(name)
                if user is not None and not user.is_org and repo.gated:
                    self.world.grant_access(repo, user, None)
                repo.gated_approved.add(name)

    def lfs_options(self, request: Request) -> Response:
        body = request.json()
        for key in ("multipart_threshold", "chunk_size"):
            if key in body:
                setattr(self.files_api, key, int(body[key]))
        return json_response(
            {"multipart_threshold": self.files_api.multipart_threshold, "chunk_size": self.files_api.chunk_size}
        )

    # -- discussions, filed as a given person on a given date --------------------------------------------
    def _when(self, body: dict) -> float | None:
        if not body.get("date"):
            return None
        try:
            return datetime.fromisoformat(str(body["date"]).replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise bad_request('"date" must be an ISO date-time') from None

    def _person(self, body: dict) -> Account:
        name = body.get("user")
        if not isinstance(name, str) or not valid_name(name):
            raise bad_request('"user" must be a user name')
        account = self.world.accounts.get(name)
        return account if account is not None and not account.is_org else self.world.add_user(name)

    def _pr_files(self, repo: Repo, discussion: dz.Discussion, files: object) -> dict[str, FileEntry]:
        """The PR's tree with `files` applied: {path: text | {"size": N} | null (deleted)}."""
        if not isinstance(files, dict) or not files:
            raise bad_request('"files" must map paths to contents (null deletes)')
        tree = dict(repo.commits[repo.branches[discussion.ref]].files)
        for path, data in files.items():
            if data is None:
                tree.pop(path, None)
            else:
                tree[path] = self.world.entry_for(path, data)
        return tree

    def file_discussion(self, request: Request) -> Response:
        """`{"id", "type", "user", "title", "description", "pullRequest": bool, "date": ISO, "files": {…},
        "message": "commit title"}`: open a discussion or pull request as `user` (created if unknown), at `date`;
        `files` (pull requests) commits them on `refs/pr/N` at the same date, which opens it. → `{num, status}`"""
        body = request.json()
        with self.world.lock:
            repo = self.world.get_repo(body.get("type", "model"), str(body.get("id")))
            if repo is None:
                raise HubError(404, "Unknown repo")
            author, when = self._person(body), self._when(body)
            try:
                title = dz.check_title(body.get("title"))
                description = dz.check_comment(body.get("description", ""), "description", minimum=0)
            except dz.Refusal as err:
                raise HubError(err.status, err.message) from None
            pull_request = bool(body.get("pullRequest") or body.get("files"))
            discussion = dz.open_discussion(
                self.world, repo, author, title, description, pull_request=pull_request, when=when
            )
            self.deliverer.discussion_event(repo, discussion, "create", comment=discussion.events[0])
            if body.get("files"):
                tree = self._pr_files(repo, discussion, body["files"])
                message = str(body.get("message") or title)
                discussion.status = "open"  # filed with its changes, as an upload "as a pull request" is
                _, commit = dz.commit_to_pr(self.world, repo, discussion, author, tree, message, when)
                refs = [{"ref": discussion.ref, "oldSha": None, "newSha": commit.id}]
                self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
            self.world.save()
            return json_response({"num": discussion.num, "status": discussion.status})

    def act(self, request: Request) -> Response:
        """`{"user", "date", and one of: "comment": text, "status": "open"|"closed", "title": text, "files": {…}
        (+ "message"), "merge": true, "hide": comment id, "pinned": bool}`: that person does it, without a rights
        check, with the webhooks the Hub sends. → `{num, status, event}` (the new event's id, if any)."""
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            discussion = dz.repo_discussions(repo).get(int(request.params["num"]))
            if discussion is None:
                raise HubError(404, "Discussion not found")
            person, when = self._person(body), self._when(body)
            event: dz.Event | None = None
            try:
                if "comment" in body:
                    event = dz.add_comment(discussion, person, dz.check_comment(body["comment"]), when)
                    self.deliverer.discussion_event(repo, discussion, "create", "discussion.comment", comment=event)
                elif "status" in body:
                    if body["status"] not in ("open", "closed", "draft"):
                        raise bad_request('"status" must be open, closed or draft')
                    event = dz.set_status(discussion, person, body["status"], when)
                    self.deliverer.discussion_event(repo, discussion, "update")
                elif "title" in body:
                    event = dz.set_title(discussion, person, dz.check_title(body["title"]), when)
                    self.deliverer.discussion_event(repo, discussion, "update")
                elif "files" in body:
                    if not discussion.is_pull_request:
                        raise bad_request("Not a pull request")
                    tree = self._pr_files(repo, discussion, body["files"])
                    was = discussion.status
                    old, commit = dz.commit_to_pr(
                        self.world, repo, discussion, person, tree, str(body.get("message") or "Update"), when
                    )
                    refs = [{"ref": discussion.ref, "oldSha": old, "newSha": commit.id}]
                    self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
                    if discussion.status != was:
                        self.deliverer.discussion_event(repo, discussion, "update")
                    event = discussion.events[-1]
                elif body.get("merge"):
                    if not discussion.is_pull_request or discussion.status == "merged":
                        raise bad_request("Not an unmerged pull request")
                    if dz.conflicts(repo, discussion):
                        raise HubError(409, "This pull request has conflicts")
                    old = dz.target_sha(repo, discussion)
                    commit = dz.merge(self.world, repo, discussion, person, when)
                    self.deliverer.discussion_event(repo, discussion, "update")
                    refs = [{"ref": discussion.target, "oldSha": old, "newSha": commit.id}]
                    self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
                    event = discussion.events[-1]
                elif "hide" in body:
                    event = discussion.comment(str(body["hide"]))
                    if event is None:
                        raise HubError(404, "Comment not found")
                    dz.hide_comment(event, person)
                    self.deliverer.discussion_event(repo, discussion, "update", "discussion.comment", comment=event)
                elif "pinned" in body:
                    discussion.pinned = bool(body["pinned"])
                    self.deliverer.discussion_event(repo, discussion, "update")
                else:
                    raise bad_request("Say what to do: comment, status, title, files, merge, hide or pinned")
            except dz.Refusal as err:
                raise HubError(err.status, err.message) from None
            self.world.save()
            return json_response({"num": discussion.num, "status": discussion.status, "event": event and event.id})
