"""Each person's Hub token: checked with whoami, stored sealed, unsealed only here, identity cached.

The token row is read at most once per request: it is cached on the user object (Django's own cache of
the one-to-one relation), which lives as long as the request, and every write here keeps that cache true.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import errors
from .client import HubClient, fingerprint
from .types import HubIdentity, StoredScope, TokenStatus
from .vault import TokenKeyError, seal, unseal

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import ForeignObjectRel

    from .models import HubToken

MAX_TOKEN_LENGTH = 256


def _token_model() -> type[HubToken]:
    # Imported when used: `hubdash.hub` is imported while Django is still loading the apps.
    from .models import HubToken

    return HubToken


def _user_token() -> ForeignObjectRel:
    """The reverse side of HubToken.user (`user.hub_token`), which caches the row on each user object."""
    return _token_model()._meta.get_field("user").remote_field


def _cache_key(token: str) -> str:
    return f"hub:whoami:{fingerprint(token)}"


def _row(user: User | AnonymousUser) -> HubToken | None:
    """This person's token row, read from the database once per user object (so once per request)."""
    if not user.is_authenticated:
        return None
    if not _user_token().is_cached(user):
        _user_token().set_cached_value(user, _token_model().objects.filter(user=user).first())
    return cast("HubToken | None", _user_token().get_cached_value(user))


def _status(row: HubToken) -> TokenStatus:
    return TokenStatus(
        last4=row.last4,
        role=row.role,
        scopes=tuple(
            StoredScope(
                type=str(scope.get("type", "")),
                name=str(scope.get("name", "")),
                permissions=tuple(str(permission) for permission in scope.get("permissions", ())),
            )
            for scope in row.scopes
            if isinstance(scope, dict)
        ),
        hub_username=row.hub_username,
        verified_at=row.verified_at,
        rejected_at=row.rejected_at,
        rejected_reason=row.rejected_reason,
    )


def token_status(user: User | AnonymousUser) -> TokenStatus | None:
    """What may be shown of this person's stored token, or None if they have none."""
    row = _row(user)
    return _status(row) if row is not None else None


def token_statuses(users: Iterable[User]) -> dict[int, TokenStatus]:
    """The stored tokens of several people, by user id, in one query (people without one are absent)."""
    rows = _token_model().objects.filter(user_id__in=[user.pk for user in users])
    return {row.user_id: _status(row) for row in rows}


def _token_for(user: User | AnonymousUser) -> str | None:
    row = _row(user)
    if row is None:
        return None
    return unseal(row.key_id, row.ciphertext, row.user_id)


def client_for(user: User | AnonymousUser) -> HubClient:
    """A client acting with this person's token, or anonymously if they have none."""
    return HubClient(_token_for(user))


@sensitive_variables("token")
def connect_token(user: User, token: str) -> HubIdentity:
    """Check the token with the Hub, then store it sealed. Raises a HubError with the Hub's reason."""
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or any(c.isspace() for c in token) or not token.isascii():
        raise errors.InvalidRequest("That does not look like a Hub access token.")
    identity = HubClient(token).whoami()
    key_id, blob = seal(token, user.pk)
    old_key = _stored_cache_key(user)
    row, _ = _token_model().objects.update_or_create(
        user=user,
        defaults={
            "ciphertext": blob,
            "key_id": key_id,
            "last4": token[-4:],
            "role": identity.token_role,
            "scopes": identity.scopes_as_json(),
            "hub_username": identity.name,
            "verified_at": timezone.now(),
            "rejected_at": None,
            "rejected_reason": "",
        },
    )
    _user_token().set_cached_value(user, row)
    if old_key is not None:
        cache.delete(old_key)
    cache.set(_cache_key(token), identity, settings.WHOAMI_CACHE_SECONDS)
    return identity


def _stored_cache_key(user: User) -> str | None:
    """The cache key of the stored token, if any and if it can still be decrypted.

    A token whose key was removed must not stand in the way of replacing or removing it.
    """
    try:
        token = _token_for(user)
    except TokenKeyError:
        return None
    return _cache_key(token) if token else None


def cached_identity(user: User | AnonymousUser) -> HubIdentity | None:
    """Who this person is on the Hub if a recent whoami answer is cached; never calls the Hub."""
    try:
        token = _token_for(user)
    except TokenKeyError:
        return None
    if token is None:
        return None
    cached = cache.get(_cache_key(token))
    return cached if isinstance(cached, HubIdentity) else None


@sensitive_variables("token")
def identity_for(user: User | AnonymousUser, refresh: bool = False) -> HubIdentity:
    """Who this person is on the Hub, cached per token (the Hub rate-limits whoami strictly)."""
    row = _row(user)
    if row is None:
        raise errors.NoToken("Connect your Hub token to see who you are on the Hub.")
    token = unseal(row.key_id, row.ciphertext, row.user_id)
    key = _cache_key(token)
    if not refresh:
        cached = cache.get(key)
        if isinstance(cached, HubIdentity):
            return cached
    try:
        identity = HubClient(token).whoami()
    except errors.BadToken as err:
        row.rejected_at = timezone.now()
        row.rejected_reason = err.message[:300]
        row.save(update_fields=["rejected_at", "rejected_reason", "updated_at"])
        cache.delete(key)
        raise
    row.role = identity.token_role
    row.scopes = identity.scopes_as_json()
    row.hub_username = identity.name
    row.verified_at = timezone.now()
    row.rejected_at = None
    row.rejected_reason = ""
    row.save()
    cache.set(key, identity, settings.WHOAMI_CACHE_SECONDS)
    return identity


def forget_identity(user: User) -> None:
    key = _stored_cache_key(user)
    if key is not None:
        cache.delete(key)


def remove_token(user: User) -> None:
    forget_identity(user)
    _token_model().objects.filter(user=user).delete()
    _user_token().set_cached_value(user, None)


def reseal_all() -> tuple[int, str]:
    """Re-encrypt every stored token under the newest key (rotation). Returns (count, key id)."""
    count = 0
    key_id = ""
    with transaction.atomic():
        for row in _token_model().objects.select_for_update().all():
            token = unseal(row.key_id, row.ciphertext, row.user_id)
            key_id, row.ciphertext = seal(token, row.user_id)
            row.key_id = key_id
            row.save(update_fields=["key_id", "ciphertext", "updated_at"])
            count += 1
    return count, key_id
