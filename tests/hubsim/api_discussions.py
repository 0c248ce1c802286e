"""Discussion and pull-request endpoints (shared/hub-api.md §15.5), with their v3 webhook events (§15.6).

`GET|POST /api/{t}/{repo}/discussions`, `GET|DELETE …/discussions/{num}` (`?diff=1`), `POST …/{num}/comment`,
`…/status`, `…/title`, `…/merge`, `…/pin`, `…/comment/{id}/edit`, `…/comment/{id}/hide`. The state and what
changes it are in `discussions.py`.
"""

from __future__ import annotations

from . import discussions as dz
from .api_repos import REPO, TYPES, RepoApi
from .discussions import Discussion, Event, Refusal
from .errors import HubError, bad_request, forbidden, unauthenticated
from .server import Request, Response, Router, json_response
from .state import SINGULAR, URL_PREFIX, Account, Repo, Token, World, iso
from .webhooks import Deliverer

PAGE = 50  # the Hub's discussion pages
LIST_TYPES = ("all", "discussion", "pull_request")
LIST_STATUSES = ("all", "open", "closed")
SORTS = ("recently-created", "trending", "reactions")


def may_post(world: World, token: Token | None, repo: Repo) -> Account:
    """Who may open a discussion or comment: any account whose token may write discussions (a `write` access
    token, a fine-grained token with `discussion.write`, an OAuth token granted `write-discussions`), on any repo
    it may read. Read-only tokens are refused, as the Hub's docs say of them."""
    if token is None:
        raise unauthenticated("You must be authenticated to participate in discussions")
    if token.role == "read":
        raise forbidden("This token has read permissions only: a write token is needed to post in discussions")
    if token.role == "fineGrained" and not (
        "discussion.write" in token.global_permissions
        or World._fine_grained_allows(token, repo.type, repo.id, "discussion.write")
    ):
        raise forbidden("This fine-grained token lacks the discussion.write permission")
    if token.lacks("write-discussions"):
        raise forbidden("This OAuth token was not granted the write-discussions scope, needed to post in discussions")
    account = world.accounts.get(token.user)
    if account is None:
        raise unauthenticated()
    return account


def is_writer(world: World, token: Token | None, repo: Repo) -> bool:
    """Write rights on the repo (owner, org admin or write, a contributor's own repo) through a token that writes.
    An OAuth token needs `write-discussions` (checked by `may_post`), not a repo scope, to act on discussions."""
    if token is None or token.role == "read" or not token.reaches(repo.namespace):
        return False
    role = world.role_in(token.user, repo.namespace)
    if role not in ("owner", "admin", "write", "contributor"):
        return False
    if role == "contributor" and repo.created_by != token.user:
        return False
    if token.role == "fineGrained":
        return World._fine_grained_allows(token, repo.type, repo.id, "repo.write")
    return True


def account_json(account: Account) -> dict:
    """The Hub's author object (the OAS's user or org shape)."""
    data: dict = {
        "_id": account.id,
        "avatarUrl": account.avatar_url,
        "fullname": account.fullname,
        "name": account.name,
        "isHf": False,
        "isHfAdmin": False,
        "isMod": False,
        "type": "org" if account.is_org else "user",
    }
    if account.is_org:
        if account.plan:
            data["plan"] = account.plan
    else:
        data["isPro"] = account.is_pro
    return data


