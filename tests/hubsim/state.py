"""The emulated Hub's world: accounts, tokens, repos with git history, webhooks.

All mutation happens under `World.lock`; handlers read and write through it.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import yaml

from .blobs import BlobStore, Synthetic, git_blob_oid, lfs_pointer

REPO_TYPES = ("model", "dataset", "space")
URL_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}
PLURAL = {"model": "models", "dataset": "datasets", "space": "spaces"}
SINGULAR = {v: k for k, v in PLURAL.items()}
ORG_ROLES = ("admin", "write", "contributor", "read", "no_access")
SPACE_SDKS = ("gradio", "docker", "static", "streamlit")
# OAuth scopes that let a token read private repos (§14: each wider one includes reading).
REPO_READ_SCOPES = ("read-repos", "contribute-repos", "write-repos", "manage-repos")

# Names the Hub accepts: letters, digits, `-_.`, 1-96 chars, no `--`/`..`,
# no leading or trailing `-`/`.`.
_NAME_RE = re.compile(r"^(?!.*(--|\.\.))[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$")


def valid_name(name: str) -> bool:
    return bool(_NAME_RE.match(name))


def iso(ts: float) -> str:
    """The Hub's timestamps: ISO 8601, milliseconds, `Z`."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def object_id() -> str:
    """A 24-hex id like the Hub's Mongo ids (time-prefixed, so they sort by creation)."""
    return f"{int(time.time()):08x}" + secrets.token_hex(8)


@dataclass
class Account:
    name: str
    fullname: str
    is_org: bool = False
    id: str = field(default_factory=object_id)
    email: str | None = None
    members: dict[str, str] = field(default_factory=dict)  # orgs: user name -> role
    plan: str | None = None
    is_pro: bool = False
    verified_orgs: tuple[str, ...] = ()  # `verifiedOrgNames` in access requests: orgs that verified this user

    def orgs(self, world: World) -> list[Account]:
        return [a for a in world.accounts.values() if a.is_org and self.name in a.members]

    @property
    def avatar_url(self) -> str:
        digest = hashlib.md5(self.name.encode(), usedforsecurity=False).hexdigest()
        return f"/avatars/{digest}.svg"


@dataclass
class Token:
    value: str
    user: str
    role: str  # read | write | fineGrained
    display_name: str
    created_at: float = field(default_factory=time.time)
    # fineGrained: [{"entity": {"type": "user"|"org"|"model"|..., "name": ...}, "permissions": [...]}]
    scoped: list[dict] = field(default_factory=list)
    global_permissions: list[str] = field(default_factory=list)
    revoked: bool = False
    # OAuth access tokens ("Sign in with Hugging Face"): the scopes granted (None: an access token made in
    # the Hub's settings), the organisations granted at consent, when it expires, the app it was issued to.
    scopes: list[str] | None = None
    granted_orgs: list[str] = field(default_factory=list)
    expires_at: float | None = None
    client_id: str | None = None

    @property
    def is_oauth(self) -> bool:
        return self.scopes is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= time.time()

    def reaches(self, namespace: str) -> bool:
        """An OAuth token sees only its user and the organisations granted at consent."""
        return self.scopes is None or namespace == self.user or namespace in self.granted_orgs

    def lacks(self, *any_of: str) -> bool:
        """Whether an OAuth token was granted none of these scopes (an access token lacks nothing)."""
        return self.scopes is not None and not any(scope in self.scopes for scope in any_of)


