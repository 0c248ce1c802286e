"""Each person's Hub token: checked with whoami, stored sealed, unsealed only here, identity cached.

The token row is read at most once per request: the signed-in person is loaded with it (`user.hub_token`,
hub/auth.py), a user object lives as long as the request, and every write here puts the new row (or its
absence) on the user object.
The row object in turn keeps its unsealed token and the cached whoami answer once read (`_unsealed`,
`cached_identity`): a page asks who its person is three times (what they may write, the shell, the key
of a page kept whole), and unsealing, fingerprinting and reading the cache each time was 0.5 ms a page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from . import errors, oauth
from .client import HubClient, fingerprint
from .types import GrantedOrgStatus, HubIdentity, StoredScope, TokenStatus
from .vault import TokenKeyError, seal, unseal

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from .models import HubToken

MAX_TOKEN_LENGTH = 256
# What a Hub access token looks like; anything else is refused before it is sent anywhere.
TOKEN_SHAPE = re.compile(r"hf_[A-Za-z0-9_]{8,250}")
# An OAuth token is renewed with its refresh token when it is read for a Hub call this close to expiring.
RENEW_BEFORE = timedelta(minutes=5)
SIGN_IN_AGAIN = "Your Hugging Face sign-in has ended and could not be renewed: sign in with Hugging Face again."


def _token_model() -> type[HubToken]:
    # Imported when used: `hubdash.hub` is imported while Django is still loading the apps.
    from .models import HubToken

    return HubToken


def _cache_key(token: str) -> str:
    return f"hub:whoami:{fingerprint(token)}"


# The last identity the Hub confirmed for a person, kept longer than whoami answers are reused: what the
# profile shows, marked stale, while the Hub cannot answer.
LAST_KNOWN_SECONDS = 7 * 24 * 3600


def _last_key(user_id: int) -> str:
    return f"hub:whoami-last:{user_id}"


def _remember(user_id: int, token: str, identity: HubIdentity) -> None:
    cache.set(_cache_key(token), (time.time(), identity), settings.WHOAMI_CACHE_SECONDS)
    cache.set(_last_key(user_id), identity, LAST_KNOWN_SECONDS)


def _fresh(entry: object) -> HubIdentity | None:
    """The identity of a cached whoami entry (when whoami answered, what it said), unless it is older than
    the period. Judged from the time stored in it, not only by the cache's own expiry: an entry copied to a
    renewed token keeps its age, and a shorter period applies to entries already cached."""
    if not isinstance(entry, tuple) or len(entry) != 2:
        return None
    at, identity = entry
    if not isinstance(at, float) or not isinstance(identity, HubIdentity):
        return None
    return identity if 0 <= time.time() - at < settings.WHOAMI_CACHE_SECONDS else None


def last_known_identity(user: User | AnonymousUser) -> HubIdentity | None:
    """Who the Hub last said this person is (never calls the Hub), however long ago."""
    if not user.is_authenticated:
        return None
    found = cache.get(_last_key(user.pk))
    return found if isinstance(found, HubIdentity) else None


def _row(user: User | AnonymousUser) -> HubToken | None:
    """This person's token row, read from the database at most once per user object (so once per request):
    Django keeps what `user.hub_token` found on the user object, a missing row included."""
    if not user.is_authenticated:
        return None
    try:
        return user.hub_token
    except _token_model().DoesNotExist:
        return None


def _keep(user: User, row: HubToken | None) -> None:
    """What `_row` answers for this user object from now on, after the row was written or deleted (after a
    deletion the next `_row` reads the database once more)."""
    user.hub_token = row


_STATUS_FIELDS = (
    "last4", "role", "scopes", "hub_username", "verified_at", "rejected_at", "rejected_reason", "kind", "expires_at",
    "oauth_scopes", "granted_orgs",
)  # fmt: skip


def _status(row: Any) -> TokenStatus:
    """What may be shown of a token row: a HubToken, or one of token_statuses' named rows of _STATUS_FIELDS."""
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
        kind=row.kind,
        expires_at=row.expires_at,
        oauth_scopes=tuple(str(scope) for scope in row.oauth_scopes if isinstance(scope, str)),
        granted_orgs=tuple(
            GrantedOrgStatus(name=str(org.get("name", "")), role=str(org.get("role", "")))
            for org in row.granted_orgs
            if isinstance(org, dict)
        ),
    )


