"""Webhook delivery: v3 payloads (or the seed's legacy shapes), posted from threads, retried."""

from __future__ import annotations

import collections
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from .discussions import Discussion, Event
from .state import PLURAL, URL_PREFIX, Repo, Webhook, World


@dataclass
class DeliveryPolicy:
    attempts: int = 4
    backoff_s: float = 0.5  # doubled after each failed attempt
    timeout_s: float = 10.0


class Deliverer:
    def __init__(self, world: World) -> None:
        self.world = world
        self.policy = DeliveryPolicy()
        self.deliveries: collections.deque[dict] = collections.deque(maxlen=10000)
        self.lock = threading.Lock()
        self.base_url = "http://127.0.0.1"
        self._pending = 0
        self._idle = threading.Condition(self.lock)
        self._queues: dict[str, queue.Queue] = {}  # one ordered queue and worker per webhook

    # -- events ---------------------------------------------------------------
    def repo_event(
        self,
        repo: Repo,
        action: str,
        scope: str = "repo",
        *,
        updated_refs: list[dict] | None = None,
        updated_config: dict | None = None,
        moved_to: str | None = None,
        old_id: str | None = None,
    ) -> None:
        """Queue the event for every enabled webhook watching the repo (or its old id)."""
        with self.world.lock:
            hooks = [
                hook
                for hook in self.world.webhooks.values()
                if not hook.disabled
                and "repo" in hook.domains
                and (hook.watches(repo) or self._watched_old(hook, repo, old_id))
            ]
            for hook in hooks:
                payload = (
                    self._legacy(repo, action, moved_to)
                    if hook.legacy
                    else self._v3(repo, hook, action, scope, updated_refs, updated_config, moved_to, old_id)
                )
                for body in payload if isinstance(payload, list) else [payload]:
                    self._start(hook, body)

    @staticmethod
    def _watched_old(hook: Webhook, repo: Repo, old_id: str | None) -> bool:
        if old_id is None:
            return False
        namespace = old_id.split("/", 1)[0]
        return any(
            (w.get("type") in ("user", "org") and w.get("name") == namespace)
            or (w.get("type") == repo.type and w.get("name") == old_id)
            for w in hook.watched
        )

    def _repo_json(self, repo: Repo, scope: str, action: str, old_id: str | None = None) -> dict:
        repo_id = old_id or repo.id
        base = self.base_url
        repo_obj: dict = {
            "type": repo.type,
            "name": repo_id,
            "id": repo._id,
            "private": repo.private,
            "url": {
                "web": f"{base}/{URL_PREFIX[repo.type]}{repo_id}",
                "api": f"{base}/api/{PLURAL[repo.type]}/{repo_id}",
            },
            "owner": {"id": self._owner_id(repo_id)},
        }
        if scope.startswith("repo") and action != "delete":
            repo_obj["headSha"] = repo.sha
        if repo.type == "space":
            repo_obj["subdomain"] = repo.subdomain
        return repo_obj

    def _v3(self, repo, hook, action, scope, updated_refs, updated_config, moved_to, old_id) -> dict:
        payload: dict = {
            "event": {"action": action, "scope": scope},
            "repo": self._repo_json(repo, scope, action, old_id),
        }
        if updated_refs is not None:
            payload["updatedRefs"] = updated_refs
        if scope == "repo.config":
            payload["updatedConfig"] = updated_config or {}
        if moved_to is not None:
            payload["movedTo"] = {"name": moved_to, "owner": {"id": self._owner_id(moved_to)}}
        payload["webhook"] = {"id": hook.id, "version": 3}
        return payload

    def discussion_event(
        self, repo: Repo, discussion: Discussion, action: str, scope: str = "discussion", comment: Event | None = None
    ) -> None:
        """A v3 `discussion` (create/update/delete) or `discussion.comment` (create/update) event for every enabled
        webhook watching the repo with the `discussion` domain (legacy webhooks have no shape for these)."""
        with self.world.lock:
            hooks = [
                hook
                for hook in self.world.webhooks.values()
                if not hook.disabled and not hook.legacy and "discussion" in hook.domains and hook.watches(repo)
            ]
            if not hooks:
                return
            web = f"{self.base_url}/{URL_PREFIX[repo.type]}{repo.id}/discussions/{discussion.num}"
            item: dict = {
                "id": discussion.id,
                "title": discussion.title,
                "url": {
                    "web": web,
                    "api": f"{self.base_url}/api/{PLURAL[repo.type]}/{repo.id}/discussions/{discussion.num}",
                },
                "status": discussion.status,
                "author": {"id": discussion.author_id},
                "num": discussion.num,
                "isPullRequest": discussion.is_pull_request,
            }
            if discussion.is_pull_request:
                item["changes"] = {"base": discussion.target}
                if discussion.merge_commit:
                    item["changes"]["mergeCommitId"] = discussion.merge_commit
            if discussion.pinned:
                item["pinned"] = True
            note = None
            if comment is not None:
                note = {"id": comment.id, "author": {"id": comment.author_id or "0" * 24}}
                if not comment.data.get("hidden"):
                    note["content"] = comment.data["raw"]
                note["hidden"] = bool(comment.data.get("hidden"))
                note["url"] = {"web": f"{web}#{comment.id}"}
            for hook in hooks:
                payload: dict = {
                    "event": {"action": action, "scope": scope},
                    "repo": self._repo_json(repo, scope, action),
                    "discussion": item,
                }
                if note is not None:
                    payload["comment"] = note
                payload["webhook"] = {"id": hook.id, "version": 3}
                self._start(hook, payload)

    def _owner_id(self, repo_id: str) -> str:
        account = self.world.accounts.get(repo_id.split("/", 1)[0])
        return account.id if account else "0" * 24

    @staticmethod
    def _legacy(repo: Repo, action: str, moved_to: str | None) -> list[dict]:
        def ref(repo_id: str) -> str:
            return URL_PREFIX[repo.type] + repo_id

        if action == "create":
            return [{"add": ref(repo.id)}]
        if action == "delete":
            return [{"remove": ref(repo.id)}]
        if action == "move" and moved_to:
            return [{"remove": ref(repo.id)}, {"add": ref(moved_to)}]
        return [{"update": ref(repo.id)}]

    # -- delivery -------------------------------------------------------------
    def _start(self, hook: Webhook, payload: dict) -> None:
        hook.last_trigger_at = time.time()
        with self.lock:
            self._pending += 1
            jobs = self._queues.get(hook.id)
            if jobs is None:
                jobs = self._queues[hook.id] = queue.Queue()
                threading.Thread(target=self._work, args=(jobs,), name=f"webhook-{hook.id}", daemon=True).start()
        jobs.put((hook.id, hook.url, hook.secret, payload))

    def _work(self, jobs: queue.Queue) -> None:
        # Deliveries to one webhook go out in the order the changes happened.
        while True:
            self._deliver(*jobs.get())

    def _deliver(self, hook_id: str, url: str, secret: str | None, payload: dict) -> None:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "huggingface-hub-webhooks (hubsim)"}
        if secret:
            headers["X-Webhook-Secret"] = secret
        delay = self.policy.backoff_s
        try:
            for attempt in range(1, self.policy.attempts + 1):
                record = {"webhook": hook_id, "url": url, "payload": payload, "attempt": attempt, "time": time.time()}
                try:
                    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
                    with urllib.request.urlopen(request, timeout=self.policy.timeout_s) as answer:
                        record["status"] = answer.status
                except urllib.error.HTTPError as err:
                    record["status"] = err.code
                except (OSError, ValueError) as err:
                    record["error"] = f"{type(err).__name__}: {err}"
                with self.lock:
                    self.deliveries.append(record)
                if 200 <= record.get("status", 0) < 300:
                    return
                if attempt < self.policy.attempts:
                    time.sleep(delay)
                    delay *= 2
        finally:
            with self.lock:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery has finished (tests and the control API use it)."""
        deadline = time.time() + timeout
        with self.lock:
            while self._pending:
                remaining = deadline - time.time()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.deliveries)

    def clear(self) -> None:
        with self.lock:
            self.deliveries.clear()
