"""Each person's Hub token: checked with whoami, stored sealed, unsealed only here, identity cached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from . import errors
from .client import HubClient
from .types import HubIdentity
from .vault import TokenKeyError, seal, unseal

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_TOKEN_LENGTH = 256


def _fingerprint(token: str) -> str:
    # Cache keys name a keyed hash of the token, never the token.
    return salted_hmac("hubdash.hub.token-fingerprint", token).hexdigest()[:32]


def _cache_key(token: str) -> str:
    return f"hub:whoami:{_fingerprint(token)}"


def _row(user: User):  # noqa: ANN202
    from hubdash.accounts.models import HubToken

    return HubToken.objects.filter(user=user).first()


def _token_for(user: User) -> str | None:
    if not user.is_authenticated:
        return None
    row = _row(user)
    if row is None:
        return None
    return unseal(row.key_id, row.ciphertext, user.pk)


def client_for(user: User) -> HubClient:
    """A client acting with this person's token, or anonymously if they have none."""
    return HubClient(_token_for(user))


def connect_token(user: User, token: str) -> HubIdentity:
    """Check the token with the Hub, then store it sealed. Raises a HubError with the Hub's reason."""
    from hubdash.accounts.models import HubToken

    token = token.strip()
    if not token or len(token) > MAX_TOKEN_LENGTH or any(c.isspace() for c in token) or not token.isascii():
        raise errors.InvalidRequest("That does not look like a Hub access token.")
    identity = HubClient(token).whoami()
    key_id, blob = seal(token, user.pk)
    old_key = _stored_cache_key(user)
    HubToken.objects.update_or_create(
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


def identity_for(user: User, refresh: bool = False) -> HubIdentity:
    """Who this person is on the Hub, cached per token (the Hub rate-limits whoami strictly)."""
    row = _row(user) if user.is_authenticated else None
    if row is None:
        raise errors.NoToken("Connect your Hub token to see who you are on the Hub.")
    token = unseal(row.key_id, row.ciphertext, user.pk)
    key = _cache_key(token)
    if not refresh:
        cached = cache.get(key)
        if cached is not None:
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
    from hubdash.accounts.models import HubToken

    HubToken.objects.filter(user=user).delete()


def reseal_all() -> tuple[int, str]:
    """Re-encrypt every stored token under the newest key (rotation). Returns (count, key id)."""
    from django.db import transaction

    from hubdash.accounts.models import HubToken

    count = 0
    key_id = ""
    with transaction.atomic():
        for row in HubToken.objects.select_for_update().all():
            token = unseal(row.key_id, row.ciphertext, row.user_id)
            key_id, row.ciphertext = seal(token, row.user_id)
            row.key_id = key_id
            row.save(update_fields=["key_id", "ciphertext", "updated_at"])
            count += 1
    return count, key_id
