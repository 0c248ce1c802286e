"""File endpoints: YAML validation, preupload, LFS batch/transfer/verify, NDJSON commits, tree, resolve."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hashlib
import json
import mimetypes
import os
import re
import secrets
import threading
from dataclasses import dataclass, field

import yaml

from . import discussions as dz
from .api_discussions import is_writer, may_post
from .api_repos import REPO, TYPES, RepoApi, gated_error, paginate
from .blobs import CHUNK
from .errors import (
    HubError,
    bad_request,
    entry_not_found,
    forbidden,
    repo_not_found,
    revision_not_found,
    unauthenticated,
)
from .server import Request, Response, Router, json_response
from .state import SINGULAR, URL_PREFIX, Commit, FileEntry, Repo, World, iso, needs_lfs
from .webhooks import Deliverer

PREFIXED_REPO = r"(?:(?P<t>datasets|spaces)/)?(?P<repo>[^/]+/[^/]+?)"
LFS_CONTENT_TYPE = "application/vnd.git-lfs+json"
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class LfsTicket:
    """A pending LFS upload: the capability in the upload URL (no auth header is sent there)."""

    oid: str
    size: int
    chunk_size: int | None = None
    parts: dict[int, str] = field(default_factory=dict)


class FileApi:
    def __init__(self, world: World, deliverer: Deliverer, repos: RepoApi) -> None:
        self.world = world
        self.deliverer = deliverer
        self.repos = repos
        self.tickets: dict[str, LfsTicket] = {}
        self.tickets_lock = threading.Lock()
        # Files larger than this are offered the multipart transfer.
        self.multipart_threshold = 512 * 1024 * 1024
        self.chunk_size = 128 * 1024 * 1024

    def register(self, router: Router) -> None:
        router.add("POST", r"/api/validate-yaml", self.validate_yaml)
        router.add("POST", rf"/api/{TYPES}/{REPO}/preupload/(?P<rev>[^/]+)", self.preupload)
        router.add("POST", rf"/api/{TYPES}/{REPO}/commit/(?P<rev>[^/]+)", self.commit)
        router.add("GET", rf"/api/{TYPES}/{REPO}/tree/(?P<rev>[^/]+)(?:/(?P<path>.+))?", self.tree)
        router.add("POST", rf"/api/{TYPES}/{REPO}/paths-info/(?P<rev>[^/]+)", self.paths_info)
        router.add("POST", rf"/{PREFIXED_REPO}\.git/info/lfs/objects/batch", self.lfs_batch)
        router.add("POST", rf"/{PREFIXED_REPO}\.git/info/lfs/objects/verify", self.lfs_verify)
        router.add("PUT", r"/_lfs/(?P<ticket>[0-9a-f]+)", self.lfs_put)
        router.add("PUT", r"/_lfs/(?P<ticket>[0-9a-f]+)/(?P<part>[0-9]+)", self.lfs_put_part)
        router.add("POST", r"/_lfs/(?P<ticket>[0-9a-f]+)", self.lfs_complete)
        router.add(
            "POST",
            r"/api/(?P<t>models|datasets|spaces)/(?P<repo>[^/]+/[^/]+)/upload/(?P<rev>[^/]+)/(?P<path>.+)",
            self.legacy_upload,
        )
        router.add("POST", r"/api/(?P<repo>[^/]+/[^/]+)/upload/(?P<rev>[^/]+)/(?P<path>.+)", self.legacy_upload)
        router.add("GET", rf"/{PREFIXED_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)", self.resolve)

    # -- helpers ------------------------------------------------------------------
    def _repo_type(self, request: Request) -> str:
        plural = request.params.get("t")
        return SINGULAR[plural] if plural else "model"

    def _at(self, repo: Repo, revision: str) -> Commit:
        commit = self.world.resolve_revision(repo, revision)
        if commit is None:
            raise revision_not_found(revision)
        return commit

    # -- YAML and preupload ------------------------------------------------------
    def validate_yaml(self, request: Request) -> Response:
        body = request.json()
        content = body.get("content")
        if not isinstance(content, str):
            return json_response({"errors": [{"message": '"content" must be a string'}], "warnings": []}, 400)
        if content.startswith("---"):
            head = content.split("\n---", 1)[0][3:]
            try:
                data = yaml.safe_load(head)
            except yaml.YAMLError as err:
                return json_response({"errors": [{"message": f"Invalid YAML: {err}"}], "warnings": []}, 400)
            if data is not None and not isinstance(data, dict):
                return json_response({"errors": [{"message": "Metadata must be a YAML mapping"}], "warnings": []}, 400)
        return json_response({"errors": [], "warnings": []})

    def _writable_or_pr(self, request: Request, repo_type: str, repo_id: str, revision: str | None = None) -> Repo:
        """The repo, if the caller may commit there: write rights; or, to open a pull request (`create_pr`) or to
        push to one's own (`refs/pr/N`), a token that may post in discussions."""
        if request.flag("create_pr"):
            if request.token is None:
                raise unauthenticated()
            repo = self.repos.find(request, repo_type, repo_id)
            if repo.discussions_disabled:
                raise forbidden("Discussions are disabled for this repo")
            may_post(self.world, request.token, repo)
            return repo
        if revision is not None and revision.startswith("refs/pr/"):
            if request.token is None:
                raise repo_not_found(False)
            repo = self.repos.find(request, repo_type, repo_id)
            discussion = self._pull_request(repo, revision)
            author = may_post(self.world, request.token, repo)
            if author.id != discussion.author_id and not is_writer(self.world, request.token, repo):
                raise forbidden(f"Only the author of {revision} or someone with write access may push to it")
            return repo
        return self.repos.find_writable(request, repo_type, repo_id)

    @staticmethod
    def _pull_request(repo: Repo, revision: str) -> dz.Discussion:
        number = revision.removeprefix("refs/pr/")
        discussion = dz.repo_discussions(repo).get(int(number)) if number.isdigit() else None
        if discussion is None or not discussion.is_pull_request:
            raise revision_not_found(revision)
        return discussion

    def preupload(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        body = request.json()
        files = body.get("files")
        if not isinstance(files, list):
            raise HubError(422, '"files" must be an array')
        git_ignore = body.get("gitIgnore") or ""
        if not isinstance(git_ignore, str):
            raise HubError(422, '"gitIgnore" must be a string')
        ignore = [line.strip() for line in git_ignore.splitlines() if line.strip() and not line.startswith("#")]
        with self.world.lock:
            repo = self._writable_or_pr(request, repo_type, request.params["repo"], request.params["rev"])
            commit = self._at(repo, request.params["rev"])
            answer = []
            for item in files:
                if not isinstance(item, dict) or not isinstance(item.get("path"), str):
                    raise HubError(422, "Each file needs a path")
                path = item["path"]
                try:
                    sample = base64.b64decode(item.get("sample") or "")
                except (binascii.Error, ValueError):
                    raise HubError(422, f"Invalid sample for {path}") from None
                size = item.get("size") or 0
                if not isinstance(size, int) or size < 0:
                    raise HubError(422, f"Invalid size for {path}")
                entry: dict = {
                    "path": path,
                    "uploadMode": "lfs" if needs_lfs(path, size, sample) else "regular",
                    "shouldIgnore": any(
                        fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(os.path.basename(path), pattern)
                        for pattern in ignore
                    ),
                }
                if path in commit.files:
                    entry["oid"] = commit.files[path].oid
                answer.append(entry)
        return json_response({"files": answer, "commitOid": commit.id})

    # -- LFS ----------------------------------------------------------------------
    def lfs_batch(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        body = request.json()
        if body.get("operation") != "upload":
            raise bad_request("Only the upload operation is supported here")
        objects = body.get("objects")
        if not isinstance(objects, list):
            raise HubError(422, '"objects" must be an array')
        with self.world.lock:
            ref = body.get("ref")
            if ref:
                name = ref.get("name") if isinstance(ref, dict) else None
                self._writable_or_pr(
                    request, repo_type, request.params["repo"], name if isinstance(name, str) else None
                )
            else:
                if request.token is None:
                    raise unauthenticated()
                self.repos.find(request, repo_type, request.params["repo"])
        base = request.base_url
        repo_path = URL_PREFIX[repo_type] + request.params["repo"]
        answer, multipart = [], False
        for obj in objects:
            if not isinstance(obj, dict):
                raise HubError(422, 'Each of "objects" must be {oid, size}')
            oid, size = obj.get("oid"), obj.get("size")
            if not isinstance(oid, str) or not SHA256_RE.match(oid) or not isinstance(size, int) or size < 0:
                answer.append({"oid": oid, "size": size, "error": {"code": 422, "message": "Invalid oid or size"}})
                continue
            item: dict = {"oid": oid, "size": size, "authenticated": True}
            if not self.world.blobs.has(oid, size):
                ticket_id = secrets.token_hex(16)
                ticket = LfsTicket(oid=oid, size=size)
                upload: dict = {"href": f"{base}/_lfs/{ticket_id}", "expires_in": 86400}
                if size > self.multipart_threshold:
                    multipart = True
                    ticket.chunk_size = self.chunk_size
                    parts = -(-size // self.chunk_size)
                    upload["header"] = {"chunk_size": str(self.chunk_size)}
                    for number in range(1, parts + 1):
                        upload["header"][str(number)] = f"{base}/_lfs/{ticket_id}/{number}"
                with self.tickets_lock:
                    self.tickets[ticket_id] = ticket
                item["actions"] = {
                    "upload": upload,
                    "verify": {"href": f"{base}/{repo_path}.git/info/lfs/objects/verify", "expires_in": 86400},
                }
            answer.append(item)
        data = {"transfer": "multipart" if multipart else "basic", "objects": answer}
        return Response(200, json.dumps(data).encode(), {}, LFS_CONTENT_TYPE)

    def _ticket(self, request: Request) -> tuple[str, LfsTicket]:
        ticket_id = request.params["ticket"]
        with self.tickets_lock:
            ticket = self.tickets.get(ticket_id)
        if ticket is None:
            raise HubError(403, "Request has expired or is not valid")
        return ticket_id, ticket

    def _stream_to_temp(self, request: Request) -> tuple[str, int, str]:
        out, name = self.world.blobs.temp_file()
        size, digest = 0, hashlib.md5(usedforsecurity=False)
        try:
            with out:
                for chunk in request.iter_body():
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except Exception:
            os.unlink(name)
            raise
        return name, size, digest.hexdigest()

    def lfs_put(self, request: Request) -> Response:
        ticket_id, ticket = self._ticket(request)
        name, _, md5 = self._stream_to_temp(request)
        problem = self.world.blobs.commit_temp(name, ticket.oid, ticket.size)
        if problem:
            raise bad_request(problem)
        with self.tickets_lock:
            self.tickets.pop(ticket_id, None)
        return Response(200, b"", {"ETag": f'"{md5}"'}, None)

    def lfs_put_part(self, request: Request) -> Response:
        _, ticket = self._ticket(request)
        number = int(request.params["part"])
        name, size, md5 = self._stream_to_temp(request)
        assert ticket.chunk_size is not None
        parts = -(-ticket.size // ticket.chunk_size)
        expected = ticket.chunk_size if number < parts else ticket.size - ticket.chunk_size * (parts - 1)
        if number < 1 or number > parts or size != expected:
            os.unlink(name)
            raise bad_request(f"Part {number} has the wrong size")
        with self.tickets_lock:
            old = ticket.parts.pop(number, None)
            ticket.parts[number] = name
        if old:
            os.unlink(old)
        return Response(200, b"", {"ETag": f'"{md5}-{number}"'}, None)

    def lfs_complete(self, request: Request) -> Response:
        ticket_id, ticket = self._ticket(request)
        body = request.json()
        parts = body.get("parts") or []
        numbers = [p.get("partNumber") for p in parts if isinstance(p, dict)]
        if body.get("oid") != ticket.oid or sorted(numbers) != sorted(ticket.parts) or not numbers:
            raise bad_request("Completion does not match the uploaded parts")
        out, name = self.world.blobs.temp_file()
        with out:
            for number in sorted(ticket.parts):
                with open(ticket.parts[number], "rb") as part:
                    while chunk := part.read(CHUNK):
                        out.write(chunk)
        for part_name in ticket.parts.values():
            os.unlink(part_name)
        with self.tickets_lock:
            self.tickets.pop(ticket_id, None)
        problem = self.world.blobs.commit_temp(name, ticket.oid, ticket.size)
        if problem:
            raise bad_request(problem)
        return json_response({})

    def lfs_verify(self, request: Request) -> Response:
        body = request.json()
        if request.token is None:
            raise unauthenticated()
        if not self.world.blobs.has(str(body.get("oid")), body.get("size")):
            raise HubError(404, "Object not found")
        return Response(200, b"{}", {}, LFS_CONTENT_TYPE)

    # -- commits --------------------------------------------------------------------
    def commit(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        operations, header = self._parse_commit_body(request)
        revision = request.params["rev"]
        create_pr = request.flag("create_pr")
        with self.world.lock:
            repo = self._writable_or_pr(request, repo_type, request.params["repo"], revision)
            base = self._at(repo, revision)
            branch = revision[len("refs/heads/") :] if revision.startswith("refs/heads/") else revision
            if not create_pr and branch not in repo.branches:
                raise bad_request(f"Invalid rev id: {revision} is not a branch")
            parent = header.get("parentCommit")
            if parent and parent != base.id:
                raise HubError(412, "A commit has happened since. Please refresh and try again.")
            files = dict(base.files)
            for key, value in operations:
                self._apply(files, key, value, revision, base.id)
            summary = str(header.get("summary") or "Commit with hubsim")
            description = str(header.get("description") or "")
            pr_url, pull_request = None, None
            author = self.world.accounts[request.token.user]  # type: ignore[union-attr]
            if create_pr:
                # A real pull request: its author the uploader, its title the commit's, its opening post the
                # description; it opens at once, since it has the commit (a PR without commits is a draft).
                target = branch if branch in repo.branches and not branch.startswith("refs/pr/") else "main"
                pull_request = dz.open_discussion(
                    self.world, repo, author, summary, description, pull_request=True, target=target
                )
                pull_request.status = "open"
                branch = pull_request.ref
                repo.branches[branch] = base.id
                pr_url = f"{request.base_url}/{repo.url_path}/discussions/{pull_request.num}"
            elif branch.startswith("refs/pr/"):
                pull_request = self._pull_request(repo, branch)
            message = summary + ("\n\n" + description if description else "")
            old, commit = self.world.commit(repo, branch, files, summary, message, author.name)
            ref = branch if branch.startswith("refs/") else f"refs/heads/{branch}"
            if create_pr:
                old = None  # the ref is new
            reopened = None
            if pull_request is not None:
                reopened = dz.record_commit(pull_request, author, commit)
            self.deliverer.repo_event(
                repo, "update", "repo.content", updated_refs=[{"ref": ref, "oldSha": old, "newSha": commit.id}]
            )
            if pull_request is not None and create_pr:
                self.deliverer.discussion_event(repo, pull_request, "create", comment=pull_request.events[0])
            elif pull_request is not None and reopened is not None:
                self.deliverer.discussion_event(repo, pull_request, "update")
        data: dict = {
            "success": True,
            "commitOid": commit.id,
            "commitUrl": f"{request.base_url}/{repo.url_path}/commit/{commit.id}",
            "hookOutput": "",
        }
        if pr_url:
            data["pullRequestUrl"] = pr_url
        return json_response(data)

    def _parse_commit_body(self, request: Request) -> tuple[list[tuple[str, dict]], dict]:
        raw = request.body()
        content_type = request.headers.get("Content-Type", "")
        operations: list[tuple[str, dict]] = []
        header: dict = {}
        if "application/json" in content_type:
            # The older single-JSON form: summary, files[], lfsFiles[], deletedEntries[].
            try:
                data = json.loads(raw)
            except ValueError:
                raise bad_request("Invalid JSON body") from None
            if not isinstance(data, dict):
                raise bad_request("Expected a JSON object")
            header = {k: data.get(k) for k in ("summary", "description", "parentCommit")}
            operations += [("file", f) for f in data.get("files") or []]
            operations += [("lfsFile", f) for f in data.get("lfsFiles") or []]
            operations += [("deletedEntry", f) for f in data.get("deletedEntries") or []]
            return operations, header
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                raise bad_request(f"Invalid JSON on line {number}") from None
            if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
                raise bad_request(f"Line {number} must be {{key, value}}")
            if item.get("key") == "header":
                header = item["value"]
            elif item.get("key") in ("file", "lfsFile", "deletedFile", "deletedFolder", "deletedEntry"):
                operations.append((item["key"], item["value"]))
            else:
                raise bad_request(f"Unknown key on line {number}: {item.get('key')!r}")
        if not header:
            raise bad_request("The first line must be the commit header")
        return operations, header

    def _apply(self, files: dict[str, FileEntry], key: str, value: dict, revision: str, commit_id: str) -> None:
        path = value.get("path")
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
            raise bad_request(f"Invalid path: {path!r}")
        if key == "file":
            encoding = value.get("encoding", "utf-8")
            content = value.get("content", "")
            try:
                data = base64.b64decode(content, validate=True) if encoding == "base64" else str(content).encode()
            except (binascii.Error, ValueError):
                raise bad_request(f"Invalid base64 content for {path}") from None
            if value.get("oldPath") and not content:
                files[path] = self._existing(files, value["oldPath"], revision, commit_id)
            else:
                files[path] = FileEntry.regular(path, data)
        elif key == "lfsFile":
            oid = value.get("oid")
            if not isinstance(oid, str) or not SHA256_RE.match(oid):
                raise bad_request(f"Invalid LFS oid for {path}")
            size = value.get("size")
            if not self.world.blobs.has(oid, size):
                raise bad_request(f"LFS file {path} with oid {oid} has not been uploaded")
            files[path] = FileEntry.lfs(path, oid, size if isinstance(size, int) else self.world.blobs.size(oid))
        elif key == "deletedFile":
            if path not in files:
                raise entry_not_found(path, revision, commit_id)
            del files[path]
        else:  # deletedFolder, deletedEntry: a file or everything below a folder
            folder = path.rstrip("/") + "/"
            doomed = [p for p in files if p == path or p.startswith(folder)]
            if not doomed:
                raise entry_not_found(path, revision, commit_id)
            for p in doomed:
                del files[p]

    @staticmethod
    def _existing(files: dict[str, FileEntry], path: str, revision: str, commit_id: str) -> FileEntry:
        if path not in files:
            raise entry_not_found(path, revision, commit_id)
        return files[path]

    def legacy_upload(self, request: Request) -> Response:
        """The seed's `POST /api/{type}/{repo_id}/upload/{revision}/{path}`: raw body, one file, one commit."""
        repo_type = self._repo_type(request)
        path, revision = request.params["path"], request.params["rev"]
        with self.world.lock:
            repo = self.repos.find_writable(request, repo_type, request.params["repo"])
            base = self._at(repo, revision)
            if revision not in repo.branches:
                raise bad_request(f"Invalid rev id: {revision} is not a branch")
        name, size, _ = self._stream_to_temp(request)
        try:
            with open(name, "rb") as fh:
                sample = fh.read(512)
            if needs_lfs(path, size, sample):
                digest = hashlib.sha256()
                with open(name, "rb") as fh:
                    while chunk := fh.read(CHUNK):
                        digest.update(chunk)
                self.world.blobs.commit_temp(name, digest.hexdigest(), size)
                entry = FileEntry.lfs(path, digest.hexdigest(), size)
            else:
                with open(name, "rb") as fh:
                    entry = FileEntry.regular(path, fh.read())
        finally:
            if os.path.exists(name):
                os.unlink(name)
        with self.world.lock:
            files = dict(base.files)
            files[path] = entry
            old, commit = self.world.commit(
                repo, revision, files, f"Upload {path}", f"Upload {path}", request.token.user
            )  # type: ignore[union-attr]
            self.deliverer.repo_event(
                repo,
                "update",
                "repo.content",
                updated_refs=[{"ref": f"refs/heads/{revision}", "oldSha": old, "newSha": commit.id}],
            )
        return json_response({"url": f"{request.base_url}/{repo.url_path}/blob/{revision}/{path}"})

    # -- reading files ------------------------------------------------------------------
    @staticmethod
    def _entry_json(entry: FileEntry) -> dict:
        item: dict = {"type": "file", "oid": entry.oid, "size": entry.size, "path": entry.path}
        if entry.is_lfs:
            item["lfs"] = {"oid": entry.lfs_sha256, "size": entry.size, "pointerSize": entry.pointer_size}
        return item

    @staticmethod
    def _directories(files: dict[str, FileEntry]) -> dict[str, list[str]]:
        dirs: dict[str, list[str]] = {}
        for path, entry in files.items():
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.setdefault("/".join(parts[:i]), []).append(entry.oid)
        return dirs

    @staticmethod
    def _dir_json(path: str, oids: list[str]) -> dict:
        oid = hashlib.sha1("".join(sorted(oids)).encode(), usedforsecurity=False).hexdigest()
        return {"type": "directory", "oid": oid, "size": 0, "path": path}

    def _with_last_commit(self, item: dict, commit: Commit) -> dict:
        item["lastCommit"] = {"id": commit.id, "title": commit.title, "date": iso(commit.date)}
        if item["type"] == "file":
            item["securityFileStatus"] = {"status": "safe"}
        return item

    def tree(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        revision, folder = request.params["rev"], request.params.get("path", "").strip("/")
        recursive, expand = request.flag("recursive"), request.flag("expand")
        with self.world.lock:
            repo = self.repos.find(request, repo_type, request.params["repo"])
            commit = self._at(repo, revision)
            files = commit.files
            dirs = self._directories(files)
        if folder and folder not in dirs:
            raise entry_not_found(folder, revision, commit.id)
        prefix = folder + "/" if folder else ""

        def inside(path: str) -> bool:
            if not path.startswith(prefix) or path == folder:
                return False
            return recursive or "/" not in path[len(prefix) :]

        entries = [self._dir_json(p, oids) for p, oids in sorted(dirs.items()) if inside(p)]
        entries += [self._entry_json(files[p]) for p in sorted(files) if inside(p)]
        if not recursive:
            entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
        page, headers = paginate(request, entries, default_page=50 if expand else 1000)
        if expand:
            page = [self._with_last_commit(dict(item), commit) for item in page]
        headers["X-Repo-Commit"] = commit.id
        return json_response(page, headers=headers)

    def paths_info(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        body = request.json()
        paths = body.get("paths") or []
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise bad_request('"paths" must be a list of paths')
        expand = body.get("expand") in (True, "true", ["true"], ["True"], "True")
        with self.world.lock:
            repo = self.repos.find(request, repo_type, request.params["repo"])
            commit = self._at(repo, request.params["rev"])
            dirs = self._directories(commit.files)
        answer = []
        for path in paths:
            path = str(path).strip("/")
            if path in commit.files:
                item = self._entry_json(commit.files[path])
            elif path in dirs:
                item = self._dir_json(path, dirs[path])
            else:
                continue
            answer.append(self._with_last_commit(item, commit) if expand else item)
        return json_response(answer)

    def resolve(self, request: Request) -> Response:
        repo_type = self._repo_type(request)
        revision, path = request.params["rev"], request.params["path"]
        with self.world.lock:
            repo = self.repos.find(request, repo_type, request.params["repo"])
            commit = self._at(repo, revision)
            if not self.world.can_download(request.token, repo):
                raise gated_error(repo, request.token is not None)
            entry = commit.files.get(path)
        if entry is None:
            raise entry_not_found(path, revision, commit.id)
        etag = entry.lfs_sha256 if entry.is_lfs else entry.oid
        headers = {
            "X-Repo-Commit": commit.id,
            "ETag": f'"{etag}"',
            "Accept-Ranges": "bytes",
            "Content-Disposition": f'inline; filename="{os.path.basename(path)}"',
        }
        if entry.is_lfs:
            headers["X-Linked-Etag"] = f'"{etag}"'
            headers["X-Linked-Size"] = str(entry.size)
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        start, end = 0, entry.size
        status = 200
        range_header = request.headers.get("Range")
        if range_header:
            parsed = _parse_range(range_header, entry.size)
            if parsed is None:
                headers["Content-Range"] = f"bytes */{entry.size}"
                return Response(416, b"", headers, None)
            start, end = parsed
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{entry.size}"
        if request.method == "HEAD":
            return Response(status, iter(()), headers, content_type, length=end - start)
        if entry.content is not None:
            return Response(status, entry.content[start:end], headers, content_type)
        if entry.synthetic is not None:
            body = entry.synthetic.iter_range(start, end)
        else:
            assert entry.sha256 is not None
            body = self.world.blobs.iter_range(entry.sha256, start, end)
        return Response(status, body, headers, content_type, length=end - start)


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        return (max(0, size - length), size) if length else None
    start = int(first)
    end = min(int(last) + 1, size) if last else size
    if start >= size or start >= end:
        return None
    return start, end