@dataclass
class FileEntry:
    path: str
    size: int
    content: bytes | None = None  # regular files
    sha256: str | None = None  # LFS files: content lives in the blob store
    synthetic: Synthetic | None = None  # demo LFS files: content generated, hashed on first use
    _oid: str | None = field(default=None, repr=False)

    @property
    def is_lfs(self) -> bool:
        return self.content is None

    @property
    def lfs_sha256(self) -> str | None:
        if self.sha256 is None and self.synthetic is not None:
            self.sha256 = self.synthetic.sha256
        return self.sha256

    @property
    def oid(self) -> str:
        """The git blob sha1: of the content, or of the LFS pointer file."""
        if self._oid is None:
            data = self.content if self.content is not None else lfs_pointer(self.lfs_sha256 or "", self.size)
            self._oid = git_blob_oid(data)
        return self._oid

    @classmethod
    def regular(cls, path: str, data: bytes) -> FileEntry:
        return cls(path=path, size=len(data), content=data)

    @classmethod
    def lfs(cls, path: str, sha256: str, size: int) -> FileEntry:
        return cls(path=path, size=size, sha256=sha256)

    @property
    def pointer_size(self) -> int:
        return len(lfs_pointer(self.lfs_sha256 or "", self.size))

    def content_key(self) -> object:
        """What identifies this file's content in storage, without hashing generated content."""
        if self.content is not None:
            return ("git", hashlib.sha1(self.content, usedforsecurity=False).hexdigest())
        if self.sha256 is not None:
            return ("lfs", self.sha256)
        if self.synthetic is not None:
            return ("synthetic", self.synthetic.seed, self.synthetic.size)
        return ("path", self.path, self.size)


@dataclass
class Commit:
    id: str
    parents: list[str]
    files: dict[str, FileEntry]
    title: str
    message: str
    author: str
    date: float
    _card: dict | bool | None = field(default=False, repr=False)  # False: not parsed yet

    def card_data(self) -> dict | None:
        """README front matter, parsed once per commit (lists and tags read it often)."""
        if self._card is False:
            readme = self.files.get("README.md")
            text = readme.content.decode("utf-8", "replace") if readme and readme.content else ""
            self._card = parse_front_matter(text)
        return self._card  # type: ignore[return-value]


@dataclass
class AccessRecord:
    """One person's access request to a gated repo (shared/hub-api.md §15.1), keyed by their account id."""

    id: str  # the `requestId`
    user_id: str  # the requester's Account.id (survives a rename)
    status: str  # pending | accepted | rejected
    timestamp_ms: int  # when they asked; unique within a repo, so that `before`/`after` page exactly
    fields: dict[str, str] | None = None  # the gate form's answers, label -> string
    reviewed_at: float | None = None
    granted_by: str | None = None  # the Account.id of who decided, None for automatic gating
    rejection_reason: str | None = None
    manual: bool = False  # granted without a request: the Hub shares no email then


ACCESS_STATUSES = ("pending", "accepted", "rejected")


def day_number(value: date) -> int:
    """A UTC date as a day number (the proleptic ordinal): what the usage series and the clock count in."""
    return value.toordinal()


def day_of(ts: float) -> int:
    return datetime.fromtimestamp(ts, tz=UTC).date().toordinal()


def day_iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


@dataclass
class UsageSeries:
    """How a repo's figures move from day to day (a pure function of the day: no randomness at read time).

    Downloads since creation at day n >= start: `downloads0 + floor(rate * (n - start) + W(n) - W(start))` plus
    every spike dated start..n, where W is a wave of relative amplitude `wave` (0..0.9) and `period` days:
    its slope never exceeds the rate, so the total never goes down and a low rate has flat days. The 30-day
    figure is the difference over 30 days. Likes: `likes0 + floor(likes_rate * (n - start))`. Storage: the
    repo's stored files plus `storage_base + floor(storage_rate * (n - start))`. Before `start`, the figures
    at `start`.
    """

    start: int  # a day number
    downloads0: int = 0
    rate: float = 0.0  # downloads a day
    wave: float = 0.0
    period: float = 7.0
    phase: float = 0.0
    spikes: dict[int, int] = field(default_factory=dict)  # day number -> extra downloads that day
    likes0: int = 0
    likes_rate: float = 0.0
    storage_base: int = 0
    storage_rate: float = 0.0  # bytes a day

    def _wave(self, day: int) -> float:
        if not self.wave or not self.rate:
            return 0.0
        amplitude = self.wave * self.rate * self.period / (2 * math.pi)
        return amplitude * math.sin(2 * math.pi * day / self.period + self.phase)

    def downloads_all_time(self, day: int) -> int:
        day = max(day, self.start)
        grown = self.rate * (day - self.start) + self._wave(day) - self._wave(self.start)
        spiked = sum(extra for when, extra in self.spikes.items() if self.start <= when <= day)
        return self.downloads0 + max(0, math.floor(grown + 1e-9)) + spiked

    def downloads_30d(self, day: int) -> int:
        return self.downloads_all_time(day) - self.downloads_all_time(day - 30)

    def likes(self, day: int) -> int:
        return self.likes0 + math.floor(self.likes_rate * (max(day, self.start) - self.start) + 1e-9)

    def extra_storage(self, day: int) -> int:
        return self.storage_base + math.floor(self.storage_rate * (max(day, self.start) - self.start))