def token_status(user: User | AnonymousUser) -> TokenStatus | None:
    """What may be shown of this person's stored token, or None if they have none."""
    row = _row(user)
    return _status(row) if row is not None else None


def token_statuses(users: Iterable[User] | None = None) -> dict[int, TokenStatus]:
    """The stored tokens of several people (None: of everyone), by user id, in one query (people without
    one are absent)."""
    # Only the columns a status shows, as plain rows: no sealed token read, no model instance built (for a
    # Team page of fifty that was a third of its queries' time), and no id list to bind for everyone.
    rows = _token_model().objects.all()
    if users is not None:
        rows = rows.filter(user_id__in=[user.pk for user in users])
    return {row.user_id: _status(row) for row in rows.values_list("user_id", *_STATUS_FIELDS, named=True)}


def _token_for(user: User | AnonymousUser, renew: bool = False) -> str | None:
    """This person's token, unsealed. With `renew`, an OAuth token about to expire is renewed first."""
    row = _row(user)
    if row is None:
        return None
    if renew and _due(row):
        row = _renewed(cast("User", user), row)  # a row exists only for a signed-in person
        if row is None:
            return None
    return _unsealed(row)[0]


def _unsealed(row: HubToken) -> tuple[str, str]:
    """The row's token and the cache key of its whoami answer, worked out once per row object and sealed
    value (a row sealed anew in place is unsealed anew)."""
    sealed = (row.key_id, bytes(row.ciphertext))
    memo = row.__dict__.get("_unsealed")
    if memo is None or memo[0] != sealed:
        token = unseal(row.key_id, row.ciphertext, row.user_id)
        memo = row.__dict__["_unsealed"] = (sealed, token, _cache_key(token))
    return memo[1], memo[2]


def _note_identity(row: HubToken, key: str, identity: HubIdentity | None) -> None:
    """What `cached_identity` answers for this row object from now on: every change to the cached whoami
    answer of a row that stays in use goes through here."""
    row.__dict__["_identity"] = (key, identity)


def _due(row: HubToken) -> bool:
    return (
        row.kind == row.OAUTH
        and row.expires_at is not None
        and row.rejected_at is None
        and bool(row.refresh_ciphertext)
        and row.expires_at - RENEW_BEFORE <= timezone.now()
    )


@sensitive_variables("refresh", "renewed", "old_token")
def _renewed(user: User, row: HubToken) -> HubToken | None:
    """Renew an OAuth token with its refresh token, under a lock on its row: of two workers reading it at
    once, one renews and the other finds it renewed (the Hub rotates refresh tokens: a second use fails).

    A Hub that does not answer leaves the token as it is (it may still work); a refused renewal marks the
    token rejected with a reason that asks the person to sign in again, never a silently dead token.
    """
    with transaction.atomic():
        locked = _token_model().objects.select_for_update().filter(pk=row.pk).first()
        if locked is None or not _due(locked):
            _keep(user, locked)
            return locked
        assert locked.refresh_ciphertext is not None  # _due checked it
        refresh = unseal(locked.refresh_key_id, locked.refresh_ciphertext, locked.user_id)
        try:
            renewed = oauth.renew(refresh)
        except (errors.HubUnavailable, errors.RateLimited):
            return locked
        except errors.HubError:
            locked.rejected_at = timezone.now()
            locked.rejected_reason = SIGN_IN_AGAIN
            locked.save(update_fields=["rejected_at", "rejected_reason", "updated_at"])
            _keep(user, locked)
            return locked
        old_token = unseal(locked.key_id, locked.ciphertext, locked.user_id)
        locked.key_id, locked.ciphertext = seal(renewed.access_token, locked.user_id)
        locked.last4 = renewed.access_token[-4:]
        locked.expires_at = renewed.expires_at
        fields = ["key_id", "ciphertext", "last4", "expires_at", "updated_at"]
        if renewed.refresh_token:
            locked.refresh_key_id, locked.refresh_ciphertext = seal(renewed.refresh_token, locked.user_id)
            fields += ["refresh_key_id", "refresh_ciphertext"]
        if renewed.scopes:
            locked.oauth_scopes = list(renewed.scopes)
            fields.append("oauth_scopes")
        locked.save(update_fields=fields)
    # The same person with the same grant: the whoami answer cached for the old token still holds, as
    # long as it would have (its entry keeps the time whoami answered).
    cached = cache.get(_cache_key(old_token))
    if _fresh(cached) is not None:
        cache.set(_cache_key(renewed.access_token), cached, settings.WHOAMI_CACHE_SECONDS)
    cache.delete(_cache_key(old_token))
    _keep(user, locked)
    return locked


