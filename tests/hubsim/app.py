"""Assemble hubsim: a world, the API routes, the control API, and a server thread."""

from __future__ import annotations

import json
import threading
import urllib.request

from . import seed as seeds
from .api_access import AccessApi
from .api_account import AccountApi
from .api_discussions import DiscussionApi
from .api_files import FileApi
from .api_oauth import OAuthApi
from .api_repos import RepoApi
from .control import ControlApi
from .server import HubSimServer, Router
from .state import World
from .webhooks import Deliverer


def build_server(
    host: str = "127.0.0.1", port: int = 0, seed: str | None = None, data_dir: str | None = None
) -> HubSimServer:
    world = World(data_dir)
    if seed == "demo" and not world.repos:
        seeds.demo(world)
        world.save()
    elif seed not in (None, "demo"):
        raise ValueError(f"unknown seed {seed!r}: the only one is 'demo'")
    deliverer = Deliverer(world)
    router = Router()
    server = HubSimServer((host, port), world, router)
    deliverer.base_url = f"http://{host}:{server.server_address[1]}"
    server.deliverer = deliverer
    repos = RepoApi(world, deliverer)
    files = FileApi(world, deliverer, repos)
    ControlApi(server, world, deliverer, files).register(router)
    AccountApi(world).register(router)
    OAuthApi(world).register(router)
    AccessApi(world, repos).register(router)
    DiscussionApi(world, deliverer, repos).register(router)
    files.register(router)
    repos.register(router)
    return server


class HubSim:
    """hubsim in a background thread of this process: `with HubSim() as hub: hub.url`."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, seed: str | None = None, data_dir: str | None = None
    ) -> None:
        self.server = build_server(host, port, seed, data_dir)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    @property
    def world(self) -> World:
        return self.server.world

    def start(self) -> HubSim:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="hubsim", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.server.world.blobs.close()

    def __enter__(self) -> HubSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the control API over HTTP, for tests and tools ---------------------------------
    def control(self, method: str, path: str, body: object | None = None) -> object:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/_hubsim/{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # loopback only
            return json.loads(answer.read() or b"null")

    def reset(self, seed: str | None = None) -> None:
        self.control("POST", "reset", {"seed": seed} if seed else {})

    def add_user(self, name: str, **fields: object) -> None:
        self.control("POST", "users", {"name": name, **fields})

    def add_repo(self, repo_id: str, type: str = "model", **fields: object) -> dict:
        return self.control("POST", "repos", {"id": repo_id, "type": type, **fields})  # type: ignore[return-value]

    def repo_state(self, repo_id: str, type: str = "model") -> dict:
        """What hubsim holds for a repo: id, type, private, visibility (incl. protected), gated."""
        return self.control("GET", f"repos/{type}/{repo_id}")  # type: ignore[return-value]

    def fault(self, **rule: object) -> None:
        self.control("POST", "faults", rule)

    def oauth_app(self, redirect_uris: list[str], **fields: object) -> dict:
        """Register an OAuth app: its client_id and client_secret come back."""
        return self.control("POST", "oauth/apps", {"redirect_uris": redirect_uris, **fields})  # type: ignore[return-value]

    def oauth_browser(self, user: str | None, orgs: list[str] | None = None, approve: bool = True) -> None:
        """Who is signed in at the emulated Hub's consent screen, and which organisations they grant."""
        self.control("POST", "oauth/browser", {"user": user, "orgs": orgs or [], "approve": approve})

    def oauth_options(self, **options: int) -> None:
        """expires_in (new tokens), code_ttl, fail_refresh (how many refreshes to refuse)."""
        self.control("POST", "oauth/options", options)

    def rename_user(self, old: str, new: str) -> None:
        self.control("POST", "users/rename", {"from": old, "to": new})

    def requests(self) -> list[dict]:
        return self.control("GET", "requests")  # type: ignore[return-value]

    def deliveries(self, wait: bool = True) -> list[dict]:
        return self.control("GET", "deliveries?wait=1" if wait else "deliveries")  # type: ignore[return-value]

    def clock(self, today: str | None = None, advance_days: int = 0, real: bool = False) -> str:
        """Set the simulated clock of usage figures (a date, days forward, or back to the real date); its today."""
        body: dict[str, object] = {"advance_days": advance_days, "real": real}
        if today:
            body["today"] = today
        return self.control("POST", "clock", body)["today"]  # type: ignore[index]

    def usage(self, repo_id: str, type: str = "model", days: int = 30) -> list[dict]:
        """The figures the Hub gives for a repo on each of the `days` days up to the clock's today."""
        return self.control("GET", f"usage/{type}/{repo_id}?days={days}")  # type: ignore[return-value]

    def discussion(
        self, repo_id: str, user: str, title: str, type: str = "model", description: str = "", **fields: object
    ) -> dict:
        """File a discussion (or, with `pullRequest=True` or `files={path: content}`, a pull request) as `user`,
        optionally at `date` (ISO): `{num, status}`."""
        body = {"id": repo_id, "type": type, "user": user, "title": title, "description": description, **fields}
        return self.control("POST", "discussions", body)  # type: ignore[return-value]

    def discussion_act(self, repo_id: str, num: int, user: str, type: str = "model", **action: object) -> dict:
        """`user` acts on discussion `num`: `comment=`, `status=`, `title=`, `files=`, `merge=True`, `hide=`,
        `pinned=`, optionally at `date=` (ISO): `{num, status, event}`."""
        return self.control("POST", f"discussions/{type}/{repo_id}/{num}", {"user": user, **action})  # type: ignore[return-value]

    def set_repo(self, repo_id: str, type: str = "model", **fields: object) -> dict:
        """Change a repo as its owner would, without a token: `visibility`, `usage`."""
        return self.control("POST", f"repos/{type}/{repo_id}", fields)  # type: ignore[return-value]
