"""hubdash's one door to the Hub. Only this package imports huggingface_hub or decrypts tokens.

from hubdash import hub
client = hub.client_for(request.user)      # the user's own token, or anonymous
identity = hub.identity_for(request.user)  # cached whoami
"""

from .client import HubClient
from .errors import (
    BadToken,
    HubError,
    HubUnavailable,
    InvalidRequest,
    Moved,
    NoAccess,
    NotFound,
    NoToken,
    RateLimited,
    UnknownRevision,
)
from .manage import AlreadyExists, CreatedRepo
from .tokens import (
    cached_identity,
    client_for,
    connect_oauth,
    connect_token,
    current_identity,
    identity_for,
    last_known_identity,
    remove_token,
    token_status,
    token_statuses,
)
from .types import GrantedOrgStatus, HubIdentity, HubOrg, StoredScope, TokenScope, TokenStatus
from .vault import TokenKeyError, keys_work
from .webhooks import HubWebhook, Watched

__all__ = [
    "AlreadyExists",
    "BadToken",
    "CreatedRepo",
    "GrantedOrgStatus",
    "HubClient",
    "HubError",
    "HubIdentity",
    "HubOrg",
    "HubUnavailable",
    "HubWebhook",
    "InvalidRequest",
    "Moved",
    "NoAccess",
    "NoToken",
    "NotFound",
    "RateLimited",
    "StoredScope",
    "TokenKeyError",
    "TokenScope",
    "TokenStatus",
    "UnknownRevision",
    "Watched",
    "cached_identity",
    "client_for",
    "connect_oauth",
    "connect_token",
    "current_identity",
    "identity_for",
    "keys_work",
    "last_known_identity",
    "remove_token",
    "token_status",
    "token_statuses",
]