def client_for(user: User | AnonymousUser) -> HubClient:
    """A client acting with this person's token (an OAuth one renewed if due), or anonymously if they have none."""
    return HubClient(_token_for(user, renew=True))


@sensitive_variables("token")
def connect_token(user: User, token: str) -> HubIdentity:
    """Check the token with the Hub, then store it sealed. Raises a HubError with the Hub's reason."""
    token = token.strip()
    if not TOKEN_SHAPE.fullmatch(token) or len(token) > MAX_TOKEN_LENGTH:
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
            "kind": _token_model().PASTED,
            "refresh_ciphertext": None,
            "refresh_key_id": "",
            "expires_at": None,
            "oauth_scopes": [],
            "granted_orgs": [],
        },
    )
    _keep(user, row)
    if old_key is not None:
        cache.delete(old_key)
    _remember(user.pk, token, identity)
    return identity


@sensitive_variables("grant", "refresh")
def connect_oauth(user: User, grant: oauth.Grant) -> HubIdentity:
    """Make the access token of a Hugging Face sign-in this person's Hub token, in place of any other.

    Checked with whoami like a pasted one (and so used for a Hub call at once), sealed the same way, its
    refresh token too.
    """
    identity = HubClient(grant.access_token).whoami()
    key_id, blob = seal(grant.access_token, user.pk)
    refresh_key_id, refresh = seal(grant.refresh_token, user.pk) if grant.refresh_token else ("", None)
    old_key = _stored_cache_key(user)
    row, _ = _token_model().objects.update_or_create(
        user=user,
        defaults={
            "ciphertext": blob,
            "key_id": key_id,
            "last4": grant.access_token[-4:],
            "role": _oauth_role(identity),
            "scopes": identity.scopes_as_json(),
            "hub_username": identity.name,
            "verified_at": timezone.now(),
            "rejected_at": None,
            "rejected_reason": "",
            "kind": _token_model().OAUTH,
            "refresh_ciphertext": refresh,
            "refresh_key_id": refresh_key_id,
            "expires_at": grant.expires_at,
            "oauth_scopes": list(grant.scopes),
            "granted_orgs": [{"name": org.name, "role": org.role} for org in grant.orgs],
        },
    )
    _keep(user, row)
    if old_key is not None:
        cache.delete(old_key)
    _remember(user.pk, grant.access_token, identity)
    return identity


def _oauth_role(identity: HubIdentity) -> str:
    """whoami gives an OAuth token no role of its own: its scopes say what it may do."""
    return identity.token_role if identity.token_role not in ("", "unknown") else "oauth"


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
    """Who this person is on the Hub if a recent whoami answer is cached; never calls the Hub.

    Read once per row object, so once per request: later changes made elsewhere show from the next one.
    """
    row = _row(user)
    if row is None:
        return None
    try:
        _, key = _unsealed(row)
    except TokenKeyError:
        return None
    return _read_identity(row, key)


def _read_identity(row: HubToken, key: str) -> HubIdentity | None:
    memo = row.__dict__.get("_identity")
    if memo is not None and memo[0] == key:
        return cast("HubIdentity | None", memo[1])
    identity = _fresh(cache.get(key))
    _note_identity(row, key, identity)
    return identity