class DiscussionApi:
    def __init__(self, world: World, deliverer: Deliverer, repos: RepoApi) -> None:
        self.world = world
        self.deliverer = deliverer
        self.repos = repos

    def register(self, router: Router) -> None:
        base = rf"/api/{TYPES}/{REPO}/discussions"
        one = base + r"/(?P<num>[0-9]+)"
        router.add("GET POST", base, self.discussions)
        router.add("GET DELETE", one, self.details)
        router.add("POST", one + r"/comment", self.comment)
        router.add("POST", one + r"/status", self.status)
        router.add("POST", one + r"/title", self.title)
        router.add("POST", one + r"/merge", self.merge)
        router.add("POST", one + r"/pin", self.pin)
        router.add("POST", one + r"/comment/(?P<cid>[0-9A-Za-z]+)/(?P<what>edit|hide)", self.change_comment)

    # -- helpers ----------------------------------------------------------------------------------
    def _repo(self, request: Request) -> Repo:
        repo = self.repos.find(request, SINGULAR[request.params["t"]], request.params["repo"])
        if repo.discussions_disabled:
            raise forbidden("Discussions are disabled for this repo")
        return repo

    def _discussion(self, repo: Repo, request: Request) -> Discussion:
        discussion = dz.repo_discussions(repo).get(int(request.params["num"]))
        if discussion is None:
            raise HubError(404, "Discussion not found")
        return discussion

    def _author(self, account_id: str | None) -> Account | None:
        """The account with this id, through an index rebuilt when it misses or is stale (a reset, a rename)."""
        if not account_id:
            return None
        index: dict[str, Account] = self.world.__dict__.setdefault("_accounts_by_id", {})
        account = index.get(account_id)
        if account is None or self.world.accounts.get(account.name) is not account:
            index.clear()
            index.update({a.id: a for a in self.world.accounts.values()})
            account = index.get(account_id)
        return account

    def _event_json(self, repo: Repo, event: Event) -> dict:
        data: dict = {"id": event.id, "createdAt": iso(event.created_at), "type": event.type}
        author = self._author(event.author_id)
        if author is not None:
            owner, member = dz.author_roles(self.world, author, repo)
            data["author"] = {**account_json(author), "isOwner": owner, "isOrgMember": member}
        if event.type == "comment":
            raw = event.data
            hidden = bool(raw.get("hidden"))
            editor = self._author(raw.get("editor", event.author_id))
            latest: dict = {
                "raw": "" if hidden else raw["raw"],
                "html": "" if hidden else dz.render(raw["raw"]),
                "updatedAt": iso(raw.get("updated_at", event.created_at)),
            }
            if editor is not None:
                latest["author"] = account_json(editor)
            history = [] if hidden else raw.get("history", [])
            editors = []
            for _, _, editor_id in history:
                who = self._author(editor_id)
                if who is not None and who.name not in editors:
                    editors.append(who.name)
            comment: dict = {
                "edited": bool(history),
                "hidden": hidden,
                "latest": latest,
                "numEdits": len(history),
                "editors": editors,
                "editorAvatarUrls": [],
                "reactions": [],
                # Read by huggingface_hub's `edit_history` (absent from the OAS): every version, newest first.
                "history": [latest]
                + [
                    {
                        "raw": old,
                        "updatedAt": iso(when),
                        **({"author": account_json(a)} if (a := self._author(by)) else {}),
                    }
                    for old, when, by in reversed(history)
                ],
            }
            if hidden:
                hider = self._author(raw.get("hidden_by"))
                if hider is not None:
                    comment["hiddenBy"] = hider.name
            data["data"] = comment
        elif event.type == "status-change":
            data["data"] = {"status": event.data["status"]}
        elif event.type == "title-change":
            data["data"] = {"from": event.data["from"], "to": event.data["to"]}
        elif event.type == "commit":
            data["data"] = {"subject": event.data["subject"], "oid": event.data["oid"]}
        else:
            data["data"] = dict(event.data)
        return data

    def _common(self, repo: Repo, discussion: Discussion) -> dict:
        data: dict = {"num": discussion.num}
        author = self._author(discussion.author_id)
        if author is not None:
            data["author"] = account_json(author)
        data.update(
            repo={"name": repo.id, "type": repo.type},
            title=discussion.title,
            createdAt=iso(discussion.created_at),
            status=discussion.status,
            isPullRequest=discussion.is_pull_request,
            pinned=discussion.pinned,
        )
        return data

    def _item(self, repo: Repo, discussion: Discussion) -> dict:
        data = self._common(repo, discussion)
        owner = self.world.accounts.get(repo.namespace)
        members = [self._author(e.author_id) for e in discussion.events]
        author = self._author(discussion.author_id)
        data.update(
            topReactions=[],
            numComments=len(discussion.comments),
            numReactionUsers=0,
            repoOwner={
                "name": repo.namespace,
                "type": "org" if owner is not None and owner.is_org else "user",
                "isParticipating": any(dz.is_member(self.world, a, repo) for a in members),
                "isDiscussionAuthor": dz.is_member(self.world, author, repo),
            },
        )
        return data

    def _details(self, repo: Repo, discussion: Discussion, with_diff: bool) -> dict:
        data = {"_id": discussion.id, **self._common(repo, discussion)}
        owner = self.world.accounts.get(repo.namespace)
        if owner is not None and owner.is_org:
            org: dict = {"avatarUrl": owner.avatar_url, "fullname": owner.fullname, "name": owner.name}
            org.update(type="org", isHf=False, **({"plan": owner.plan} if owner.plan else {}))
            data["org"] = org
        data["events"] = [self._event_json(repo, e) for e in discussion.events]
        data.update(locked=False, collection="discussions")
        if discussion.is_pull_request:
            data["filesWithConflicts"] = dz.conflicts(repo, discussion)
            changes: dict = {"base": discussion.target}
            if discussion.merge_commit:
                changes["mergeCommitId"] = discussion.merge_commit
            head = dz.head_sha(repo, discussion)
            if head:
                changes["headCommitId"] = head
            data["changes"] = changes
            if with_diff:
                data["diff"] = dz.diff(repo, discussion)
        else:
            data["isReport"] = False
        return data

    def _web_url(self, request: Request, repo: Repo, discussion: Discussion) -> str:
        return f"{request.base_url}/{URL_PREFIX[repo.type]}{repo.id}/discussions/{discussion.num}"

    @staticmethod
    def _refused(err: Refusal) -> HubError:
        return HubError(err.status, err.message)

    # -- reading -------------------------------------------------------------------------------------
    def discussions(self, request: Request) -> Response:
        if request.method == "POST":
            return self.create(request)
        page_arg = request.arg("p") or "0"
        if not page_arg.lstrip("-").isdigit():
            raise bad_request('"p" must be an integer')
        page = max(0, int(page_arg))
        kind = request.arg("type") or "all"
        status = request.arg("status") or "all"
        sort = request.arg("sort") or "recently-created"
        author = request.arg("author")
        search = (request.arg("search") or "").strip().lower()
        for name, value, allowed in (
            ("type", kind, LIST_TYPES),
            ("status", status, LIST_STATUSES),
            ("sort", sort, SORTS),
        ):
            if value not in allowed:
                raise bad_request(f'"{name}" must be one of [{", ".join(allowed)}]')
        if author is not None and not 2 <= len(author) <= 42:
            raise bad_request('"author" must be a user name of 2 to 42 characters')
        with self.world.lock:
            repo = self._repo(request)
            selected = []
            for discussion in dz.repo_discussions(repo).values():
                if kind != "all" and discussion.is_pull_request != (kind == "pull_request"):
                    continue
                if author is not None:
                    who = self._author(discussion.author_id)
                    if who is None or who.name.lower() != author.lower():
                        continue
                if search and search not in discussion.title.lower():
                    continue
                selected.append(discussion)
            closed = sum(1 for d in selected if d.status in ("closed", "merged"))
            if status == "open":
                selected = [d for d in selected if d.status in ("open", "draft")]
            elif status == "closed":
                selected = [d for d in selected if d.status in ("closed", "merged")]
            if sort == "trending":
                selected.sort(key=lambda d: (d.pinned, d.last_activity, d.num), reverse=True)
            else:  # reactions: none are recorded, so the newest first, as recently-created
                selected.sort(key=lambda d: (d.pinned, d.created_at, d.num), reverse=True)
            start = page * PAGE
            items = [self._item(repo, d) for d in selected[start : start + PAGE]]
        data: dict = {"discussions": items, "count": len(selected), "start": start}
        if page == 0:
            data["numClosedDiscussions"] = closed
        return json_response(data)

    def details(self, request: Request) -> Response:
        if request.method == "DELETE":
            return self.delete(request)
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            data = self._details(repo, discussion, request.flag("diff"))
        return json_response(data)

    # -- changing ------------------------------------------------------------------------------------
    def create(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            author = may_post(self.world, request.token, repo)
            try:
                title = dz.check_title(body.get("title"))
                description = dz.check_comment(body.get("description", ""), "description", minimum=0)
            except Refusal as err:
                raise self._refused(err) from None
            pull_request = body.get("pullRequest") is True
            discussion = dz.open_discussion(self.world, repo, author, title, description, pull_request=pull_request)
            self.deliverer.discussion_event(repo, discussion, "create", comment=discussion.events[0])
            if pull_request:
                ref = {"ref": discussion.ref, "oldSha": None, "newSha": repo.branches[discussion.ref]}
                self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=[ref])
            data: dict = {"url": self._web_url(request, repo, discussion), "num": discussion.num}
            data["pullRequest"] = pull_request
            if pull_request:
                data["references"] = {"base": discussion.target}
        return json_response(data)

    def comment(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            author = may_post(self.world, request.token, repo)
            try:
                text = dz.check_comment(body.get("comment"))
            except Refusal as err:
                raise self._refused(err) from None
            event = dz.add_comment(discussion, author, text)
            self.deliverer.discussion_event(repo, discussion, "create", "discussion.comment", comment=event)
            data = {"newMessage": self._event_json(repo, event)}
        return json_response(data, 201)

    def _may_change(self, request: Request, repo: Repo, discussion: Discussion) -> Account:
        """The discussion's author or a writer."""
        account = may_post(self.world, request.token, repo)
        if account.id != discussion.author_id and not is_writer(self.world, request.token, repo):
            raise forbidden("Only the discussion's author or someone with write access to the repo may do this")
        return account

    def status(self, request: Request) -> Response:
        body = request.json()
        new = body.get("status")
        if new not in ("open", "closed"):
            raise bad_request('"status" must be one of [open, closed]')
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            account = self._may_change(request, repo, discussion)
            note = body.get("comment")
            try:
                text = None if note is None or not str(note).strip() else dz.check_comment(note)
            except Refusal as err:
                raise self._refused(err) from None
            if discussion.status == "merged":
                raise bad_request("This pull request is merged: its status cannot change")
            if discussion.status == new:
                raise bad_request(f"This discussion is already {new}")
            if text is not None:
                comment = dz.add_comment(discussion, account, text)
                self.deliverer.discussion_event(repo, discussion, "create", "discussion.comment", comment=comment)
            event = dz.set_status(discussion, account, new)
            self.deliverer.discussion_event(repo, discussion, "update")
            data = {"newStatus": self._event_json(repo, event)}
        return json_response(data)

    def title(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            account = self._may_change(request, repo, discussion)
            try:
                title = dz.check_title(body.get("title"))
            except Refusal as err:
                raise self._refused(err) from None
            event = dz.set_title(discussion, account, title)
            self.deliverer.discussion_event(repo, discussion, "update")
            data = {"newTitle": self._event_json(repo, event)}
        return json_response(data)

    def merge(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            account = may_post(self.world, request.token, repo)
            if not discussion.is_pull_request:
                raise bad_request("This discussion is not a pull request")
            if not is_writer(self.world, request.token, repo):
                raise forbidden(f"You don't have the rights to merge pull requests on {URL_PREFIX[repo.type]}{repo.id}")
            if discussion.status == "merged":
                raise bad_request("This pull request is already merged")
            if discussion.status == "closed":
                raise bad_request("This pull request is closed: reopen it to merge it")
            if discussion.status == "draft":
                raise bad_request("This pull request is a draft: it has no changes to merge yet")
            conflicting = dz.conflicts(repo, discussion)
            if conflicting:
                raise HubError(
                    409, f"This pull request has conflicts with {discussion.target}: {', '.join(conflicting)}"
                )
            note = body.get("comment")
            try:
                text = None if note is None or not str(note).strip() else dz.check_comment(note)
            except Refusal as err:
                raise self._refused(err) from None
            if text is not None:
                comment = dz.add_comment(discussion, account, text)
                self.deliverer.discussion_event(repo, discussion, "create", "discussion.comment", comment=comment)
            old = dz.target_sha(repo, discussion)
            commit = dz.merge(self.world, repo, discussion, account)
            self.deliverer.discussion_event(repo, discussion, "update")
            ref = {"ref": discussion.target, "oldSha": old, "newSha": commit.id}
            self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=[ref])
        return json_response({})

    def pin(self, request: Request) -> Response:
        body = request.json()
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            may_post(self.world, request.token, repo)
            if not is_writer(self.world, request.token, repo):
                raise forbidden("Only someone with write access to the repo may pin discussions")
            discussion.pinned = bool(body.get("pinned"))
            self.deliverer.discussion_event(repo, discussion, "update")
        return json_response({"pinned": discussion.pinned})

    def delete(self, request: Request) -> Response:
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            may_post(self.world, request.token, repo)
            if not is_writer(self.world, request.token, repo):
                raise forbidden("Only someone with write access to the repo may delete discussions")
            del dz.repo_discussions(repo)[discussion.num]
            self.deliverer.discussion_event(repo, discussion, "delete")
            old = repo.branches.pop(discussion.ref, None)
            if old is not None:
                ref = {"ref": discussion.ref, "oldSha": old, "newSha": None}
                self.deliverer.repo_event(repo, "update", "repo.content", updated_refs=[ref])
        return json_response({})

    def change_comment(self, request: Request) -> Response:
        body = request.json() if request.params["what"] == "edit" else {}
        with self.world.lock:
            repo = self._repo(request)
            discussion = self._discussion(repo, request)
            account = may_post(self.world, request.token, repo)
            event = discussion.comment(request.params["cid"])
            if event is None:
                raise HubError(404, "Comment not found")
            if request.params["what"] == "edit":
                if event.author_id != account.id:
                    raise forbidden("Only the comment's author may edit it")
                if event.data.get("hidden"):
                    raise bad_request("This comment is hidden: it cannot be edited")
                try:
                    text = dz.check_comment(body.get("content"), "content")
                except Refusal as err:
                    raise self._refused(err) from None
                dz.edit_comment(event, account, text)
            else:
                if event.author_id != account.id and not is_writer(self.world, request.token, repo):
                    raise forbidden("Only the comment's author or someone with write access to the repo may hide it")
                dz.hide_comment(event, account)
            self.deliverer.discussion_event(repo, discussion, "update", "discussion.comment", comment=event)
            data = {"updatedComment": self._event_json(repo, event)}
        return json_response(data)
