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
class GrantedOrgStatus:
    """An organisation the person granted at a Hugging Face sign-in, with their role in it then."""

    name: str
    role: str


# Roles, fine-grained permissions and OAuth scopes as people say them.
ROLE_WORDS = {"read": "Read", "write": "Write", "fineGrained": "Fine-grained", "oauth": "Hugging Face sign-in"}
PERMISSION_WORDS = {
    "repo.content.read": "Read access to repos",
    "repo.write": "Write access to repos",
    "org.read": "Read the organisation's settings",
    "org.write": "Manage the organisation",
    "collection.read": "Read collections",
    "collection.write": "Write collections",
    "inference.serverless.write": "Call Inference Providers",
    "inference.endpoints.infer.write": "Call Inference Endpoints",
    "inference.endpoints.write": "Manage Inference Endpoints",
    "resourceGroup.write": "Manage resource groups",
    "job.write": "Run jobs",
    "discussion.write": "Open and comment on discussions",
    "post.write": "Write posts",
}
SCOPE_WORDS = {
    "openid": "Sign you in",
    "profile": "See your profile",
    "email": "See your email address",
    "read-billing": "See your billing details",
    "read-repos": "Read your repos and those of the organisations granted",
    "contribute-repos": "Create repos and change the ones this app created",
    "write-repos": "Write to your repos and those of the organisations granted",
    "manage-repos": "Create, move and delete repos",
    "inference-api": "Call Inference Providers",
    "jobs": "Run jobs",
    "webhooks": "Manage your webhooks",
    "write-discussions": "Open and comment on discussions",
}


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
    kind: str = "pasted"  # or "oauth": issued at a Hugging Face sign-in
    expires_at: datetime | None = None
    oauth_scopes: tuple[str, ...] = ()
    granted_orgs: tuple[GrantedOrgStatus, ...] = ()

    @property
    def state(self) -> Literal["valid", "rejected"]:
        return "rejected" if self.rejected_at else "valid"

    @property
    def is_oauth(self) -> bool:
        return self.kind == "oauth"

    @property
    def role_words(self) -> str:
        return ROLE_WORDS.get(self.role, self.role)

    @property
    def scope_words(self) -> tuple[str, ...]:
        """What the token may do, in words: "Write access to repos in acme", "Manage your webhooks"."""
        if self.is_oauth:
            return tuple(SCOPE_WORDS.get(scope, scope) for scope in self.oauth_scopes)
        return tuple(
            f"{PERMISSION_WORDS.get(permission, permission)} in {scope.name}"
            if scope.type in ("org", "user")
            else f"{PERMISSION_WORDS.get(permission, permission)}: {scope.type} {scope.name}"
            for scope in self.scopes
            for permission in scope.permissions
        )

    def has_scope(self, *any_of: str) -> bool:
        """For an OAuth token, whether one of these scopes was granted (any other token: always)."""
        return not self.is_oauth or any(scope in self.oauth_scopes for scope in any_of)

    def reaches(self, namespace: str) -> bool:
        """For an OAuth token, whether this namespace is the person's own or an organisation granted."""
        return not self.is_oauth or namespace == self.hub_username or namespace in {o.name for o in self.granted_orgs}