@sensitive_variables("token")
def identity_for(user: User | AnonymousUser, refresh: bool = False) -> HubIdentity:
    """Who this person is on the Hub, cached per token (the Hub rate-limits whoami strictly)."""
    row = _row(user)
    if row is None:
        raise errors.NoToken("Connect your Hub token to see who you are on the Hub.")
    _, key = _unsealed(row)
    if not refresh:
        cached = _read_identity(row, key)
        if cached is not None:
            return cached
        failed = row.__dict__.get("_identity_failed")
        if failed is not None and failed[0] == key:
            raise failed[1]  # one whoami per request: the Hub that just failed is not asked again
    try:
        identity = HubClient(_token_for(user, renew=True)).whoami()
    except errors.BadToken as err:
        row = _row(user) or row  # as a renewal may have left it
        _save_facts(
            row,
            rejected_at=timezone.now(),
            rejected_reason=(SIGN_IN_AGAIN if row.kind == row.OAUTH else err.message)[:300],
        )
        cache.delete(key)
        _note_identity(row, key, None)
        raise
    except errors.HubError as err:
        row.__dict__["_identity_failed"] = (key, err)
        raise
    row = _row(user) or row  # the row whose token whoami was asked about (renewed, perhaps)
    saved = _save_facts(
        row,
        role=_oauth_role(identity) if row.kind == row.OAUTH else identity.token_role,
        scopes=identity.scopes_as_json(),
        hub_username=identity.name,
        verified_at=timezone.now(),
        rejected_at=None,
        rejected_reason="",
    )
    token, key = _unsealed(row)
    if saved:  # else the answer is about a token no longer stored: not who the person is from now on
        _remember(row.user_id, token, identity)
    _note_identity(row, key, identity)
    return identity


def _save_facts(row: HubToken, **facts: object) -> bool:
    """Store what the Hub said of this row's token, only if the row still holds that token: the person may
    have replaced or removed it while the Hub answered, and an old token's facts must not land on a new one.
    The row object takes the facts either way (it is the one this request goes on with). True if stored."""
    for name, value in facts.items():
        setattr(row, name, value)
    row.updated_at = timezone.now()
    stored = _token_model().objects.filter(pk=row.pk, key_id=row.key_id, ciphertext=bytes(row.ciphertext))
    return stored.update(**facts, updated_at=row.updated_at) == 1


def current_identity(user: User | AnonymousUser) -> HubIdentity | None:
    """Who this person is on the Hub, for what they may write and see: the cached whoami answer, or when
    none is fresh (expired, never read) one whoami, whose answer the pages after it share. None without a
    token the Hub takes (none stored, rejected, or one hubdash can no longer decrypt).

    Raises a HubError when the Hub cannot say (down, rate-limited): not knowing a person's organisations
    is not knowing they have none.
    """
    row = _row(user)
    if row is None:
        return None
    if row.rejected_at is not None:
        return cached_identity(user)  # asking again would only be refused again
    try:
        return identity_for(user)
    except (errors.BadToken, TokenKeyError):
        return None


def forget_identity(user: User) -> None:
    key = _stored_cache_key(user)
    if key is not None:
        cache.delete(key)
        row = _row(user)
        if row is not None:
            _note_identity(row, key, None)


def remove_token(user: User) -> None:
    forget_identity(user)
    cache.delete(_last_key(user.pk))
    _token_model().objects.filter(user=user).delete()
    _keep(user, None)


def reseal_all() -> tuple[int, str]:
    """Re-encrypt every stored token under the newest key (rotation). Returns (count, key id)."""
    count = 0
    key_id = ""
    with transaction.atomic():
        for row in _token_model().objects.select_for_update().all():
            token = unseal(row.key_id, row.ciphertext, row.user_id)
            key_id, row.ciphertext = seal(token, row.user_id)
            row.key_id = key_id
            fields = ["key_id", "ciphertext", "updated_at"]
            if row.refresh_ciphertext:
                refresh = unseal(row.refresh_key_id, row.refresh_ciphertext, row.user_id)
                row.refresh_key_id, row.refresh_ciphertext = seal(refresh, row.user_id)
                fields += ["refresh_key_id", "refresh_ciphertext"]
            row.save(update_fields=fields)
            count += 1
    return count, key_id