@dataclass
class Repo:
    type: str
    id: str
    created_by: str | None = None
    _id: str = field(default_factory=object_id)
    private: bool = False
    # A protected Space: its app is public, its files private. Readable, so not `private` in repo info;
    # only the settings PUT's answer (`visibility`) tells it.
    protected: bool = False
    gated: bool | str = False
    disabled: bool = False
    created_at: float = field(default_factory=time.time)
    downloads: int = 0
    downloads_all_time: int = 0
    likes: int = 0
    trending_score: int = 0
    pipeline_tag: str | None = None
    library_name: str | None = None
    extra_tags: list[str] = field(default_factory=list)
    sdk: str | None = None
    config: dict | None = None
    discussions_disabled: bool = False
    gated_approved: set[str] = field(default_factory=set)
    hide_requesters: bool = False  # access-request lists leave out `user` (the Hub's "hide requesters" setting)
    access_requests: dict[str, AccessRecord] = field(default_factory=dict)  # requester's Account.id -> request
    branches: dict[str, str] = field(default_factory=dict)
    tags_refs: dict[str, str] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)
    pr_count: int = 0  # discussions and pull requests share this numbering
    discussions: dict = field(default_factory=dict)  # num -> discussions.Discussion
    extra: dict = field(default_factory=dict)  # any other field given to the control API
    usage: UsageSeries | None = None  # figures that move with the clock; None: the fixed fields above

    def downloads_on(self, day: int) -> int:
        """Downloads of the 30 days up to `day`."""
        usage = self.__dict__.get("usage")
        return usage.downloads_30d(day) if usage else self.downloads

    def downloads_all_time_on(self, day: int) -> int:
        usage = self.__dict__.get("usage")
        return usage.downloads_all_time(day) if usage else self.downloads_all_time

    def likes_on(self, day: int) -> int:
        usage = self.__dict__.get("usage")
        return usage.likes(day) if usage else self.likes

    def used_storage_on(self, day: int) -> int:
        """Bytes the repo takes: every distinct file content of every commit (history included, as the Hub
        counts it: deleting a file frees nothing), plus the series' base and growth."""
        usage = self.__dict__.get("usage")
        return self.stored_bytes() + (usage.extra_storage(day) if usage else 0)

    def stored_bytes(self) -> int:
        cached = self.__dict__.get("_stored")
        if cached is not None and cached[0] == len(self.commits):
            return int(cached[1])
        seen: set[object] = set()
        total = 0
        for commit in self.commits.values():
            for entry in commit.files.values():
                key = entry.content_key()
                if key not in seen:
                    seen.add(key)
                    total += entry.size
        self.__dict__["_stored"] = (len(self.commits), total)
        return total

    @property
    def visibility(self) -> str:
        return "private" if self.private else "protected" if self.protected else "public"

    @property
    def namespace(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split("/", 1)[1]

    @property
    def head(self) -> Commit:
        return self.commits[self.branches["main"]]

    @property
    def sha(self) -> str:
        return self.branches["main"]

    @property
    def last_modified(self) -> float:
        return self.head.date

    @property
    def url_path(self) -> str:
        return URL_PREFIX[self.type] + self.id

    @property
    def subdomain(self) -> str:
        """A Space's host name on hf.space."""
        return self.id.replace("/", "-").replace("_", "-").replace(".", "-").lower()

    def card_data(self, commit: Commit | None = None) -> dict | None:
        return (commit or self.head).card_data()

    def tags(self) -> list[str]:
        """Tags as the Hub derives them: library, pipeline, card metadata, region."""
        tags: list[str] = []

        def add(tag: str | None) -> None:
            if tag and tag not in tags:
                tags.append(tag)

        card = self.card_data() or {}
        if self.type == "model":
            add(self.library_name)
            for tag in self.extra_tags:
                add(tag)
            add(self.pipeline_tag)
            for tag in _as_list(card.get("tags")):
                add(str(tag))
            for lang in _as_list(card.get("language")):
                add(str(lang))
            for ds in _as_list(card.get("datasets")):
                add(f"dataset:{ds}")
            if card.get("license"):
                add(f"license:{card['license']}")
        elif self.type == "dataset":
            for tag in self.extra_tags:
                add(tag)
            for key in ("task_categories", "task_ids", "size_categories", "language", "multilinguality"):
                for value in _as_list(card.get(key)):
                    add(f"{key}:{value}")
            for tag in _as_list(card.get("tags")):
                add(str(tag))
            if card.get("license"):
                add(f"license:{card['license']}")
        else:
            add(self.sdk)
            for tag in self.extra_tags:
                add(tag)
            for tag in _as_list(card.get("tags")):
                add(str(tag))
            if card.get("license"):
                add(f"license:{card['license']}")
        add("region:us")
        return tags


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def parse_front_matter(text: str) -> dict | None:
    if not text.startswith("---"):
        return None
    parts = text.split("\n---", 1)
    if len(parts) < 2:
        return None
    try:
        data = yaml.safe_load(parts[0][3:])
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Webhook:
    id: str
    owner: str
    url: str
    watched: list[dict]
    domains: list[str]
    secret: str | None = None
    disabled: bool | str = False
    legacy: bool = False  # send the seed's {"add"/"update"/"remove": ...} shapes
    last_trigger_at: float | None = None

    def watches(self, repo: Repo) -> bool:
        for item in self.watched:
            kind, name = item.get("type"), item.get("name")
            if kind in ("user", "org") and name == repo.namespace:
                return True
            if kind == repo.type and name == repo.id:
                return True
        return False


class World:
    """Everything the emulated Hub knows. Guard every access with `lock`."""

    def __init__(self, data_dir: str | None = None) -> None:
        self.lock = threading.RLock()
        self.data_dir = data_dir
        self.blobs = BlobStore(os.path.join(data_dir, "blobs") if data_dir else None)
        self._empty()
        if data_dir:
            self._load()

    def reset(self) -> None:
        with self.lock:
            self._empty()
            self.blobs.clear()

    def _empty(self) -> None:
        with self.lock:
            self.accounts: dict[str, Account] = {}
            self.tokens: dict[str, Token] = {}
            self.repos: dict[tuple[str, str], Repo] = {}
            self.redirects: dict[tuple[str, str], str] = {}  # moved repos: old id -> new id
            self.webhooks: dict[str, Webhook] = {}
            self.switches: dict[str, object] = {"metrics": False}
            # The simulated clock of the usage figures: a fixed day number, else today's UTC date plus an offset.
            self.clock: dict[str, int | None] = {"fixed": None, "offset": 0}
            # Injected refusals of access decisions (api_access.py): [{type, id, user, error, times}].
            self.access_refusals: list[dict] = []
            # The OAuth side (api_oauth.py): registered apps, codes and refresh tokens in flight, and who is
            # "signed in" at the emulated Hub's consent screen.
            self.oauth_apps: dict[str, dict] = {}
            self.oauth_codes: dict[str, dict] = {}
            self.oauth_refresh: dict[str, dict] = {}
            self.oauth_browser: dict[str, object] = {}
            self.oauth_options: dict[str, object] = {"expires_in": 28800, "code_ttl": 60, "fail_refresh": 0}

    # -- persistence ---------------------------------------------------------
    _PERSISTED = ("accounts", "tokens", "repos", "redirects", "webhooks", "switches", "oauth_apps", "clock")

    def save(self) -> None:
        if not self.data_dir:
            return
        with self.lock:
            state = {name: getattr(self, name) for name in self._PERSISTED}
            tmp = os.path.join(self.data_dir, "state.pickle.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(state, fh)
            os.replace(tmp, os.path.join(self.data_dir, "state.pickle"))

    def _load(self) -> None:
        path = os.path.join(self.data_dir or "", "state.pickle")
        if not os.path.exists(path):
            return
        with open(path, "rb") as fh:
            state = pickle.load(fh)  # noqa: S301 - our own file, written by save()
        for name in self._PERSISTED:
            if name in state:
                setattr(self, name, state[name])
        for repo in self.repos.values():  # saved before access requests (or discussions) existed
            repo.__dict__.setdefault("access_requests", {})
            repo.__dict__.setdefault("discussions", {})

    # -- the clock -------------------------------------------------------------
    def today(self) -> int:
        """The simulated UTC day (a day number): what usage figures are computed for."""
        clock = self.__dict__.get("clock") or {"fixed": None, "offset": 0}
        if clock.get("fixed") is not None:
            return int(clock["fixed"])  # type: ignore[arg-type]
        return datetime.now(tz=UTC).date().toordinal() + int(clock.get("offset") or 0)

    def set_clock(self, today: date | None = None, advance_days: int = 0, real: bool = False) -> int:
        with self.lock:
            if real:
                self.clock = {"fixed": None, "offset": 0}
            if today is not None:
                self.clock = {"fixed": today.toordinal(), "offset": 0}
            if advance_days:
                if self.clock.get("fixed") is not None:
                    self.clock["fixed"] = int(self.clock["fixed"]) + advance_days  # type: ignore[arg-type]
                else:
                    self.clock["offset"] = int(self.clock.get("offset") or 0) + advance_days
            return self.today()

    # -- accounts and tokens -------------------------------------------------
    def add_user(
        self,
        name: str,
        fullname: str | None = None,
        orgs: dict[str, str] | None = None,
        tokens: dict[str, object] | None = None,
        email: str | None = None,
        is_pro: bool = False,
        verified_orgs: list[str] | tuple[str, ...] | None = None,
    ) -> Account:
        with self.lock:
            user = self.accounts.get(name)
            if user is None or user.is_org:
                user = Account(name=name, fullname=fullname or name, email=email, is_pro=is_pro)
                self.accounts[name] = user
            elif fullname:
                user.fullname = fullname
            if verified_orgs is not None:
                user.verified_orgs = tuple(verified_orgs)
            for org_name, role in (orgs or {}).items():
                org = self.accounts.get(org_name)
                if org is None:
                    org = Account(name=org_name, fullname=org_name, is_org=True)
                    self.accounts[org_name] = org
                org.members[name] = role
            for value, spec in (tokens or {}).items():
                self.add_token(value, name, spec)
            return user

    def rename_user(self, old: str, new: str) -> Account:
        """A renamed Hub account: a new name, the same id (the OAuth `sub`), its tokens, memberships and repos."""
        with self.lock:
            user = self.accounts.get(old)
            if user is None or user.is_org:
                raise KeyError(old)
            if new in self.accounts:
                raise ValueError(new)
            del self.accounts[old]
            user.name = new
            self.accounts[new] = user
            for token in self.tokens.values():
                if token.user == old:
                    token.user = new
            for org in self.accounts.values():
                if org.is_org and old in org.members:
                    org.members[new] = org.members.pop(old)
            for (kind, repo_id), repo in list(self.repos.items()):
                if repo.namespace == old:
                    del self.repos[(kind, repo_id)]
                    repo.id = f"{new}/{repo.name}"
                    self.repos[(kind, repo.id)] = repo
                    self.redirects[(kind, repo_id)] = repo.id
            return user

    def add_token(self, value: str, user: str, spec: object) -> Token:
        """`spec` is a role string, or {"role", "displayName", "scoped", "global"}."""
        if isinstance(spec, str):
            spec = {"role": spec}
        assert isinstance(spec, dict)
        token = Token(
            value=value,
            user=user,
            role=spec.get("role", "read"),
            display_name=spec.get("displayName", f"{user}-{spec.get('role', 'read')}"),
            scoped=spec.get("scoped", []),
            global_permissions=spec.get("global", []),
        )
        with self.lock:
            self.tokens[value] = token
        return token

    def role_in(self, user: str | None, namespace: str) -> str | None:
        """The user's role in a namespace: 'owner' for their own, an org role, or None."""
        if user is None:
            return None
        if user == namespace:
            return "owner"
        account = self.accounts.get(namespace)
        if account is None or not account.is_org:
            return None
        role = account.members.get(user)
        return None if role == "no_access" else role

    def account_by_id(self, account_id: str) -> Account | None:
        with self.lock:
            for account in self.accounts.values():
                if account.id == account_id:
                    return account
        return None

    # -- access requests ---------------------------------------------------------
    def file_access_request(
        self, repo: Repo, user: Account, fields: dict[str, str] | None = None, timestamp_ms: int | None = None
    ) -> AccessRecord:
        """`user` asks for access; automatic gating accepts at once. Timestamps are kept unique per repo."""
        with self.lock:
            stamp = int(time.time() * 1000) if timestamp_ms is None else int(timestamp_ms)
            taken = {r.timestamp_ms for r in repo.access_requests.values()}
            while stamp in taken:
                stamp += 1
            record = AccessRecord(id=object_id(), user_id=user.id, status="pending", timestamp_ms=stamp, fields=fields)
            repo.access_requests[user.id] = record
            if repo.gated == "auto":
                self.set_access(repo, record, "accepted")
            return record

    def set_access(
        self, repo: Repo, record: AccessRecord, status: str, reviewer: Account | None = None, reason: str | None = None
    ) -> None:
        """Move a request to `status`; file access follows (accepted reads the files, the rest do not)."""
        with self.lock:
            record.status = status
            record.rejection_reason = reason if status == "rejected" else None
            record.reviewed_at = None if status == "pending" else time.time()
            record.granted_by = None if status == "pending" or reviewer is None else reviewer.id
            user = self.account_by_id(record.user_id)
            if user is not None:
                if status == "accepted":
                    repo.gated_approved.add(user.name)
                else:
                    repo.gated_approved.discard(user.name)

    def withdraw_access_request(self, repo: Repo, user: Account) -> bool:
        """The requester cancels their own pending request; False when they have none."""
        with self.lock:
            record = repo.access_requests.get(user.id)
            if record is None or record.status != "pending":
                return False
            del repo.access_requests[user.id]
            return True

    def grant_access(self, repo: Repo, user: Account, reviewer: Account | None) -> AccessRecord:
        """Access without a request (or over a pending or rejected one)."""
        with self.lock:
            record = repo.access_requests.get(user.id)
            if record is None:
                record = self.file_access_request(repo, user)
                record.manual = True
            self.set_access(repo, record, "accepted", reviewer)
            return record

    # -- permissions -----------------------------------------------------------
    @staticmethod
    def _fine_grained_allows(token: Token, repo_type: str, repo_id: str, permission: str) -> bool:
        namespace = repo_id.split("/", 1)[0]
        for scope in token.scoped:
            entity = scope.get("entity", {})
            kind, name = entity.get("type"), entity.get("name")
            matches = (kind in ("user", "org") and name == namespace) or (kind == repo_type and name == repo_id)
            if matches and permission in scope.get("permissions", []):
                return True
        return False

    def can_read(self, token: Token | None, repo: Repo) -> bool:
        if not repo.private:
            return True
        if token is None:
            return False
        if self.role_in(token.user, repo.namespace) is None:
            return False
        if not token.reaches(repo.namespace) or token.lacks(*REPO_READ_SCOPES):
            return False
        if token.role == "fineGrained":
            return self._fine_grained_allows(
                token, repo.type, repo.id, "repo.content.read"
            ) or self._fine_grained_allows(token, repo.type, repo.id, "repo.write")
        return True

    def can_write_namespace(self, token: Token | None, repo_type: str, repo_id: str) -> bool:
        """May create a repo there (or write to one of their own making as a contributor)."""
        if token is None:
            return False
        namespace = repo_id.split("/", 1)[0]
        if self.role_in(token.user, namespace) not in ("owner", "admin", "write", "contributor"):
            return False
        if not token.reaches(namespace) or token.lacks("write-repos", "manage-repos"):
            return False
        if token.role == "read":
            return False
        if token.role == "fineGrained":
            return self._fine_grained_allows(token, repo_type, repo_id, "repo.write")
        return True

    def can_write(self, token: Token | None, repo: Repo) -> bool:
        if not self.can_write_namespace(token, repo.type, repo.id):
            return False
        assert token is not None
        role = self.role_in(token.user, repo.namespace)
        return role != "contributor" or repo.created_by == token.user

    def can_download(self, token: Token | None, repo: Repo) -> bool:
        """Gated repos: owners, org members and approved users get file content."""
        if not repo.gated:
            return True
        if token is None:
            return False
        if not token.reaches(repo.namespace):
            return token.user in repo.gated_approved
        return self.role_in(token.user, repo.namespace) is not None or token.user in repo.gated_approved

    def visible_repos(self, token: Token | None, repo_type: str) -> list[Repo]:
        with self.lock:
            return [r for (t, _), r in self.repos.items() if t == repo_type and self.can_read(token, r)]

    # -- repos and commits ---------------------------------------------------
    def get_repo(self, repo_type: str, repo_id: str) -> Repo | None:
        return self.repos.get((repo_type, repo_id))

    def create_repo(
        self,
        repo_type: str,
        repo_id: str,
        *,
        private: bool = False,
        created_by: str | None = None,
        sdk: str | None = None,
        files: dict[str, object] | None = None,
        created_at: float | None = None,
        modified_at: float | None = None,
        **fields: object,
    ) -> Repo:
        with self.lock:
            repo = Repo(type=repo_type, id=repo_id, private=private, created_by=created_by, sdk=sdk)
            if created_at is not None:
                repo.created_at = created_at
            for key, value in fields.items():
                if hasattr(repo, key) and key not in ("branches", "commits", "tags_refs"):
                    setattr(repo, key, value)
                else:
                    repo.extra[key] = value
            initial = {".gitattributes": FileEntry.regular(".gitattributes", DEFAULT_GITATTRIBUTES)}
            if repo_type == "space" and not (files and "README.md" in files):
                readme = SPACE_README.format(title=repo.name, sdk=sdk or "gradio").encode()
                initial["README.md"] = FileEntry.regular("README.md", readme)
            commit = self._new_commit(None, initial, "initial commit", created_by or repo.namespace, repo.created_at)
            repo.commits[commit.id] = commit
            repo.branches["main"] = commit.id
            if files:
                entries = dict(initial)
                for path, data in files.items():
                    entries[path] = self.entry_for(path, data)
                commit = self._new_commit(
                    commit.id, entries, "Upload files", created_by or repo.namespace, modified_at or repo.created_at
                )
                repo.commits[commit.id] = commit
                repo.branches["main"] = commit.id
            self.repos[(repo_type, repo_id)] = repo
            self.redirects.pop((repo_type, repo_id), None)
            return repo

    def entry_for(self, path: str, data: object) -> FileEntry:
        """A file entry from bytes/str, or a large file from {"size": N} (synthetic)."""
        if isinstance(data, dict):
            blob = Synthetic(seed=str(data.get("seed", path)), size=int(data["size"]))
            return FileEntry(path=path, size=blob.size, synthetic=blob)
        raw = data.encode() if isinstance(data, str) else bytes(data)  # type: ignore[arg-type]
        if needs_lfs(path, len(raw), raw[:512]):
            return FileEntry.lfs(path, self.blobs.add_bytes(raw), len(raw))
        return FileEntry.regular(path, raw)

    @staticmethod
    def _new_commit(
        parent: str | None, files: dict[str, FileEntry], title: str, author: str, date: float | None = None
    ) -> Commit:
        date = date if date is not None else time.time()
        seed = f"{parent}|{title}|{author}|{date}|{secrets.token_hex(8)}"
        return Commit(
            id=hashlib.sha1(seed.encode(), usedforsecurity=False).hexdigest(),
            parents=[parent] if parent else [],
            files=files,
            title=title,
            message=title,
            author=author,
            date=date,
        )

    def commit(
        self,
        repo: Repo,
        branch: str,
        files: dict[str, FileEntry],
        title: str,
        message: str,
        author: str,
        date: float | None = None,
    ) -> tuple[str | None, Commit]:
        with self.lock:
            old = repo.branches.get(branch)
            commit = self._new_commit(old, files, title, author, date)
            commit.message = message or title
            repo.commits[commit.id] = commit
            repo.branches[branch] = commit.id
            return old, commit

    def resolve_revision(self, repo: Repo, revision: str) -> Commit | None:
        """A branch, tag, `refs/heads|tags|pr/...`, full or short commit id."""
        for prefix, refs in (("refs/heads/", repo.branches), ("refs/tags/", repo.tags_refs)):
            if revision.startswith(prefix):
                revision = revision[len(prefix) :]
                sha = refs.get(revision)
                return repo.commits.get(sha) if sha else None
        sha = repo.branches.get(revision) or repo.tags_refs.get(revision)
        if sha:
            return repo.commits[sha]
        if re.fullmatch(r"[0-9a-f]{7,40}", revision):
            found = [c for cid, c in repo.commits.items() if cid.startswith(revision)]
            if len(found) == 1:
                return found[0]
        return None


def needs_lfs(path: str, size: int, sample: bytes) -> bool:
    """The Hub's choice: LFS for .gitattributes patterns, files over 10 MB, binary content."""
    if size > 10 * 1000 * 1000:
        return True
    if any(path.endswith(ext) for ext in LFS_EXTENSIONS):
        return True
    return b"\0" in sample


LFS_EXTENSIONS = (
    ".7z .arrow .bin .bz2 .ckpt .ftz .gz .h5 .joblib .lz4 .mlmodel .model .msgpack .npy .npz "
    ".onnx .ot .parquet .pb .pickle .pkl .pt .pth .rar .safetensors .tar .tflite .tgz .wasm "
    ".xz .zip .zst .gguf .png .jpg .jpeg .mp3 .wav .ogg .mp4"
).split()

DEFAULT_GITATTRIBUTES = "".join(f"*{ext} filter=lfs diff=lfs merge=lfs -text\n" for ext in LFS_EXTENSIONS).encode()

SPACE_README = """---
title: {title}
emoji: 🚀
colorFrom: blue
colorTo: green
sdk: {sdk}
pinned: false
---

Check out the configuration reference at the Hub's Spaces documentation.
"""
