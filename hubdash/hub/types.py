"""Small typed views of what the Hub returns, so templates never index raw JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class HubOrg:
    name: str
    fullname: str
    role: str | None
    avatar_url: str | None


@dataclass(frozen=True)
class TokenScope:
    entity_type: str
    entity_name: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class HubIdentity:
    name: str
    fullname: str
    avatar_url: str | None
    email: str | None
    is_pro: bool
    orgs: tuple[HubOrg, ...]
    token_role: str
    token_name: str
    scopes: tuple[TokenScope, ...] = field(default=())
    global_permissions: tuple[str, ...] = field(default=())

    def scopes_as_json(self) -> list[dict[str, str | list[str]]]:
        return [{"type": s.entity_type, "name": s.entity_name, "permissions": list(s.permissions)} for s in self.scopes]


@dataclass(frozen=True)
class StoredScope:
    """One scope of a fine-grained token, as stored when the token was last checked."""

    type: str
    name: str
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class TokenStatus:
    """What hubdash may show about a person's stored token: never the token, nor its ciphertext."""

    last4: str
    role: str
    scopes: tuple[StoredScope, ...]
    hub_username: str
    verified_at: datetime
    rejected_at: datetime | None
    rejected_reason: str

    @property
    def state(self) -> Literal["valid", "rejected"]:
        return "rejected" if self.rejected_at else "valid"
