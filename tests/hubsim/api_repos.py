"""Repo endpoints: lists, info by revision, tag vocabularies, metrics, create/delete/settings/move, refs."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from . import serialize, vocab
from .errors import HubError, Redirect, bad_request, forbidden, repo_not_found, revision_not_found, unauthenticated
from .server import Request, Response, Router, json_response, text_response
from .state import REPO_TYPES, SINGULAR, SPACE_SDKS, URL_PREFIX, Repo, World, iso, valid_name
from .webhooks import Deliverer

TYPES = r"(?P<t>models|datasets|spaces)"
REPO = r"(?P<repo>[^/]+/[^/]+)"
DEFAULT_PAGE = 1000
MAX_PAGE = 1000

# The Hub's sort keys (always descending) and what each sorts by here.
SORT_KEYS = {
    "createdAt": lambda r, day: r.created_at,
    "created_at": lambda r, day: r.created_at,
    "downloads": lambda r, day: r.downloads_on(day),
    "lastModified": lambda r, day: r.last_modified,
    "last_modified": lambda r, day: r.last_modified,
    "likes": lambda r, day: r.likes_on(day),
    "likes30d": lambda r, day: r.likes_on(day),
    "trendingScore": lambda r, day: r.trending_score,
    "trending_score": lambda r, day: r.trending_score,
    "mainSize": lambda r, day: sum(f.size for f in r.head.files.values()),
    "id": lambda r, day: r.id.lower(),
}


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
    except (ValueError, KeyError, TypeError):
        raise bad_request("Invalid cursor") from None
    if not isinstance(offset, int) or offset < 0:
        raise bad_request("Invalid cursor")
    return offset


def paginate(request: Request, items: list, default_page: int | None = None) -> tuple[list, dict[str, str]]:
    """One page of `items` and, when more follow, an absolute `Link: <...>; rel="next"`."""
    limit_arg = request.arg("limit")
    try:
        limit = int(limit_arg) if limit_arg not in (None, "") else (default_page or DEFAULT_PAGE)
    except ValueError:
        raise bad_request('"limit" must be a number') from None
    if limit < 1:
        raise bad_request('"limit" must be greater than or equal to 1')
    limit = min(limit, MAX_PAGE)
    cursor = request.arg("cursor")
    offset = decode_cursor(cursor) if cursor else 0
    page = items[offset : offset + limit]
    headers: dict[str, str] = {}
    if offset + limit < len(items):
        query = [(k, v) for k, v in request.query if k != "cursor"] + [("cursor", encode_cursor(offset + limit))]
        headers["Link"] = f'<{request.base_url}{request.raw_path}?{urlencode(query)}>; rel="next"'
    return page, headers


class RepoApi:
    def __init__(self, world: World, deliverer: Deliverer) -> None:
        self.world = world
        self.deliverer = deliverer

    def register(self, router: Router) -> None:
        router.add("GET", rf"/api/{TYPES}", self.list_repos)
        router.add("GET", r"/api/(?P<kind>models|datasets)-tags-by-type", self.tags_by_type)
        router.add("GET", r"/api/metrics", self.metrics)
        router.add("GET", r"/api/agent-harnesses", self.not_found)
        router.add("POST", r"/api/repos/create", self.create)
        router.add("DELETE", r"/api/repos/delete", self.delete)
        router.add("POST", r"/api/repos/move", self.move)
        router.add("PUT", rf"/api/{TYPES}/{REPO}/settings", self.settings)
        router.add("PUT", rf"/api/repos/{TYPES}/{REPO}/settings", self.settings)  # the seed's older path
        router.add("GET", rf"/api/{TYPES}/{REPO}/refs", self.refs)
        router.add("GET", rf"/api/{TYPES}/{REPO}/commits/(?P<rev>[^/]+)", self.commits)
        router.add("POST DELETE", rf"/api/{TYPES}/{REPO}/branch/(?P<rev>[^/]+)", self.branch)
        router.add("POST", rf"/api/{TYPES}/{REPO}/tag/(?P<rev>[^/]+)", self.create_tag)
        router.add("DELETE", rf"/api/{TYPES}/{REPO}/tag/(?P<rev>[^/]+)", self.delete_tag)
        router.add("GET", rf"/api/{TYPES}/{REPO}/auth-check(?P<write>/write)?", self.auth_check)
        router.add("GET", rf"/api/spaces/{REPO}/runtime", self.space_runtime)
        router.add("GET", rf"/api/{TYPES}/{REPO}(?:/revision/(?P<rev>[^/]+))?", self.info)

    # -- helpers ------------------------------------------------------------------
    def find(self, request: Request, repo_type: str, repo_id: str) -> Repo:
        """The repo if the caller may see it; else the Hub's 401/404, or a 307 for a moved repo."""
        with self.world.lock:
            repo = self.world.get_repo(repo_type, repo_id)
            if repo is None and (repo_type, repo_id) in self.world.redirects:
                new_id = self.world.redirects[(repo_type, repo_id)]
                raise Redirect(
                    request.raw_path.replace(repo_id, new_id, 1)
                    + ("?" + request.query_string if request.query_string else "")
                )
        if repo is None or not self.world.can_read(request.token, repo):
            raise repo_not_found(request.token is not None)
        if repo.disabled:
            raise HubError(403, "Access to this resource is disabled.")
        return repo

    def find_writable(self, request: Request, repo_type: str, repo_id: str) -> Repo:
        if request.token is None:
            raise repo_not_found(False)
        repo = self.find(request, repo_type, repo_id)
        if not self.world.can_write(request.token, repo):
            raise forbidden(f"You don't have the rights to write to {URL_PREFIX[repo.type]}{repo.id}")
        return repo

    @staticmethod
    def not_found(request: Request) -> Response:
        raise HubError(404, "Not Found")

    # -- reading ------------------------------------------------------------------
    def list_repos(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        expand = serialize.parse_expand(repo_type, request.args("expand", "expand[]"))
        sort = request.arg("sort") or "trendingScore"
        if sort not in SORT_KEYS:
            raise bad_request(f'"sort" must be one of [{", ".join(sorted(SORT_KEYS))}]')
        repos = self.world.visible_repos(request.token, repo_type)
        searches = [s.lower() for s in request.args("search") if s]
        author = request.arg("author")
        filters = request.args("filter")
        pipeline_tag = request.arg("pipeline_tag")
        gated = request.arg("gated")
        with self.world.lock:
            selected = []
            for repo in repos:
                if author and repo.namespace.lower() != author.lower():
                    continue
                if any(term not in repo.id.lower() for term in searches):
                    continue
                if filters:
                    tags = set(repo.tags())
                    if not all(value in tags for value in filters):
                        continue
                if pipeline_tag and repo.pipeline_tag != pipeline_tag:
                    continue
                if gated is not None and bool(repo.gated) != (gated == "true"):
                    continue
                selected.append(repo)
            key, today = SORT_KEYS[sort], self.world.today()
            # `direction` is accepted and ignored: the Hub sorts descending only.
            selected.sort(key=lambda r: (key(r, today), r._id), reverse=True)
            page_size = int(self.world.switches.get("page_size") or DEFAULT_PAGE)  # type: ignore[call-overload]
            page, headers = paginate(request, selected, page_size)
            items = [
                serialize.list_item(
                    r, expand, request.flag("full"), request.flag("config"), request.flag("cardData"), today
                )
                for r in page
            ]
        return json_response(items, headers=headers)

    def info(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        repo = self.find(request, repo_type, request.params["repo"])
        revision = request.params.get("rev", "main")
        expand = serialize.parse_expand(repo_type, request.args("expand", "expand[]"))
        with self.world.lock:
            commit = self.world.resolve_revision(repo, revision)
            if commit is None:
                raise revision_not_found(revision)
            data = serialize.info(repo, commit, expand, request.flag("blobs"), self.world.today())
        if request.flag("securityStatus") and repo_type == "model":
            data["securityRepoStatus"] = {"scansDone": True, "filesWithIssues": []}
        return json_response(data)

    def tags_by_type(self, request: Request) -> Response:
        groups = vocab.MODEL_TAGS if request.params["kind"] == "models" else vocab.DATASET_TAGS
        wanted = request.arg("type")
        if wanted:
            if wanted not in groups:
                raise bad_request(f'"type" must be one of [{", ".join(groups)}]')
            groups = {wanted: groups[wanted]}
        return json_response(groups)

    def metrics(self, request: Request) -> Response:
        # Today's Hub no longer serves the metrics list; a switch brings back the seed's shape.
        if not self.world.switches.get("metrics"):
            raise HubError(404, "Sorry, we can't find the page you are looking for.")
        return json_response(vocab.METRICS)

    def refs(self, request: Request) -> Response:
        repo = self.find(request, SINGULAR[request.params["t"]], request.params["repo"])
        with self.world.lock:
            data: dict = {
                "branches": [
                    {"name": n, "ref": f"refs/heads/{n}", "targetCommit": c}
                    for n, c in repo.branches.items()
                    if not n.startswith("refs/pr/")
                ],
                "converts": [],
                "tags": [{"name": n, "ref": f"refs/tags/{n}", "targetCommit": c} for n, c in repo.tags_refs.items()],
            }
            if request.flag("include_prs"):
                data["pullRequests"] = [
                    {"name": n, "ref": n, "targetCommit": c}
                    for n, c in repo.branches.items()
                    if n.startswith("refs/pr/")
                ]
        return json_response(data)

    def commits(self, request: Request) -> Response:
        repo = self.find(request, SINGULAR[request.params["t"]], request.params["repo"])
        revision = request.params["rev"]
        with self.world.lock:
            commit = self.world.resolve_revision(repo, revision)
            if commit is None:
                raise revision_not_found(revision)
            history = []
            while commit is not None:
                history.append(commit)
                commit = repo.commits.get(commit.parents[0]) if commit.parents else None
        page, headers = paginate(request, history, default_page=50)
        items = [
            {
                "id": c.id,
                "title": c.title,
                "message": c.message,
                "authors": [{"user": c.author, "avatar": None}],
                "date": iso(c.date),
            }
            for c in page
        ]
        return json_response(items, headers=headers)

    def space_runtime(self, request: Request) -> Response:
        repo = self.find(request, "space", request.params["repo"])
        return json_response(serialize.runtime(repo))

    def auth_check(self, request: Request) -> Response:
        repo = self.find(request, SINGULAR[request.params["t"]], request.params["repo"])
        if request.params.get("write") and not self.world.can_write(request.token, repo):
            raise forbidden("You don't have write access to this repo")
        if not self.world.can_download(request.token, repo):
            raise gated_error(repo, request.token is not None)
        return json_response({})

    # -- changing -----------------------------------------------------------------
    def create(self, request: Request) -> Response:
        if request.token is None:
            raise unauthenticated("You must be authenticated to create a repo")
        body = request.json()
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise bad_request(f'"type" must be one of [{", ".join(REPO_TYPES)}]')
        name = body.get("name")
        if not isinstance(name, str) or not valid_name(name):
            raise bad_request(
                "Invalid repo name: use letters, digits, '-', '_' or '.', at most 96 characters; "
                "'--' and '..' are forbidden and '-' or '.' cannot start or end the name"
            )
        namespace = body.get("organization") or request.token.user
        if not isinstance(namespace, str):
            raise bad_request('"organization" must be a string')
        repo_id = f"{namespace}/{name}"
        visibility = self._visibility(body, repo_type)
        sdk = body.get("sdk")
        if repo_type == "space" and sdk not in SPACE_SDKS:
            raise bad_request(f'"sdk" must be one of [{", ".join(SPACE_SDKS)}]')
        if request.token.lacks("manage-repos", "contribute-repos"):
            raise oauth_scope_missing("manage-repos", "create repos")
        if not self.world.can_write_namespace(request.token, repo_type, repo_id):
            raise forbidden(f'You don\'t have the rights to create a {repo_type} under the namespace "{namespace}"')
        url = f"{request.base_url}/{URL_PREFIX[repo_type]}{repo_id}"
        files = self._initial_files(body.get("files"))
        with self.world.lock:
            existing = self.world.get_repo(repo_type, repo_id)
            if existing is not None:
                raise HubError(
                    409,
                    f"You already created this {repo_type} repo",
                    body={"error": f"You already created this {repo_type} repo", "url": url},
                )
            repo = self.world.create_repo(
                repo_type,
                repo_id,
                private=visibility == "private",
                protected=visibility == "protected",
                created_by=request.token.user,
                sdk=sdk if repo_type == "space" else None,
                files=files or None,
            )
            self.deliverer.repo_event(repo, "create")
        return json_response({"url": url, "name": repo_id, "id": repo._id})

    @staticmethod
    def _initial_files(items: object) -> dict[str, bytes]:
        """`files: [{path, content, encoding: utf-8|base64}]`, small files for the first commit."""
        if items is None:
            return {}
        if not isinstance(items, list):
            raise bad_request('"files" must be an array')
        files = {}
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
                raise bad_request('Each of "files" needs a "path"')
            content, encoding = item.get("content", ""), item.get("encoding", "utf-8")
            if not isinstance(content, str) or encoding not in ("utf-8", "base64"):
                raise bad_request(f'"content" of {item["path"]} must be a string, utf-8 or base64')
            try:
                files[item["path"]] = (
                    base64.b64decode(content, validate=True) if encoding == "base64" else content.encode()
                )
            except ValueError:
                raise bad_request(f'"content" of {item["path"]} is not valid base64') from None
        return files

    @staticmethod
    def _visibility(body: dict, repo_type: str) -> str:
        """`public`, `private` or `protected` (Spaces only), from `visibility` or the legacy `private`."""
        if "visibility" in body and body["visibility"] is not None:
            visibility = body["visibility"]
            if visibility not in ("public", "private", "protected"):
                raise bad_request('"visibility" must be one of [public, private, protected]')
            if visibility == "protected" and repo_type != "space":
                raise bad_request("Only Spaces can be protected")
            return visibility
        private = body.get("private", False)
        if private is None:
            return "public"
        if not isinstance(private, bool):
            raise bad_request('"private" must be a boolean')
        return "private" if private else "public"

    def delete(self, request: Request) -> Response:
        body = request.json()
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise bad_request(f'"type" must be one of [{", ".join(REPO_TYPES)}]')
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise bad_request('"name" is required')
        namespace = body.get("organization") or (request.token.user if request.token else None)
        if namespace is None:
            raise repo_not_found(False)
        repo_id = name if "/" in name else f"{namespace}/{name}"
        with self.world.lock:
            repo = self.find_writable(request, repo_type, repo_id)
            if request.token is not None and request.token.lacks("manage-repos"):
                raise oauth_scope_missing("manage-repos", "delete repos")
            self.deliverer.repo_event(repo, "delete")
            del self.world.repos[(repo_type, repo_id)]
            for key, target in list(self.world.redirects.items()):
                if key[0] == repo_type and target == repo_id:
                    del self.world.redirects[key]
        return text_response("OK")

    def settings(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        body = request.json()
        with self.world.lock:
            repo = self.find_writable(request, repo_type, request.params["repo"])
            was_private = repo.private
            visibility = self._visibility(body, repo_type) if "visibility" in body or "private" in body else None
            if "gated" in body and body["gated"] not in (False, "auto", "manual"):
                raise bad_request('"gated" must be one of [false, "auto", "manual"]')
            # Checked in full before anything changes: a refused body leaves the repo as it was.
            if visibility is not None:
                repo.private, repo.protected = visibility == "private", visibility == "protected"
            if "gated" in body:
                repo.gated = body["gated"]
            if "discussionsDisabled" in body:
                repo.discussions_disabled = bool(body["discussionsDisabled"])
            updated = {"private": repo.private} if repo.private != was_private else {}
            self.deliverer.repo_event(repo, "update", "repo.config", updated_config=updated)
            data = {
                "private": repo.private,
                "visibility": repo.visibility,
                "gated": repo.gated,
                "discussionsDisabled": repo.discussions_disabled,
            }
        return json_response(data)

    def move(self, request: Request) -> Response:
        body = request.json()
        source, target = body.get("fromRepo"), body.get("toRepo")
        repo_type = body.get("type") or "model"
        if repo_type not in REPO_TYPES:
            raise bad_request(f'"type" must be one of [{", ".join(REPO_TYPES)}]')
        for value in (source, target):
            if not isinstance(value, str) or value.count("/") != 1 or not valid_name(value.split("/")[1]):
                raise bad_request("Invalid repo id: expected namespace/name")
        with self.world.lock:
            repo = self.find_writable(request, repo_type, source)
            if request.token is not None and request.token.lacks("manage-repos"):
                raise oauth_scope_missing("manage-repos", "move repos")
            if not self.world.can_write_namespace(request.token, repo_type, target):
                raise forbidden(
                    f'You don\'t have the rights to create a {repo_type} under the namespace "{target.split("/")[0]}"'
                )
            if self.world.get_repo(repo_type, target) is not None:
                raise HubError(409, f"You already created this {repo_type} repo")
            del self.world.repos[(repo_type, source)]
            repo.id = target
            self.world.repos[(repo_type, target)] = repo
            self.world.redirects[(repo_type, source)] = target
            self.deliverer.repo_event(repo, "move", moved_to=target, old_id=source)
        return text_response("OK")

    def branch(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        name = request.params["rev"]
        body = request.json() if request.method == "POST" else {}
        with self.world.lock:
            repo = self.find_writable(request, repo_type, request.params["repo"])
            if request.method == "DELETE":
                if name == "main" or name not in repo.branches:
                    raise revision_not_found(name) if name != "main" else bad_request("Cannot delete the main branch")
                old = repo.branches.pop(name)
                refs = [{"ref": f"refs/heads/{name}", "oldSha": old, "newSha": None}]
            else:
                if name in repo.branches:
                    raise HubError(409, f"Reference refs/heads/{name} already exists")
                start = body.get("startingPoint") or "main"
                commit = self.world.resolve_revision(repo, start)
                if commit is None:
                    raise revision_not_found(start)
                repo.branches[name] = commit.id
                refs = [{"ref": f"refs/heads/{name}", "oldSha": None, "newSha": commit.id}]
            self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
        return json_response({})

    def create_tag(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        body = request.json()
        tag = body.get("tag")
        if not isinstance(tag, str) or not tag:
            raise bad_request('"tag" is required')
        with self.world.lock:
            repo = self.find_writable(request, repo_type, request.params["repo"])
            commit = self.world.resolve_revision(repo, request.params["rev"])
            if commit is None:
                raise revision_not_found(request.params["rev"])
            if tag in repo.tags_refs:
                raise HubError(409, f"Tag {tag} already exists")
            repo.tags_refs[tag] = commit.id
            refs = [{"ref": f"refs/tags/{tag}", "oldSha": None, "newSha": commit.id}]
            self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
        return json_response({})

    def delete_tag(self, request: Request) -> Response:
        repo_type = SINGULAR[request.params["t"]]
        tag = request.params["rev"]
        with self.world.lock:
            repo = self.find_writable(request, repo_type, request.params["repo"])
            if tag not in repo.tags_refs:
                raise revision_not_found(tag)
            old = repo.tags_refs.pop(tag)
            refs = [{"ref": f"refs/tags/{tag}", "oldSha": old, "newSha": None}]
            self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=refs)
        return json_response({})


def oauth_scope_missing(scope: str, what: str) -> HubError:
    return forbidden(f"This OAuth token was not granted the {scope} scope, needed to {what}")


def gated_error(repo: Repo, authenticated: bool) -> HubError:
    kind = repo.type
    if authenticated:
        return HubError(
            403,
            f"Access to {kind} {repo.id} is restricted and you are not in the authorized list. "
            f"Visit the repo page to ask for access.",
            "GatedRepo",
        )
    return HubError(
        401,
        f"Access to {kind} {repo.id} is restricted. You must have access to it and be authenticated to access it. "
        "Please log in.",
        "GatedRepo",
    )
